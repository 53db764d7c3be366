"""Literal text reaches Terraform verbatim (issue 12, part 2): real Terraform plans a synthesized stack and the values
it planned equal the values given, `${` and `%{` included, instead of evaluating them as templates."""

from __future__ import annotations

import json

import pytest

from hyperpod.helm_chart import fetch_program
from hyperpod.config import HelmChartSource, parse_config
from tests.conftest import minimal_config
from tests.terraform import harness
from tests.terraform.stand_in.placeholders import EKS_AUTHENTICATION_MODE_ENV

# Text Terraform would evaluate if it were written into the JSON as it stands.
TEMPLATES = '${file("/etc/hostname")} %{if true}x%{endif} $${already} %%{also} $HOME ${#list[@]} 100%'
LOCAL_CHART = f"./charts/{TEMPLATES}"
SCRIPTS = {"on_create.sh": f"#!/bin/bash\necho \"{TEMPLATES}\"\n", "lib/templates.txt": TEMPLATES}


def planned(workspace: harness.Workspace, tmp_path) -> dict:
    """`terraform show -json` of a saved plan: address -> planned values (data sources read at plan included)."""
    plan_file = tmp_path / "plan.bin"
    result = workspace.plan(f"-out={plan_file}", env={EKS_AUTHENTICATION_MODE_ENV: "API"})
    assert result.ok, str(result)
    shown = workspace.run("show", "-json", str(plan_file))
    assert shown.ok, str(shown)
    document = json.loads(shown.output)
    values = {}
    for section in (document.get("prior_state", {}).get("values", {}), document["planned_values"]):
        for resource in section.get("root_module", {}).get("resources", []):
            values[resource["address"]] = resource.get("values", {})
    return values


def one(values: dict, prefix: str) -> dict:
    (found,) = [value for address, value in values.items() if address.startswith(prefix)]
    return found


@pytest.fixture(scope="module")
def literal_stack_values(terraform_cli_config, tmp_path_factory):
    """Planned values of a stack whose local chart path and lifecycle scripts are full of template syntax."""
    from cdktf import App

    from hyperpod.stack import HyperPodStack

    config, _ = parse_config(minimal_config(hyperpod_helm_chart={"local_path": LOCAL_CHART}))
    outdir = tmp_path_factory.mktemp("literal-synth")
    app = App(outdir=str(outdir))
    HyperPodStack(app, "hyperpod", config=config, lifecycle_scripts=SCRIPTS)
    app.synth()
    workspace = harness.Workspace.from_stack(outdir / "stacks" / "hyperpod" / "cdk.tf.json",
                                             tmp_path_factory.mktemp("literal-tf"), terraform_cli_config)
    result = workspace.init()
    assert result.ok, str(result)
    return planned(workspace, tmp_path_factory.mktemp("literal-plan"))


def test_local_chart_path_plans_as_given(literal_stack_values):
    assert one(literal_stack_values, "helm_release.")["chart"] == LOCAL_CHART


def test_lifecycle_scripts_plan_as_given(literal_stack_values):
    contents = {value["key"].split("/", 2)[2]: value["content"]
                for address, value in literal_stack_values.items() if address.startswith("aws_s3_object.")}
    assert contents == SCRIPTS


def test_chart_fetch_program_plans_as_the_shell_must_receive_it(example_workspace, tmp_path):
    """The fetch script has its own `${#revision}`: Terraform must hand it to sh unevaluated."""
    workspace = example_workspace("terraform.tfvars.json").clone(tmp_path / "workspace")
    values = planned(workspace, tmp_path)
    assert one(values, "data.external.")["program"] == fetch_program(HelmChartSource())
