"""examples/composition: an EKS platform stack and a HyperPod stack joined by CDKTF cross-stack references, planned
offline by real Terraform against the stand-in providers.

The stand-in providers cannot apply, so the platform stack's apply is replaced by what it would leave behind for
the other stack: a state file holding only its outputs (the values `terraform_remote_state` reads), seeded at the
relative path both stacks' backends name. The HyperPod stack is then planned for real: Terraform reads the remote
state, and the plan shows the seeded cluster values inside the HyperPod resources.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.terraform import harness

EXAMPLE = ROOT / "examples" / "composition" / "main.py"
PLATFORM, TRAINING = "eks-platform", "hyperpod-training"
ACCOUNT = "123456789012"
# What the platform stack's apply would write for each kind of output CDKTF generates for the references.
SEEDED = {
    "authentication_mode": "API",
    "arn": f"arn:aws:eks:us-west-2:{ACCOUNT}:cluster/ml-platform",
    "name": "ml-platform",
    "endpoint": "https://0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com",
    "certificate_authority0data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==",
    "cluster_security_group_id": "sg-0a1b2c3d4e5f60718",
    "subnet-0": "subnet-0a0a0a0a0a0a0a0a0",
    "subnet-1": "subnet-0b0b0b0b0b0b0b0b0",
    "vpc": "vpc-0c0c0c0c0c0c0c0c0",
}


def seeded_value(output: str, authentication_mode: str) -> str:
    if output.endswith("authentication_mode"):
        return authentication_mode
    # Most specific first: the security group output also names vpc_config.
    for fragment in ("cluster_security_group_id", "certificate_authority0data", "subnet-0", "subnet-1", "aws_vpc",
                     "endpoint", "arn", "name"):
        if fragment in output:
            fragment = "vpc" if fragment == "aws_vpc" else fragment
            return SEEDED[fragment]
    raise AssertionError(f"no seeded value for cross-stack output {output!r}: extend SEEDED")


def seed_platform_state(platform_stack: dict, path: Path, authentication_mode: str = "API") -> dict:
    """A state file with the platform stack's outputs, as its apply would leave it."""
    outputs = {name: {"value": seeded_value(name, authentication_mode), "type": "string"}
               for name in platform_stack["output"]}
    path.write_text(json.dumps({"version": 4, "terraform_version": "1.11.4", "serial": 1,
                                "lineage": "seeded-by-test-composition", "outputs": outputs, "resources": []}))
    return {name: output["value"] for name, output in outputs.items()}


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("composition") / "out"
    result = subprocess.run([sys.executable, str(EXAMPLE), "--out", str(out)], capture_output=True, text=True,
                            timeout=300, cwd=tmp_path_factory.getbasetemp())
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return out


def stack(out: Path, name: str) -> dict:
    return json.loads((out / "stacks" / name / "cdk.tf.json").read_text())


def workspace(out: Path, name: str, root: Path, cli_config: Path) -> harness.Workspace:
    """The stack at root/out/stacks/<name>: its backend's ../../../ is `root`, as in a real checkout."""
    ws = harness.Workspace.from_stack(out / "stacks" / name / "cdk.tf.json", root / "out" / "stacks" / name,
                                      cli_config)
    result = ws.init()
    assert result.ok, f"terraform init failed for {name}:\n{result.output}"
    return ws


def test_values_cross_stacks_as_outputs_and_remote_state(synthesized):
    platform, training = stack(synthesized, PLATFORM), stack(synthesized, TRAINING)
    remote = training["data"]["terraform_remote_state"]
    assert list(remote.values()) == [{"backend": "local", "config": {"path": "../../../terraform.eks-platform.tfstate"},
                                      "workspace": "${terraform.workspace}"}]
    assert platform["terraform"]["backend"] == {"local": {"path": "../../../terraform.eks-platform.tfstate"}}
    (cluster,) = training["resource"]["awscc_sagemaker_cluster"].values()
    assert re.fullmatch(r"\$\{data\.terraform_remote_state\.[\w-]+\.outputs\.cross-stack-output-aws_eks_cluster"
                        r"[\w]+arn\}", cluster["orchestrator"]["eks"]["cluster_arn"])
    (eks,) = platform["resource"]["aws_eks_cluster"].values()
    assert eks["access_config"]["authentication_mode"] == "API"
    zones = {subnet["availability_zone"] for key, subnet in platform["resource"]["aws_subnet"].items()
             if "private" in key}
    assert len(zones) >= 2  # EKS and HyperPod need private subnets in two or more zones


def test_both_stacks_plan_offline(synthesized, terraform_cli_config, tmp_path):
    platform = workspace(synthesized, PLATFORM, tmp_path, terraform_cli_config)
    result = platform.plan()
    assert result.ok, str(result)
    declared = sum(len(instances) for instances in stack(synthesized, PLATFORM)["resource"].values())
    assert f"Plan: {declared} to add, 0 to change, 0 to destroy." in result.output

    seeded = seed_platform_state(stack(synthesized, PLATFORM), tmp_path / "terraform.eks-platform.tfstate")
    training = workspace(synthesized, TRAINING, tmp_path, terraform_cli_config)
    result = training.plan("-out=plan.tfplan")
    assert result.ok, str(result)
    declared = sum(len(instances) for instances in stack(synthesized, TRAINING)["resource"].values())
    assert f"Plan: {declared} to add, 0 to change, 0 to destroy." in result.output
    shown = training.run("show", "-json", "plan.tfplan")
    assert shown.ok, str(shown)
    resources = json.loads(shown.output)["planned_values"]["root_module"]["resources"]
    planned = {r["type"]: r.get("values", {}) for r in resources if r["mode"] == "managed"}
    cluster = planned["awscc_sagemaker_cluster"]
    assert cluster["orchestrator"]["eks"]["cluster_arn"] == SEEDED["arn"] in seeded.values()
    assert sorted(cluster["vpc_config"]["subnets"]) == [SEEDED["subnet-0"], SEEDED["subnet-1"]]
    assert SEEDED["cluster_security_group_id"] in cluster["vpc_config"]["security_group_ids"]
    assert planned["aws_security_group"]["vpc_id"] == SEEDED["vpc"]


def test_hyperpod_stack_refuses_a_platform_cluster_without_api_authentication(synthesized, terraform_cli_config,
                                                                             tmp_path):
    seed_platform_state(stack(synthesized, PLATFORM), tmp_path / "terraform.eks-platform.tfstate",
                        authentication_mode="CONFIG_MAP")
    result = workspace(synthesized, TRAINING, tmp_path, terraform_cli_config).plan()
    assert not result.ok
    assert "Resource precondition failed" in result.output and "CONFIG_MAP" in result.output
