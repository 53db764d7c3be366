"""Every example config synthesizes to Terraform JSON that real Terraform initialises, validates and plans."""

from __future__ import annotations

import re

import pytest

from tests.terraform.conftest import EXAMPLE_CONFIGS
from tests.terraform.stand_in.placeholders import EKS_AUTHENTICATION_MODE_ENV


@pytest.mark.parametrize("example", EXAMPLE_CONFIGS)
def test_example_validates(example_workspace, example):
    result = example_workspace(example).validate()
    assert result.ok, str(result)
    assert "Success! The configuration is valid." in result.output


@pytest.mark.parametrize("example", EXAMPLE_CONFIGS)
def test_example_plans_every_resource(example_workspace, example):
    workspace = example_workspace(example)
    result = workspace.plan(env={EKS_AUTHENTICATION_MODE_ENV: "API_AND_CONFIG_MAP"})
    assert result.ok, str(result)
    declared = sum(len(instances) for instances in workspace.read_stack()["resource"].values())
    planned = re.search(r"Plan: (\d+) to add, 0 to change, 0 to destroy\.", result.output)
    assert planned is not None, result.output
    assert int(planned.group(1)) == declared


def test_stack_uses_separate_security_group_rule_resources(example_workspace):
    """In JSON syntax an inline ingress/egress rule is an attribute whose every field must be present (see
    test_mutations.test_inline_security_group_rule_needs_every_field); the stack avoids the trap entirely."""
    resources = example_workspace("terraform.tfvars.json").read_stack()["resource"]
    for group in resources["aws_security_group"].values():
        assert "ingress" not in group and "egress" not in group
    assert resources["aws_vpc_security_group_ingress_rule"] and resources["aws_vpc_security_group_egress_rule"]
