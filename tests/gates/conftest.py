"""Fixtures of the gates tests: the hand-written stack (a known-good document of the core's shape) and synthesis."""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).with_name("data")
HANDWRITTEN = DATA / "handwritten.cdk.tf.json"
EXAMPLES = sorted((ROOT / "examples").glob("*.tfvars.json"))


@pytest.fixture
def handwritten() -> dict:
    """A fresh copy of the hand-written stack, for a test to break one thing in."""
    return copy.deepcopy(json.loads(HANDWRITTEN.read_text()))


def write_json(directory: Path, document: dict, name: str = "cdk.tf.json") -> Path:
    path = directory / name
    path.write_text(json.dumps(document, indent=2))
    return path


def _synth_in_subprocess(config: dict | Path, out_root: Path) -> Path:
    """Fallback when the lead's session `synth` fixture is absent: run main.py like a user would."""
    if isinstance(config, dict):
        config_path = out_root / f"config-{abs(hash(json.dumps(config, sort_keys=True)))}.json"
        config_path.write_text(json.dumps(config))
    else:
        config_path = Path(config)
    out = out_root / config_path.stem
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    completed = subprocess.run([sys.executable, str(ROOT / "main.py"), "--config", str(config_path), "--out", str(out)],
                               cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, f"synthesis of {config_path} failed:\n{completed.stderr[-3000:]}"
    return out / "stacks" / "hyperpod" / "cdk.tf.json"


@pytest.fixture(scope="session")
def synthesize(request, tmp_path_factory):
    """callable(config dict | Path) -> Path of cdk.tf.json; uses the project-wide cached `synth` when it exists."""
    if not (ROOT / "main.py").exists():
        pytest.fail("main.py is missing: the core stack has not landed, the synthesized-output gates cannot run")
    try:
        return request.getfixturevalue("synth")
    except pytest.FixtureLookupError:
        out_root = tmp_path_factory.mktemp("gates-synth")
        cache: dict[str, Path] = {}

        def synth(config):
            key = json.dumps(config, sort_keys=True) if isinstance(config, dict) else str(Path(config).resolve())
            if key not in cache:
                cache[key] = _synth_in_subprocess(config, out_root)
            return cache[key]
        return synth
