"""Each example's synthesized JSON equals its reviewed golden file (regenerate with `make golden`)."""

from __future__ import annotations

import difflib

import pytest

from tests.core.golden import ENVIRONMENTS_GOLDEN, EXAMPLES, golden_path, synthesize_environments


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_matches_golden(example, synth):
    expected = golden_path(example)
    assert expected.exists(), f"{expected} is missing: run `make golden` and review the new file"
    actual = synth(example).read_text()
    if actual != expected.read_text():
        diff = "".join(difflib.unified_diff(expected.read_text().splitlines(True), actual.splitlines(True),
                                            str(expected), "synthesized", n=2))
        pytest.fail(f"{example.name} no longer synthesizes to its golden file; if intended, run `make golden` "
                    f"and review:\n{diff[:6000]}")


def test_every_example_has_a_golden_file():
    assert {golden_path(e).name for e in EXAMPLES} == {p.name for p in golden_path(EXAMPLES[0]).parent.glob("*.json")}


def test_environments_match_golden(tmp_path):
    """examples/environments synthesized together: one stack per config, each equal to its golden file."""
    synthesized = synthesize_environments(tmp_path / "out")
    assert sorted(synthesized) == sorted(p.name.removesuffix(".cdk.tf.json") for p in ENVIRONMENTS_GOLDEN.iterdir())
    for name, actual in synthesized.items():
        expected = (ENVIRONMENTS_GOLDEN / f"{name}.cdk.tf.json").read_text()
        if actual != expected:
            diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), name,
                                                "synthesized", n=2))
            pytest.fail(f"stack {name} no longer synthesizes to its golden file; if intended, run "
                        f"`python -m tests.core.golden --update` and review:\n{diff[:6000]}")
