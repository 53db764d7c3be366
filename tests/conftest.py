"""Fixtures shared by every test area.

`synth` synthesizes a config in this process and caches the result per config content: jsii and the provider
assemblies load once per test session instead of once per synthesis (~1 s instead of ~8 s per config).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

# Tools the project installs itself (scripts/bootstrap.sh): helm, cdktf, checkov, shellcheck.
for tool_dir in (ROOT / ".tools" / "bin", ROOT / ".tools" / "node_modules" / ".bin", Path(sys.executable).parent):
    if tool_dir.is_dir() and str(tool_dir) not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = f"{tool_dir}{os.pathsep}{os.environ.get('PATH', '')}"


def cdktf_project(directory: Path, app: str | None = None) -> tuple[str, Path]:
    """The real cdktf CLI, and a project folder in `directory` where it runs this checkout's app (`app` replaces
    cdktf.json's command)."""
    cdktf = shutil.which("cdktf")
    assert cdktf, "the cdktf CLI is missing: run `make install-test` (scripts/bootstrap.sh --test installs it)"
    project = directory / "project"
    project.mkdir()
    shutil.copy(ROOT / "main.py", project / "main.py")
    settings = json.loads((ROOT / "cdktf.json").read_text())
    (project / "cdktf.json").write_text(json.dumps({**settings, "app": app} if app else settings))
    for name in ("hyperpod", "examples"):
        os.symlink(ROOT / name, project / name)
    return cdktf, project


@contextlib.contextmanager
def _environment(changes: dict[str, str]):
    saved = {key: os.environ.get(key) for key in changes}
    os.environ.update(changes)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def main_in_process(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python main.py ARGS` run by this process: the same code and exit codes as the entry point, with stdout and
    stderr captured, but jsii and the assemblies already loaded (~0.3 s a synthesis instead of ~0.8 s in a new process).
    Tests of the entry point itself (signals, the real cdktf CLI, `main.py` as a file) start a process instead."""
    from hyperpod.app import cli

    out, err = io.StringIO(), io.StringIO()
    with _environment(env or {}), contextlib.chdir(cwd), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        try:
            code = cli.main(list(args))
        except SystemExit as exit_:  # argparse's usage errors
            code = exit_.code if isinstance(exit_.code, int) else 2
    return subprocess.CompletedProcess(["main.py", *args], code, out.getvalue(), err.getvalue())


def example_config(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text())


def minimal_config(**overrides) -> dict:
    """The smallest enabled config; keyword arguments replace top-level keys."""
    config = {
        "region": "us-west-2",
        "eks_cluster_name": "ml-platform",
        "hyperpod_enabled": True,
        "hyperpod_cluster_name": "test-cluster",
        "hyperpod_instance_groups": [
            {"name": "gpu", "instance_type": "ml.g5.48xlarge", "instance_count": 2,
             "deep_health_checks": ["InstanceStress", "InstanceConnectivity"]},
        ],
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def synth(tmp_path_factory):
    """callable(config: dict | Path) -> Path of the synthesized cdk.tf.json (cached per config content)."""
    from hyperpod.app.synthesis import synthesize
    from hyperpod.config import parse_config

    cache: dict[str, Path] = {}
    base = tmp_path_factory.mktemp("synth")

    def run(config: dict | Path) -> Path:
        raw = json.loads(Path(config).read_text()) if isinstance(config, Path) else config
        key = hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest()[:16]
        if key not in cache:
            model, _ = parse_config(raw)
            cache[key] = synthesize(model, base / key)
        return cache[key]

    return run


@pytest.fixture(scope="session")
def synth_json(synth):
    """callable(config) -> the synthesized Terraform JSON as a dict."""
    return lambda config: json.loads(synth(config).read_text())


@pytest.fixture(scope="session")
def scratch_copy(tmp_path_factory):
    """callable(path) -> a private copy of a synthesized stack folder, safe to mutate."""
    def run(cdk_tf_json: Path) -> Path:
        target = tmp_path_factory.mktemp("stack")
        shutil.copytree(cdk_tf_json.parent, target, dirs_exist_ok=True)
        return target / cdk_tf_json.name
    return run
