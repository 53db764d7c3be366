"""Fixtures for running real Terraform against the stand-in providers: one mirror per session, one `terraform init`
per example config, shared by every test (mutations work on cheap copies of an initialised workspace)."""

from __future__ import annotations

import pytest

from tests.conftest import EXAMPLES
from tests.terraform import harness

EXAMPLE_CONFIGS = ["terraform.tfvars.json", "production.tfvars.json", "capacity.tfvars.json", "addons.tfvars.json",
                   "advanced.tfvars.json", "restricted.tfvars.json", "inference.tfvars.json"]
TIMINGS: dict[str, dict[str, float]] = {}


@pytest.fixture(scope="session")
def terraform_cli_config(tmp_path_factory):
    try:
        harness.terraform_binary()
    except harness.TerraformMissing as missing:
        pytest.fail(str(missing), pytrace=False)
    return harness.build_mirror(tmp_path_factory.mktemp("terraform-mirror"))


@pytest.fixture(scope="session")
def example_workspace(synth, terraform_cli_config, tmp_path_factory):
    """callable(example file name) -> an initialised scratch Workspace of its synthesized stack (cached)."""
    cache: dict[str, harness.Workspace] = {}

    def get(example: str) -> harness.Workspace:
        if example not in cache:
            directory = tmp_path_factory.mktemp("tf-" + example.split(".")[0])
            workspace = harness.Workspace.from_stack(synth(EXAMPLES / example), directory, terraform_cli_config)
            result = workspace.init()
            assert result.ok, f"terraform init failed for {example}:\n{result.output}"
            workspace.timings = TIMINGS.setdefault(example, {})
            workspace.timings["init"] = result.seconds
            cache[example] = workspace
        return cache[example]

    return get


@pytest.fixture(scope="session")
def valid_quick_start(example_workspace):
    """The quick-start workspace, once `terraform validate` has accepted it (mutations need a valid baseline)."""
    workspace = example_workspace("terraform.tfvars.json")
    result = workspace.validate()
    assert result.ok, f"the unmutated quick-start stack must validate first: {result}"
    return workspace


@pytest.fixture
def mutable_workspace(valid_quick_start, tmp_path):
    """A private copy of the initialised, valid quick-start workspace, safe to break."""
    return valid_quick_start.clone(tmp_path / "workspace")


def pytest_terminal_summary(terminalreporter):
    if TIMINGS:
        terminalreporter.section("terraform wall times (s)")
        for example, timings in sorted(TIMINGS.items()):
            terminalreporter.write_line(f"{example}: " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(timings.items())))
