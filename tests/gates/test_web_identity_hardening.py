"""IAM hardening of the inference operator's service account roles (IRSA): the example passes, and each broken trust
or grant fails with its message."""
from __future__ import annotations

import copy

import pytest

from gates.iam_hardening import check_iam, web_identity_roles
from tests.conftest import example_config
from tests.gates.execution_role_reference import ALLOWED_MANAGED_POLICIES, EXECUTION_ROLE_REFERENCE


@pytest.fixture(scope="module")
def inference(synth_json) -> dict:
    return synth_json(example_config("inference.tfvars.json"))


@pytest.fixture
def document(inference) -> dict:
    return copy.deepcopy(inference)


def violations(document: dict) -> list[str]:
    return [str(v) for v in check_iam(document, EXECUTION_ROLE_REFERENCE, ALLOWED_MANAGED_POLICIES)]


def trust(document: dict, role: str) -> dict:
    name = next(n for n in document["data"]["aws_iam_policy_document"] if f"inference-operator_{role}_trust" in n)
    return document["data"]["aws_iam_policy_document"][name]["statement"]


def assert_reported(document: dict, *fragments: str) -> None:
    found = violations(document)
    for fragment in fragments:
        assert any(fragment in v for v in found), f"{fragment!r} not in {found}"


def test_every_service_account_role_is_checked_and_passes(inference):
    roles = web_identity_roles(inference)
    assert {r.split("_")[3] for r in roles} == {"operator-role", "gated-model-role", "load-balancer-role",
                                                "keda-role", "s3-csi-role"}
    assert violations(inference) == []


def test_a_missing_subject_lets_every_service_account_in(document):
    statement = trust(document, "keda-role")[0]
    statement["condition"] = [c for c in statement["condition"] if not c["variable"].endswith(":sub")]
    assert_reported(document, "no <issuer>:sub condition: every service account of the cluster could assume the role")


def test_a_wildcard_namespace_is_refused(document):
    statement = trust(document, "gated-model-role")[0]
    sub = next(c for c in statement["condition"] if c["variable"].endswith(":sub"))
    sub["values"] = ["system:serviceaccount:*:hyperpod-inference-service-account*"]
    assert_reported(document, "a wildcard namespace lets every namespace's service accounts assume the role")


def test_a_wildcard_name_under_string_equals_is_refused(document):
    statement = trust(document, "keda-role")[0]
    next(c for c in statement["condition"] if c["variable"].endswith(":sub"))["values"] = [
        "system:serviceaccount:hyperpod-inference-system:*"]
    assert_reported(document, "has a wildcard under StringEquals")


def test_a_missing_audience_is_refused(document):
    statement = trust(document, "operator-role")[0]
    statement["condition"] = [c for c in statement["condition"] if not c["variable"].endswith(":aud")]
    assert_reported(document, "no StringEquals <issuer>:aud = sts.amazonaws.com")


def test_another_federated_principal_or_action_is_refused(document):
    statement = trust(document, "load-balancer-role")[0]
    statement["principals"][0]["identifiers"] = ["cognito-identity.amazonaws.com"]
    statement["actions"] = ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]
    assert_reported(document, "may assume the role; only the cluster's IAM OIDC provider may",
                    "trust allows 'sts:TagSession'")


def test_sagemaker_without_source_account_is_refused(document):
    statement = trust(document, "operator-role")[1]
    assert statement["principals"][0]["identifiers"] == ["sagemaker.amazonaws.com"]
    statement["condition"] = []
    assert_reported(document, "no StringEquals aws:SourceAccount: any account's SageMaker could assume the role")


def test_an_undocumented_managed_policy_is_refused(document):
    attachment = next(b for n, b in document["resource"]["aws_iam_role_policy_attachment"].items()
                      if "inference-operator_operator-role" in n)
    attachment["policy_arn"] = "arn:${data.aws_partition.p.partition}:iam::aws:policy/AmazonS3FullAccess"
    assert_reported(document, "managed policy 'arn:${data.aws_partition.p.partition}:iam::aws:policy/AmazonS3FullAccess'"
                              " is not one AWS documents for a service account role")


def test_a_write_on_every_resource_is_refused(document):
    name = next(n for n in document["data"]["aws_iam_policy_document"]
                if "load-balancer-role_permissions" in n)
    statement = next(s for s in document["data"]["aws_iam_policy_document"][name]["statement"]
                     if s["sid"] == "RegisterTargets")
    statement["resources"] = ["*"]
    assert_reported(document, "write action 'elasticloadbalancing:RegisterTargets' is allowed on '*'")


def test_the_tls_certificate_bucket_is_found_and_hardened(inference):
    from gates.s3_hardening import certificate_buckets, check_s3
    (bucket,) = certificate_buckets(inference)
    assert "tls-bucket" in bucket
    assert check_s3(inference) == []


def test_a_tls_certificate_bucket_without_public_access_block_fails(document):
    from gates.s3_hardening import check_s3
    blocks = document["resource"]["aws_s3_bucket_public_access_block"]
    (name,) = [n for n in blocks if "tls-bucket" in n]
    del blocks[name]
    (bucket,) = [n for n in document["resource"]["aws_s3_bucket"] if "tls-bucket" in n]
    assert [str(v) for v in check_s3(document)] == [f"aws_s3_bucket.{bucket}: no aws_s3_bucket_public_access_block"]
