"""Fixtures for the CDK Terrain tests: the terrain environment's Python (.venv-terrain, from uv.lock's `terrain` extra),
and a Terraform mirror that also offers the provider versions CDK Terrain's bindings pin."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.terraform import harness

TERRAIN_PYTHON = ROOT / ".venv-terrain" / "bin" / "python"


def run_terrain(*args: str, cwd: Path = ROOT, timeout: int = 600, env: dict[str, str] | None = None,
                drop: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """`.venv-terrain/bin/python ARGS`, with this checkout importable and jsii's banner quieted (`env` adds or
    replaces variables, `drop` removes them)."""
    if not TERRAIN_PYTHON.is_file():
        pytest.fail(f"{TERRAIN_PYTHON} is missing: run `make install-test` (scripts/bootstrap.sh --test installs the "
                    "CDK Terrain environment)", pytrace=False)
    base = {key: value for key, value in os.environ.items() if key not in ("HYPERPOD_CDK", "VIRTUAL_ENV")}
    base.update({"PYTHONPATH": str(ROOT), "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", **(env or {})})
    env = {key: value for key, value in base.items() if key not in drop}
    return subprocess.run([str(TERRAIN_PYTHON), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def add_provider_versions(cli_config: Path, versions: dict[str, str]) -> None:
    """Offer each provider's stand-in under `versions[provider]` too (the same schema: the stand-ins are generated
    from the CDKTF bindings' providers). The mirror is the folder harness.build_mirror named in `cli_config`."""
    mirror = cli_config.parent / "mirror" / harness.HOSTNAME / harness.NAMESPACE
    for provider, version in versions.items():
        if (mirror / provider / version).exists():
            continue
        (existing,) = [path for path in (mirror / provider).iterdir() if path.is_dir()]
        shutil.copytree(existing, mirror / provider / version)
        for shim in (mirror / provider / version).rglob("terraform-provider-*"):
            shim.rename(shim.with_name(f"terraform-provider-{provider}_v{version}"))


@pytest.fixture(scope="module")
def terrain_mirror(tmp_path_factory):
    """callable(stack JSON) -> the CLI config of a stand-in mirror offering the versions that stack pins."""
    try:
        harness.terraform_binary()
    except harness.TerraformMissing as missing:
        pytest.fail(str(missing), pytrace=False)
    cli_config = harness.build_mirror(tmp_path_factory.mktemp("terrain-mirror"))

    def for_stack(document: dict) -> Path:
        required = document["terraform"]["required_providers"]
        add_provider_versions(cli_config, {name: entry["version"] for name, entry in required.items()})
        return cli_config

    return for_stack
