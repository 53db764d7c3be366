"""The library guide (docs/library.md) works as written: its snippet runs, the scripts ship in the package, every construct it
names imports from `hyperpod`, and a user's app prints no jsii banner (issue 12 part 8)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

GUIDE = (ROOT / "docs" / "library.md").read_text()
SECTION = GUIDE[GUIDE.index("# Use the construct in your own CDKTF app"):]
BANNER_VARIABLE = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"


def user_environment(**extra: str) -> dict:
    """A user's shell: this checkout importable, no jsii variable of ours."""
    env = {key: value for key, value in os.environ.items() if key not in (BANNER_VARIABLE, "PYTHONPATH")}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def shipped_files() -> dict[str, str]:
    from hyperpod.lifecycle_bucket import SHIPPED_SCRIPTS, read_scripts

    return read_scripts(SHIPPED_SCRIPTS)


def test_the_guides_snippet_runs_as_written_without_a_banner(tmp_path):
    (snippet,) = re.findall(r"```python\n(.*?)```", SECTION, flags=re.S)
    (tmp_path / "app.py").write_text(snippet)
    result = subprocess.run([sys.executable, "app.py"], cwd=tmp_path, env=user_environment(), capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no jsii end-of-life banner, no warnings
    synthesized = json.loads((tmp_path / "cdktf.out" / "stacks" / "platform" / "cdk.tf.json").read_text())
    (cluster,) = synthesized["resource"]["awscc_sagemaker_cluster"].values()
    assert cluster["cluster_name"] == "training"
    assert cluster["orchestrator"]["eks"]["cluster_arn"] == "arn:aws:eks:eu-west-1:123456789012:cluster/ml-platform"
    assert cluster["vpc_config"]["subnets"] == ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
    uploaded = {obj["key"].split("/", 2)[2] for obj in synthesized["resource"]["aws_s3_object"].values()}
    assert uploaded == set(shipped_files())  # the package's scripts, found without a path


def test_importing_hyperpod_quiets_jsii_but_keeps_a_users_value():
    code = f"import os, hyperpod; print(os.environ[{BANNER_VARIABLE!r}])"
    ours = subprocess.run([sys.executable, "-c", code], env=user_environment(), capture_output=True, text=True,
                          timeout=60)
    assert ours.stdout.strip() == "20", ours.stderr
    theirs = subprocess.run([sys.executable, "-c", code], env=user_environment(**{BANNER_VARIABLE: "18,20"}),
                            capture_output=True, text=True, timeout=60)
    assert theirs.stdout.strip() == "18,20", theirs.stderr


def test_every_construct_the_guide_says_can_be_used_alone_imports_from_hyperpod():
    from constructs import Construct

    import hyperpod

    (listed,) = re.findall(r"The smaller\s+constructs \(([^)]*)\)\s+can be used alone", SECTION)
    names = re.findall(r"`(\w+)`", listed)
    assert len(names) >= 6, names
    for name in [*names, "HyperPod", "EksCluster", "AwsContext", "parse_config"]:
        assert name in hyperpod.__all__, name
    for name in names:
        assert issubclass(getattr(hyperpod, name), Construct), name


def test_missing_shipped_scripts_is_a_clear_error(monkeypatch, tmp_path):
    import hyperpod.lifecycle_bucket as lifecycle_scripts

    monkeypatch.setattr(lifecycle_scripts, "SHIPPED_SCRIPTS", tmp_path / "gone")
    with pytest.raises(FileNotFoundError, match=rf"the lifecycle scripts this package ships are missing: no "
                                                rf"on_create.sh in {re.escape(str(tmp_path / 'gone'))}; reinstall"):
        lifecycle_scripts.shipped_scripts()


UV = ROOT / ".tools" / "uv" / "bin" / "uv"  # installed by scripts/bootstrap.sh from tools/uv-requirements.txt


def build_package(source: Path, work: Path) -> Path:
    """Build the project and return the folder an installation would put on sys.path.

    With the locked set-up's uv: a real wheel, built offline with the hash-pinned setuptools from uv's cache (the set-up
    built the editable install with it), then unpacked as pip would. A set-up without uv has setuptools in .venv
    instead, whose build_py selects exactly what a wheel holds (packages and package data from pyproject.toml)."""
    site = work / "site"
    if UV.is_file():
        command = [str(UV), "build", "--wheel", "--offline", "-q", "-o", str(work / "dist"), str(source)]
    else:
        command = [sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", "build_py", "--build-lib",
                   str(site)]
    built = subprocess.run(command, cwd=source, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    if UV.is_file():
        (wheel,) = (work / "dist").glob("hyperpod_cdktf-*.whl")
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(site)
    return site


def package_source(work: Path) -> Path:
    """A copy of what the package is built from, in `work`/source: building in the checkout would leave build/ and
    *.egg-info behind."""
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("hyperpod", "lifecycle_scripts"):
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return source


def test_the_built_package_ships_the_lifecycle_scripts_and_they_are_found_installed(tmp_path):
    site = build_package(package_source(tmp_path), tmp_path)
    names = {path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_file()}
    expected = {f"hyperpod/lifecycle_scripts/{name}" for name in shipped_files()}
    assert {"hyperpod/lifecycle_scripts/on_create.sh", "hyperpod/lifecycle_scripts/lib/data_volume.sh"} <= expected
    assert expected <= names, expected - names
    # Everything else under hyperpod/ ships too (modules, data tables, the Karpenter chart): pyproject.toml lists the
    # packages by hand, so a new folder left out of the list fails here.
    package_files = {path.relative_to(ROOT).as_posix() for path in (ROOT / "hyperpod").rglob("*")
                     if path.is_file() and "__pycache__" not in path.parts}
    assert package_files <= names, sorted(package_files - names)
    assert {"hyperpod/lifecycle_bucket.py", "hyperpod/scripts/check-hyperpod-status.sh",
            "hyperpod/karpenter_chart/templates/nodepool.yaml"} <= names
    assert not any(name.startswith("lifecycle_scripts/") for name in names)  # not a top-level package of its own

    code = ("import json, hyperpod.lifecycle_bucket as s; "
            "print(json.dumps({'dir': str(s.SHIPPED_SCRIPTS), 'scripts': s.shipped_scripts()}))")
    installed = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=user_environment(PYTHONPATH=str(site)),
                               capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr
    found = json.loads(installed.stdout.strip().splitlines()[-1])
    assert found["dir"] == str(site / "hyperpod" / "lifecycle_scripts")
    assert found["scripts"] == shipped_files()  # an installed package synthesizes what a checkout does


def test_a_checkout_reads_the_top_level_scripts():
    from hyperpod.lifecycle_bucket import SHIPPED_SCRIPTS

    assert SHIPPED_SCRIPTS == ROOT / "lifecycle_scripts"
    assert not (ROOT / "hyperpod" / "lifecycle_scripts").exists()  # one copy, at the top level
