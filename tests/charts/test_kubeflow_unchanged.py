"""The kubeflow PyTorchJob output stays byte for byte what main rendered before the HyperPod operator work
(golden files in tests/charts/data/golden, see golden.py)."""
from __future__ import annotations

import pytest

from .golden import GOLDEN_DIR, cases, render


@pytest.mark.parametrize("name", sorted(cases()))
def test_kubeflow_render_is_byte_for_byte_the_golden_one(helm, name):
    result = render(helm, name)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (GOLDEN_DIR / f"{name}.yaml").read_text()


def test_golden_files_cover_every_case_and_nothing_else():
    assert {p.stem for p in GOLDEN_DIR.glob("*.yaml")} == set(cases())
