"""The stack's EKS authentication-mode precondition, evaluated by Terraform at plan time."""

from __future__ import annotations

import re

from tests.terraform.stand_in.placeholders import EKS_AUTHENTICATION_MODE_ENV


def precondition_message(stack: dict) -> str:
    for resource in stack["resource"]["awscc_sagemaker_cluster"].values():
        for precondition in resource.get("lifecycle", {}).get("precondition", []):
            if "authentication_mode" in precondition["condition"]:
                return precondition["error_message"]
    raise AssertionError("the cluster has no precondition on the EKS authentication mode")


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()  # Terraform wraps diagnostics at 78 columns


def test_config_map_cluster_is_refused_with_the_stacks_message(example_workspace):
    workspace = example_workspace("terraform.tfvars.json")
    result = workspace.plan(env={EKS_AUTHENTICATION_MODE_ENV: "CONFIG_MAP"})
    assert not result.ok
    assert "Error: Resource precondition failed" in result.output, str(result)
    assert 'authentication_mode is "CONFIG_MAP"' in result.output
    assert words(precondition_message(workspace.read_stack())) in words(result.output)


def test_api_mode_passes(example_workspace):
    # API_AND_CONFIG_MAP is what every example plan runs with (test_examples.py).
    result = example_workspace("terraform.tfvars.json").plan(env={EKS_AUTHENTICATION_MODE_ENV: "API"})
    assert result.ok, str(result)
    assert "precondition" not in result.output
