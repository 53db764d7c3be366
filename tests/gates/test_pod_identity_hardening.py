"""IAM hardening of the add-ons' pod identity roles: the all-on example passes, and each broken trust or grant fails
with its message."""
from __future__ import annotations

import copy

import pytest

from gates.iam_hardening import check_iam, pod_identity_roles
from tests.conftest import example_config
from tests.gates.execution_role_reference import ALLOWED_MANAGED_POLICIES, EXECUTION_ROLE_REFERENCE


@pytest.fixture(scope="module")
def all_on(synth_json) -> dict:
    return synth_json(example_config("addons.tfvars.json"))


@pytest.fixture
def document(all_on) -> dict:
    return copy.deepcopy(all_on)


def violations(document: dict) -> list[str]:
    return [str(v) for v in check_iam(document, EXECUTION_ROLE_REFERENCE, ALLOWED_MANAGED_POLICIES)]


def trust_statement(document: dict, fragment: str) -> dict:
    name = next(n for n in document["data"]["aws_iam_policy_document"] if fragment in n and n.endswith(
        tuple("0123456789ABCDEF")) and "_trust_" in n)
    return document["data"]["aws_iam_policy_document"][name]["statement"][0]


def assert_reported(document: dict, *fragments: str) -> None:
    found = violations(document)
    for fragment in fragments:
        assert any(fragment in v for v in found), f"{fragment!r} not in {found}"


def test_every_addon_role_is_checked_and_passes(all_on):
    roles = pod_identity_roles(all_on)
    assert len(roles) == 3 and all("cluster-addons" in r for r in roles)
    assert violations(all_on) == []


def test_a_trust_without_the_source_arn_condition_fails(document):
    statement = trust_statement(document, "training-operator")
    statement["condition"] = [c for c in statement["condition"] if c["variable"] != "aws:SourceArn"]
    assert_reported(document, "no StringEquals aws:SourceArn: any account's or cluster's pod identity could assume")


def test_a_trust_without_the_source_account_condition_fails(document):
    statement = trust_statement(document, "observability")
    statement["condition"] = [c for c in statement["condition"] if c["variable"] != "aws:SourceAccount"]
    assert_reported(document, "no StringEquals aws:SourceAccount")


def test_a_trust_letting_in_another_principal_fails(document):
    trust_statement(document, "fsx-volume")["principals"].append({"type": "AWS", "identifiers": ["*"]})
    assert_reported(document, "AWS ['*'] may assume the pod identity role; only Service pods.eks.amazonaws.com may")


def test_a_trust_allowing_more_than_assume_and_tag_fails(document):
    trust_statement(document, "training-operator")["actions"].append("sts:AssumeRoleWithWebIdentity")
    assert_reported(document, "trust allows 'sts:AssumeRoleWithWebIdentity'; EKS Pod Identity needs only")


def test_a_broader_managed_policy_fails(document):
    attachment = next(a for a in document["resource"]["aws_iam_role_policy_attachment"].values()
                      if "training-operator" in a["role"])
    attachment["policy_arn"] = "arn:${data.aws_partition.eks_partition_A0F67A73.partition}:iam::aws:policy/AdministratorAccess"
    assert_reported(document, "managed policy", "AdministratorAccess' is not in the reference")


def test_a_wildcard_action_in_an_addon_grant_fails(document):
    name = next(n for n in document["data"]["aws_iam_policy_document"] if "observability_identity_permissions" in n)
    document["data"]["aws_iam_policy_document"][name]["statement"][0]["actions"] = ["aps:*"]
    assert_reported(document, "allows 'aps:*': grant the named actions instead")


def test_a_write_on_every_resource_fails(document):
    name = next(n for n in document["data"]["aws_iam_policy_document"] if "observability_identity_permissions" in n)
    document["data"]["aws_iam_policy_document"][name]["statement"][0]["resources"] = ["*"]
    assert_reported(document, "write action 'aps:RemoteWrite' is allowed on '*'")
