"""Every example synthesizes under CDK Terrain to the Terraform JSON CDKTF writes (same resources, addresses and
arguments; only what tests/terrain/equality.py allows differs), and real Terraform validates and plans it offline.

One CDK Terrain process (.venv-terrain) synthesizes every example (tests/terrain/synthesize.py); this process
synthesizes the same examples with CDKTF.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES
from tests.core import golden
from tests.terrain import equality
from tests.terrain.conftest import run_terrain
from tests.terraform import harness
from tests.terraform.stand_in.placeholders import EKS_AUTHENTICATION_MODE_ENV

EXAMPLE_NAMES = [example.name.removesuffix(".tfvars.json") for example in golden.EXAMPLES]
# Every stack folder both sides write: each example config, both environments, both composition stacks.
STACKS = ([f"examples/{name}/stacks/hyperpod" for name in EXAMPLE_NAMES]
          + [f"environments/stacks/{path.name.removesuffix('.cdk.tf.json')}"
             for path in sorted(golden.ENVIRONMENTS_GOLDEN.glob("*.cdk.tf.json"))]
          + ["composition/stacks/eks-platform", "composition/stacks/hyperpod-training"])


@pytest.fixture(scope="module")
def terrain_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("terrain")
    result = run_terrain("-m", "tests.terrain.synthesize", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def cdktf_out(tmp_path_factory) -> Path:
    from examples.composition.main import build
    from hyperpod.runtime import runtime

    assert runtime().name == "cdktf"  # this process is the CDKTF side
    out = tmp_path_factory.mktemp("cdktf")
    for example in golden.EXAMPLES:
        golden.synthesize_example(example, out / "examples" / example.name.removesuffix(".tfvars.json"))
    golden.synthesize_environments(out / "environments")
    (out / "composition").mkdir()  # CDKTF's App, unlike CDK Terrain's, makes only the last folder of its outdir
    build(out / "composition").synth()
    return out


def stack_json(out: Path, stack: str) -> dict:
    return json.loads((out / stack / "cdk.tf.json").read_text())


def test_the_terrain_side_ran_on_cdk_terrain_and_has_every_class_the_project_imports(terrain_out):
    report = json.loads((terrain_out / "report.json").read_text())
    assert report["runtime"] == "terrain" and report["core"] == "cdktn"
    assert report["missing"] == []  # CDK Terrain names every class hyperpod/ imports as CDKTF does
    assert report["awscc_prebuilt_loaded"] == []  # its 66 MB assembly: a test-time oracle only
    # Lazy per submodule, as under CDKTF (tests/core/test_imports.py): the package's __init__ never ran, the stacks
    # used about twenty aws submodules, and the stack's kubernetes provider is the project's own binding.
    assert report["aws_init_ran"] is False
    assert {"iam_role", "s3_bucket", "security_group", "provider", "_jsii"} <= set(report["aws_submodules"])
    assert len(report["aws_submodules"]) < 40, report["aws_submodules"]
    assert report["kubernetes_loaded"] is False


@pytest.mark.parametrize("stack", STACKS)
def test_stack_is_the_same_under_both_runtimes(cdktf_out, terrain_out, stack):
    cdktf, terrain = stack_json(cdktf_out, stack), stack_json(terrain_out, stack)
    assert equality.differences(cdktf, terrain) == []
    # The documents did come from two runtimes: the generator versions are the allowed difference seen.
    assert (("//", "metadata", "version"), "0.21.0", "0.24.0") in equality.raw_differences(cdktf, terrain)
    assert cdktf["resource"] and cdktf["resource"] == terrain["resource"]  # every address and argument
    assert equality.other_files(cdktf_out / stack) == equality.other_files(terrain_out / stack)  # assets


def test_a_changed_address_or_argument_is_a_difference():
    base = {"resource": {"aws_iam_role": {"role_ABC": {"name": "x", "max_session_duration": 3600}}},
            "terraform": {"required_providers": {"aws": {"source": "aws", "version": "6.25.0"}}}}
    renamed = json.loads(json.dumps(base).replace("role_ABC", "role_DEF"))
    assert equality.differences(base, renamed) == [
        "resource.aws_iam_role.role_ABC: {'name': 'x', 'max_session_duration': 3600} != '<absent>'",
        "resource.aws_iam_role.role_DEF: '<absent>' != {'name': 'x', 'max_session_duration': 3600}"]
    retyped = json.loads(json.dumps(base).replace("3600", "3600.0"))
    assert equality.differences(base, retyped) == [
        "resource.aws_iam_role.role_ABC.max_session_duration: 3600 != 3600.0"]


def test_only_the_listed_version_changes_are_allowed():
    def pinned(version: str, source: str = "aws") -> dict:
        return {"terraform": {"required_providers": {"aws": {"source": source, "version": version}}}}

    assert equality.differences(pinned("6.25.0"), pinned("6.69.1", "hashicorp/aws")) == []
    assert equality.differences(pinned("6.25.0"), pinned("6.70.0")) == [
        "terraform.required_providers.aws.version: '6.25.0' != '6.70.0'"]
    assert equality.differences(pinned("6.25.0"), pinned("6.25.0", "example/aws")) == [
        "terraform.required_providers.aws.source: 'aws' != 'example/aws'"]


def plan_workspace(terrain_out: Path, stack: str, directory: Path, cli_config: Path) -> harness.Workspace:
    workspace = harness.Workspace.from_stack(terrain_out / stack / "cdk.tf.json", directory, cli_config)
    result = workspace.init()
    assert result.ok, f"terraform init failed for {stack}:\n{result.output}"
    return workspace


@pytest.mark.parametrize("stack", [s for s in STACKS if not s.startswith("composition/")])
def test_terrain_output_validates_and_plans_every_resource(terrain_out, terrain_mirror, tmp_path, stack):
    document = stack_json(terrain_out, stack)
    workspace = plan_workspace(terrain_out, stack, tmp_path / "workspace", terrain_mirror)
    validated = workspace.validate()
    assert validated.ok and "Success! The configuration is valid." in validated.output, str(validated)
    planned = workspace.plan(env={EKS_AUTHENTICATION_MODE_ENV: "API_AND_CONFIG_MAP"})
    assert planned.ok, str(planned)
    declared = sum(len(instances) for instances in document["resource"].values())
    assert re.search(rf"Plan: {declared} to add, 0 to change, 0 to destroy\.", planned.output), planned.output
    lock = (workspace.directory / ".terraform.lock.hcl").read_text()
    for name, entry in document["terraform"]["required_providers"].items():  # CDK Terrain's pins were installed
        assert f'provider "registry.terraform.io/hashicorp/{name}" {{\n  version     = "{entry["version"]}"' in lock
    assert '"6.69.1"' in lock  # aws, served with the schema rebuilt from cdktn-provider-aws


def test_terrain_composition_plans_both_stacks(terrain_out, terrain_mirror, tmp_path):
    from tests.terraform.test_composition import PLATFORM, SEEDED, TRAINING, seed_platform_state, workspace

    out = terrain_out / "composition"
    platform_json, training_json = (stack_json(out, f"stacks/{name}") for name in (PLATFORM, TRAINING))
    platform = workspace(out, PLATFORM, tmp_path, terrain_mirror)
    result = platform.plan()
    assert result.ok, str(result)
    declared = sum(len(instances) for instances in platform_json["resource"].values())
    assert f"Plan: {declared} to add, 0 to change, 0 to destroy." in result.output
    seed_platform_state(platform_json, tmp_path / "terraform.eks-platform.tfstate")
    result = workspace(out, TRAINING, tmp_path, terrain_mirror).plan()
    assert result.ok, str(result)
    declared = sum(len(instances) for instances in training_json["resource"].values())
    assert f"Plan: {declared} to add, 0 to change, 0 to destroy." in result.output
    assert SEEDED["arn"] in result.output  # the cluster ARN read across stacks from the platform's state


def test_examples_cover_every_config(terrain_out):
    """A new example config joins the comparison by itself (tests/core/golden.py lists them)."""
    assert {path.name for path in EXAMPLES.glob("*.tfvars.json")} == {f"{name}.tfvars.json" for name in EXAMPLE_NAMES}
    assert sorted(path.name for path in (terrain_out / "examples").iterdir()) == sorted(EXAMPLE_NAMES)
