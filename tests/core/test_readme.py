"""The README is the user's manual: its tables must match the code, and its set-up commands must be CI's."""

from __future__ import annotations

import re

from hyperpod.config.reference import BEGIN, END, documented_keys, markdown
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_configuration_reference_is_generated_from_the_model():
    block = README[README.index(BEGIN):README.index(END) + len(END)]
    assert block == markdown(), "README's configuration reference is stale: run `python -m " \
                                "hyperpod.config.reference README.md`"


def test_every_key_is_documented():
    documented = set(re.findall(r"^\| `([^`]+)` \|", README, flags=re.M))
    keys = documented_keys()
    assert "hyperpod_instance_groups[].instance_type" in keys and "hyperpod_helm_chart.git_revision" in keys
    assert keys <= documented, keys - documented


def test_outputs_table_matches_the_stack(synth_json):
    from tests.conftest import EXAMPLES

    outputs = set(synth_json(EXAMPLES / "terraform.tfvars.json")["output"])
    table = README[README.index("Outputs:"):README.index("## Production")]
    assert set(re.findall(r"^\| `([^`]+)` \|", table, flags=re.M)) == outputs


def test_setup_commands_are_what_ci_runs():
    assert "make synth" in README and "make test" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, flags=re.M), ".ci/run must run the README's test command"
