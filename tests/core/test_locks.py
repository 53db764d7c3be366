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


def test_build_dependencies_carry_their_hash_and_the_set_up_requires_it():
    """uv.lock leaves out the isolated build of the editable install: its requirements name a wheel and its sha256,
    and scripts/bootstrap.sh makes uv refuse any build dependency without one."""
    import tomllib

    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    assert requires and all(re.fullmatch(r"[A-Za-z0-9_.-]+ @ https://\S+\.whl#sha256=[0-9a-f]{64}", r)
                            for r in requires), requires
    assert "--require-build-hashes" in (ROOT / "scripts" / "bootstrap.sh").read_text()
