"""Mutations of the synthesized JSON prove the harness bites: each breaks the stack the way a construct bug would,
and Terraform (core, or the stand-in's provider-side checks) refuses it with its own message.

All mutations are validated once, concurrently, in a session fixture; each test then asserts its own message.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor

import pytest


def only(stack: dict, resource_type: str) -> tuple[str, dict]:
    (name, body), = stack["resource"][resource_type].items()
    return name, body


def only_data(stack: dict, data_type: str) -> tuple[str, dict]:
    (name, body), = stack["data"][data_type].items()
    return name, body


def _rename_versioning(stack):
    stack["resource"]["aws_s3_bucket_versionning"] = stack["resource"].pop("aws_s3_bucket_versioning")


def _versioning_status_without_index(stack):
    name, _ = only(stack, "aws_s3_bucket_versioning")
    stack["output"]["versioning_status"] = {
        "value": f"${{aws_s3_bucket_versioning.{name}.versioning_configuration.status}}"}


def _reference_missing_attribute(stack):
    output = stack["output"]["hyperpod_execution_role_arn"]
    output["value"] = output["value"].replace(".arn}", ".no_such_attribute}")


MUTATIONS = {
    "unknown argument": lambda s: only(s, "aws_iam_role")[1].update(no_such_argument="x"),
    "missing required argument": lambda s: only(s, "aws_s3_bucket_versioning")[1].pop("bucket"),
    "missing required block": lambda s: only(s, "aws_s3_bucket_versioning")[1].pop("versioning_configuration"),
    "wrong type": lambda s: only(s, "aws_s3_bucket_public_access_block")[1].update(block_public_acls="maybe"),
    "wrong type in nested attribute": lambda s: only(s, "awscc_sagemaker_cluster")[1]["instance_groups"][0].update(
        instance_count="two"),
    "reference to nonexistent attribute": _reference_missing_attribute,
    "read-only set (SDKv2)": lambda s: only(s, "aws_iam_role")[1].update(arn="set-by-hand"),
    "read-only set (framework)": lambda s: only(s, "awscc_sagemaker_cluster")[1].update(cluster_status="set-by-hand"),
    "misspelt resource type": _rename_versioning,
    "list block without index": _versioning_status_without_index,
    "nested required missing": lambda s: only(s, "helm_release")[1].update(set=[{"value": "true"}]),
    "partial inline security group rule": lambda s: only(s, "aws_security_group")[1].update(
        ingress=[{"from_port": 0, "to_port": 0, "protocol": "-1", "self": True}]),
    "chart source without program": lambda s: only_data(s, "external")[1].pop("program"),
}


@pytest.fixture(scope="session")
def refusals(valid_quick_start, tmp_path_factory):
    """Mutation name -> `terraform validate` output (whitespace-normalised) for the quick-start stack so broken."""
    def validate(item):
        name, mutate = item
        workspace = valid_quick_start.clone(tmp_path_factory.mktemp("mutation"))
        stack = workspace.read_stack()
        mutate(stack)
        workspace.write_stack(stack)
        result = workspace.validate()
        return name, None if result.ok else re.sub(r"\s+", " ", result.output)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(pool.map(validate, MUTATIONS.items()))


def refused(refusals, name: str) -> str:
    output = refusals[name]
    assert output is not None, f"terraform validate accepted the stack with mutation {name!r}"
    return output


def test_unknown_argument(refusals):
    assert 'No argument or block type is named "no_such_argument".' in refused(refusals, "unknown argument")


def test_missing_required_argument(refusals):
    output = refused(refusals, "missing required argument")
    assert 'The argument "bucket" is required, but no definition was found.' in output


def test_missing_required_block(refusals):
    output = refused(refusals, "missing required block")
    assert 'At least 1 "versioning_configuration" blocks are required.' in output


def test_wrong_type(refusals):
    output = refused(refusals, "wrong type")
    assert 'Inappropriate value for attribute "block_public_acls": a bool is required.' in output


def test_wrong_type_inside_a_nested_attribute(refusals):
    output = refused(refusals, "wrong type in nested attribute")
    assert 'Inappropriate value for attribute "instance_groups": a number is required.' in output


def test_reference_to_a_nonexistent_attribute(refusals):
    output = refused(refusals, "reference to nonexistent attribute")
    assert 'This object has no argument, nested block, or exported attribute named "no_such_attribute".' in output


@pytest.mark.parametrize("mutation, attribute", [
    ("read-only set (SDKv2)", "arn"), ("read-only set (framework)", "cluster_status")])
def test_read_only_attribute_set(refusals, mutation, attribute):
    output = refused(refusals, mutation)
    assert "Error: Read-only attribute set" in output  # core leaves this to providers: the stand-in's check
    assert f'"{attribute}" is computed by the provider and cannot be set in configuration' in output


def test_misspelt_resource_type(refusals):
    output = refused(refusals, "misspelt resource type")
    assert 'The provider hashicorp/aws does not support resource type "aws_s3_bucket_versionning".' in output


def test_list_block_used_without_index(refusals):
    output = refused(refusals, "list block without index")
    assert 'Block type "versioning_configuration" is represented by a list of objects, so it must be indexed' in output


def test_missing_required_attribute_inside_a_nested_attribute(refusals):
    output = refused(refusals, "nested required missing")
    assert 'Inappropriate value for attribute "set": element 0: attribute "name" is required.' in output


def test_inline_security_group_rule_needs_every_field(refusals):
    """Why the stack uses separate rule resources: in JSON, a partial inline rule is a type error."""
    output = refused(refusals, "partial inline security group rule")
    assert 'Inappropriate value for attribute "ingress": element 0: attributes "cidr_blocks", "description",' in output


def test_chart_source_needs_a_program(refusals):
    """The hand-written hashicorp/external schema bites: `program` is required on data "external"."""
    output = refused(refusals, "chart source without program")
    assert 'The argument "program" is required, but no definition was found.' in output
    assert "in data.external." in output  # reported on the data source, not elsewhere
