"""Under CDK Terrain too, jsii's Node loads only the aws modules a synthesis uses, and the files are the same as when
it loads them all (tests/core/test_lazy_bindings.py has the hook's own tests)."""

from __future__ import annotations

from hyperpod.bindings import node
from tests.core.test_lazy_bindings import module_names, synthesize_with_probe, synthesized_files
from tests.terrain.conftest import TERRAIN_PYTHON


def test_a_terrain_synthesis_loads_only_the_aws_modules_it_uses(tmp_path):
    assert TERRAIN_PYTHON.is_file(), f"{TERRAIN_PYTHON} is missing: run `make install-test`"
    loaded, lazy_out = synthesize_with_probe(tmp_path, "lazy", str(TERRAIN_PYTHON), {})
    eager, eager_out = synthesize_with_probe(tmp_path, "eager", str(TERRAIN_PYTHON), {node.SWITCH_ENV: "0"})
    assert all("/@cdktn/provider-aws/" in key for key in loaded + eager)  # it ran on CDK Terrain
    lazy = module_names(loaded)
    assert {"s3-bucket", "iam-role", "provider"} <= set(lazy) and len(lazy) < 40, sorted(lazy)
    assert len(eager) > 2000
    assert synthesized_files(lazy_out) == synthesized_files(eager_out)
