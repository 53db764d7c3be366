"""Every install comes from a lock with hashes: the locks must say what their inputs ask for (`make lock` refreshes).

uv.lock against pyproject.toml is checked by `uv lock --check` in `make test` and by scripts/bootstrap.sh.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import ROOT

TOOLS = ROOT / "tools"
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+)", flags=re.M)


def pins(text: str) -> dict[str, str]:
    return {name.lower(): version for name, version in PIN.findall(text)}


@pytest.mark.parametrize("name", ["uv", "checkov"])
def test_requirements_lock_pins_what_its_input_asks_for_with_hashes(name):
    wanted = pins((TOOLS / f"{name}-requirements.in").read_text())
    lock_text = (TOOLS / f"{name}-requirements.txt").read_text()
    locked = pins(lock_text)
    assert wanted and wanted.items() <= locked.items(), f"tools/{name}-requirements.txt is stale: run `make lock`"
    for requirement in re.split(r"\n(?=[A-Za-z0-9])", lock_text.split("\n", 2)[2].strip()):
        assert "--hash=sha256:" in requirement, f"no hash for {requirement.splitlines()[0]}"


def test_package_lock_pins_what_package_json_asks_for():
    package = json.loads((TOOLS / "package.json").read_text())
    lock = json.loads((TOOLS / "package-lock.json").read_text())
    assert lock["packages"][""]["dependencies"] == package["dependencies"], "run `make lock`"
    for name, version in package["dependencies"].items():
        entry = lock["packages"][f"node_modules/{name}"]
        assert entry["version"] == version and entry["integrity"].startswith("sha512-")
