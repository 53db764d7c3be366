"""Mutations of the synthesized JSON prove the harness bites: each breaks the stack the way a construct bug would,
and Terraform (core, or the stand-in's provider-side checks) refuses it with its own message."""

from __future__ import annotations

import re

import pytest


def only(stack: dict, resource_type: str) -> tuple[str, dict]:
    (name, body), = stack["resource"][resource_type].items()
    return name, body


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def broken(mutable_workspace):
    """callable(mutate) -> `terraform validate` result for a copy of the quick-start stack changed by mutate(stack)."""
    def run(mutate):
        workspace = mutable_workspace
        stack = workspace.read_stack()
        mutate(stack)
        workspace.write_stack(stack)
        result = workspace.validate()
        assert not result.ok, "terraform validate accepted the broken stack"
        return words(result.output)
    return run


def test_unknown_argument(broken):
    output = broken(lambda stack: only(stack, "aws_iam_role")[1].update(no_such_argument="x"))
    assert 'No argument or block type is named "no_such_argument".' in output


def test_missing_required_argument(broken):
    output = broken(lambda stack: only(stack, "aws_s3_bucket_versioning")[1].pop("bucket"))
    assert 'The argument "bucket" is required, but no definition was found.' in output


def test_missing_required_block(broken):
    output = broken(lambda stack: only(stack, "aws_s3_bucket_versioning")[1].pop("versioning_configuration"))
    assert 'At least 1 "versioning_configuration" blocks are required.' in output


def test_wrong_type(broken):
    output = broken(lambda stack: only(stack, "aws_s3_bucket_public_access_block")[1].update(block_public_acls="maybe"))
    assert 'Inappropriate value for attribute "block_public_acls": a bool is required.' in output


def test_wrong_type_inside_a_nested_attribute(broken):
    def mutate(stack):
        only(stack, "awscc_sagemaker_cluster")[1]["instance_groups"][0]["instance_count"] = "two"
    assert 'Inappropriate value for attribute "instance_groups": a number is required.' in broken(mutate)


def test_reference_to_a_nonexistent_attribute(broken):
    def mutate(stack):
        output = stack["output"]["hyperpod_execution_role_arn"]
        output["value"] = output["value"].replace(".arn}", ".no_such_attribute}")
    output = broken(mutate)
    assert "Unsupported attribute" in output
    assert 'This object has no argument, nested block, or exported attribute named "no_such_attribute".' in output


@pytest.mark.parametrize("resource_type, attribute", [
    ("aws_iam_role", "arn"),                         # SDKv2 provider
    ("awscc_sagemaker_cluster", "cluster_status"),  # plugin-framework provider
])
def test_read_only_attribute_set(broken, resource_type, attribute):
    output = broken(lambda stack: only(stack, resource_type)[1].update({attribute: "set-by-hand"}))
    assert "Error: Read-only attribute set" in output  # core leaves this to providers: the stand-in's check
    assert f'"{attribute}" is computed by the provider and cannot be set in configuration' in output


def test_misspelt_resource_type(broken):
    def mutate(stack):
        stack["resource"]["aws_s3_bucket_versionning"] = stack["resource"].pop("aws_s3_bucket_versioning")
    output = broken(mutate)
    assert 'The provider hashicorp/aws does not support resource type "aws_s3_bucket_versionning".' in output


def test_list_block_used_without_index(broken):
    def mutate(stack):
        name, _ = only(stack, "aws_s3_bucket_versioning")
        stack["output"]["versioning_status"] = {
            "value": f"${{aws_s3_bucket_versioning.{name}.versioning_configuration.status}}"}
    output = broken(mutate)
    assert 'Block type "versioning_configuration" is represented by a list of objects, so it must be indexed' in output


def test_missing_required_attribute_inside_a_nested_attribute(broken):
    output = broken(lambda stack: only(stack, "helm_release")[1].update(set=[{"value": "true"}]))
    assert 'Inappropriate value for attribute "set": element 0: attribute "name" is required.' in output


def test_inline_security_group_rule_needs_every_field(broken):
    """Why the stack uses separate rule resources: in JSON, a partial inline rule is a type error."""
    def mutate(stack):
        only(stack, "aws_security_group")[1]["ingress"] = [
            {"from_port": 0, "to_port": 0, "protocol": "-1", "self": True}]
    output = broken(mutate)
    assert 'Inappropriate value for attribute "ingress": element 0: attributes "cidr_blocks", "description",' in output
