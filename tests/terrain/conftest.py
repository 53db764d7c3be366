"""Fixtures for the CDK Terrain tests: the terrain environment's Python (.venv-terrain, from uv.lock's `terrain` extra),
and a Terraform mirror that also offers the provider versions CDK Terrain's bindings pin, with their schemas."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.terraform import harness, jsii_sources, schema_generator

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


def add_provider_version(cli_config: Path, provider: str, schema: Path) -> str:
    """Serve `schema` (a schema document from tests/terraform/schema_generator.py) as the stand-in of `provider` at
    the version it was generated from, beside the CDKTF version, in the mirror harness.build_mirror made for
    `cli_config`. Returns that version."""
    version = json.loads(schema.read_text())["_source"]["provider_version"]
    mirror = cli_config.parent / "mirror" / harness.HOSTNAME / harness.NAMESPACE / provider
    (existing,) = mirror.glob(f"*/linux_amd64/terraform-provider-{provider}_v*")
    target = mirror / version / "linux_amd64"
    target.mkdir(parents=True, exist_ok=True)
    shim = target / f"terraform-provider-{provider}_v{version}"
    shim.write_text(existing.read_text().replace(str(harness.SCHEMAS / f"{provider}.json"), str(schema)))
    shim.chmod(0o755)
    return version


@pytest.fixture(scope="module")
def terrain_mirror(tmp_path_factory) -> Path:
    """The CLI config of a stand-in mirror that also offers the aws and helm versions CDK Terrain's bindings pin,
    each serving the schema rebuilt from that binding (aws 6.69.1 from cdktn-provider-aws, helm 3.3.0 from
    cdktn-provider-helm), for the resource types tests/terraform/schemas/types.json names."""
    try:
        harness.terraform_binary()
    except harness.TerraformMissing as missing:
        pytest.fail(str(missing), pytrace=False)
    root = tmp_path_factory.mktemp("terrain-mirror")
    cli_config = harness.build_mirror(root)
    types = json.loads((harness.SCHEMAS / "types.json").read_text())
    for provider, binding in jsii_sources.TERRAIN_BINDINGS.items():
        document = schema_generator.provider_schema(provider, types[provider].get("resources", []),
                                                    types[provider].get("data_sources", []), binding)
        schema = root / f"{provider}-terrain.json"
        schema.write_text(json.dumps(document))
        add_provider_version(cli_config, provider, schema)
    return cli_config
