"""Each runtime is installed from uv.lock with hashes, in its own environment: .venv (the `cdktf` extra) and
.venv-terrain (the `terrain` extra and the `terrain-oracle` group), which pyproject.toml declares conflicting so that
uv resolves each on its own (`make lock` refreshes both; `uv lock --check` in `make test` catches drift)."""

from __future__ import annotations

import json
import re
import tomllib
from importlib import metadata

import pytest

from tests.conftest import ROOT
from tests.terrain.conftest import run_terrain

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCK = tomllib.loads((ROOT / "uv.lock").read_text())
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+)$")


def pins(requirements: list[str]) -> dict[str, str]:
    found = {}
    for requirement in requirements:
        match = PIN.match(requirement.split(";")[0].strip())
        assert match, f"not an exact pin: {requirement!r} (every runtime dependency is pinned exactly)"
        found[match.group(1).lower()] = match.group(2)
    return found


def locked(name: str) -> list[dict]:
    return [package for package in LOCK["package"] if package["name"] == name]


TERRAIN = pins(PYPROJECT["project"]["optional-dependencies"]["terrain"]
               + PYPROJECT["dependency-groups"]["terrain-oracle"])
CDKTF = pins(PYPROJECT["project"]["optional-dependencies"]["cdktf"])


def test_the_two_runtimes_are_declared_conflicting_and_the_lock_knows_it():
    assert [{"extra": "cdktf"}, {"extra": "terrain"}] in PYPROJECT["tool"]["uv"]["conflicts"]
    assert [{"extra": "cdktf"}, {"group": "terrain-oracle"}] in PYPROJECT["tool"]["uv"]["conflicts"]
    assert {"package": "hyperpod-cdktf", "extra": "terrain"} in [entry for group in LOCK["conflicts"]
                                                                 for entry in group]


@pytest.mark.parametrize("name", sorted(TERRAIN.keys() | CDKTF.keys()))
def test_every_runtime_pin_is_locked_with_hashes(name):
    versions = {package["version"]: package for package in locked(name)}
    wanted = {pin for pin in (TERRAIN.get(name), CDKTF.get(name)) if pin}
    assert wanted <= versions.keys(), f"uv.lock has {sorted(versions)} of {name}: run `make lock`"
    for version in wanted:
        wheels = versions[version].get("wheels", [])
        assert wheels and all(re.fullmatch(r"sha256:[0-9a-f]{64}", wheel["hash"]) for wheel in wheels)


def test_each_environment_holds_its_runtime_only_at_the_locked_versions():
    code = ("import json; from importlib import metadata as m; names = " + json.dumps(sorted(TERRAIN | CDKTF))
            + "; found = {}\nfor n in names:\n  try: found[n] = m.version(n)\n  except m.PackageNotFoundError: pass\n"
            "print(json.dumps(found))")
    result = run_terrain("-c", code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == TERRAIN  # the terrain extra and the oracle, and no CDKTF package
    here = {}
    for name in TERRAIN | CDKTF:
        try:
            here[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    assert here == CDKTF  # .venv, this process: CDKTF only
