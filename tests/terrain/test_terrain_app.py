"""The construct in a CDK Terrain app (docs/runtimes.md's example, run as written against the built package), the
package's runtime extras, and `make synth CDK=terrain` moving a CDKTF synthesis without a change."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile

import pytest

from tests.conftest import EXAMPLES, ROOT
from tests.core import golden
from tests.core.test_library_use import BANNER_VARIABLE, build_package, package_source, shipped_files
from tests.terrain import equality
from tests.terrain.conftest import TERRAIN_PYTHON, run_terrain

GUIDE = (ROOT / "docs" / "runtimes.md").read_text()
SECTION = GUIDE[GUIDE.index("## Use the construct in a CDK Terrain app"):GUIDE.index("## Moving an existing")]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(the built wheel, the folder an installation of it puts on sys.path)."""
    work = tmp_path_factory.mktemp("package")
    site = build_package(package_source(work), work)
    wheels = list((work / "dist").glob("hyperpod_cdktf-*.whl"))
    return (wheels[0] if wheels else None), site


def test_the_guide_s_app_synthesizes_with_cdk_terrain_from_the_installed_package(built, tmp_path):
    _, site = built
    (snippet,) = re.findall(r"```python\n(.*?)```", SECTION, flags=re.S)
    (tmp_path / "app.py").write_text(snippet)
    # The app exactly as written, then where hyperpod and the runtime came from.
    probe = ("import runpy, sys; runpy.run_path('app.py', run_name='__main__'); import hyperpod; "
             "from hyperpod.runtime import runtime; print(hyperpod.__file__, runtime().name, 'cdktf' in sys.modules)")
    result = run_terrain("-c", probe, cwd=tmp_path, env={"PYTHONPATH": str(site)}, drop=(BANNER_VARIABLE,))
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr == ""  # no jsii end-of-life banner, no warnings
    assert result.stdout.split() == [str(site / "hyperpod" / "__init__.py"), "terrain", "False"]
    synthesized = json.loads((tmp_path / "cdktf.out" / "stacks" / "platform" / "cdk.tf.json").read_text())
    assert synthesized["//"]["metadata"]["version"] == "0.24.0"  # written by cdktn
    assert synthesized["terraform"]["required_providers"]["aws"] == {"source": "hashicorp/aws", "version": "6.69.1"}
    (cluster,) = synthesized["resource"]["awscc_sagemaker_cluster"].values()
    assert cluster["cluster_name"] == "training"
    assert cluster["orchestrator"]["eks"]["cluster_arn"] == "arn:aws:eks:eu-west-1:123456789012:cluster/ml-platform"
    uploaded = {obj["key"].split("/", 2)[2] for obj in synthesized["resource"]["aws_s3_object"].values()}
    assert uploaded == set(shipped_files())  # the installed package's scripts


def test_the_package_declares_each_runtime_as_an_extra_and_requires_neither(built):
    wheel, _ = built
    if wheel is None:
        pytest.fail("no wheel was built: run `make install-test` (it installs uv, which builds it)", pytrace=False)
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [name for name in archive.namelist() if name.endswith(".dist-info/METADATA")]
        requires = re.findall(r"^Requires-Dist: (.*)$", archive.read(metadata).decode(), flags=re.M)
    by_extra: dict[str, set[str]] = {}
    for requirement in requires:
        marker = re.search(r'extra == "([\w-]+)"', requirement)
        by_extra.setdefault(marker.group(1) if marker else "", set()).add(re.split(r"[ ;=<>]", requirement)[0])
    assert by_extra["cdktf"] == {"cdktf", "constructs", "cdktf-cdktf-provider-aws", "cdktf-cdktf-provider-helm",
                                 "cdktf-cdktf-provider-kubernetes"}
    assert by_extra["terrain"] == {"cdktn", "constructs", "cdktn-provider-aws", "cdktn-provider-helm",
                                   "cdktn-provider-kubernetes"}
    assert not {"cdktf", "cdktn", "constructs"} & by_extra[""]  # a CDK Terrain app gets no CDKTF, and the reverse
    assert not any("awscc" in name for names in by_extra.values() for name in names)  # the oracle is not published


def test_make_synth_with_cdk_terrain_moves_a_cdktf_synthesis_without_a_change(tmp_path):
    """The move as docs/runtimes.md describes it: CDK Terrain synthesizes into the folder holding CDKTF's synthesis
    (the golden file), and the change guard compares the two."""
    if not TERRAIN_PYTHON.is_file():
        pytest.fail("run `make install-test`: .venv-terrain is missing", pytrace=False)
    example = EXAMPLES / "production.tfvars.json"
    previous = tmp_path / "out" / "stacks" / "hyperpod" / "cdk.tf.json"
    previous.parent.mkdir(parents=True)
    shutil.copy(golden.golden_path(example), previous)
    result = subprocess.run(["make", "--no-print-directory", "synth", "CDK=terrain",
                             f"ARGS=--config {example} --out {tmp_path / 'out'}"],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "change guard skipped" not in result.stderr  # it compared with the CDKTF synthesis
    assert f"wrote {previous}" in result.stdout
    cdktf = json.loads(golden.golden_path(example).read_text())
    terrain = json.loads(previous.read_text())
    assert equality.differences(cdktf, terrain) == []
    assert terrain["//"]["metadata"]["version"] == "0.24.0"
