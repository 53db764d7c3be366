"""The README is the front door: its set-up commands must be CI's. (Its links and the guides it leads to:
tests/core/test_docs.py.)"""

from __future__ import annotations

import re

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_setup_commands_are_what_ci_runs():
    assert "make synth" in README and "make test" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, flags=re.M), ".ci/run must run the README's test command"
