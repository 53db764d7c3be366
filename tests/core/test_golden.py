"""Each example's synthesized JSON equals its reviewed golden file (regenerate with `make golden`)."""

from __future__ import annotations

import difflib

import pytest

from tests.core.golden import EXAMPLES, golden_path


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
