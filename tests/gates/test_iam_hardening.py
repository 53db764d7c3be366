"""IAM hardening rules: for each, the hand-written stack passes and one broken input fails with its message."""
from __future__ import annotations

import json

import pytest

from gates.iam_hardening import check_iam, compile_pattern
from tests.gates.execution_role_reference import ALLOWED_MANAGED_POLICIES, EXECUTION_ROLE_REFERENCE


def iam_violations(document: dict) -> list[str]:
    return [str(v) for v in check_iam(document, EXECUTION_ROLE_REFERENCE, ALLOWED_MANAGED_POLICIES)]


def statements(document: dict, name: str = "execution_role_policy") -> list[dict]:
    return document["data"]["aws_iam_policy_document"][name]["statement"]


def by_sid(document: dict, sid: str) -> dict:
    return next(s for s in statements(document) if s.get("sid") == sid)


def assert_reported(document: dict, *fragments: str) -> None:
    found = iam_violations(document)
    for fragment in fragments:
        assert any(fragment in v for v in found), f"{fragment!r} not in {found}"


def test_the_handwritten_stack_passes_every_iam_rule(handwritten):
    assert iam_violations(handwritten) == []


# --- "*" actions anywhere -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("action", ["*", "s3:*", "ec2:*"])
def test_a_wildcard_action_fails(handwritten, action):
    by_sid(handwritten, "PodIdentity")["actions"].append(action)
    assert_reported(handwritten, "data.aws_iam_policy_document.execution_role_policy.statement[4].actions: "
                                 f"allows {action!r}: grant the named actions instead")


def test_a_wildcard_action_fails_in_any_document_not_only_the_role(handwritten):
    handwritten["data"]["aws_iam_policy_document"]["unused"] = {
        "statement": [{"actions": ["*"], "resources": ["arn:aws:s3:::sagemaker-x"]}]}
    assert_reported(handwritten, "data.aws_iam_policy_document.unused.statement[0].actions: allows '*'")


def test_a_wildcard_action_fails_in_a_literal_json_inline_policy(handwritten):
    handwritten["resource"]["aws_iam_role_policy"]["execution_inline"]["policy"] = json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    assert_reported(handwritten, "aws_iam_role_policy.execution_inline.policy.statement[0].actions: allows '*'")


def test_a_wildcard_action_fails_in_a_literal_json_policy_of_any_resource(handwritten):
    handwritten["resource"]["aws_iam_policy"] = {"extra": {"policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"}]})}}
    assert_reported(handwritten, "aws_iam_policy.extra.policy.statement[0].actions: allows 's3:*'")


def test_deny_on_every_s3_action_is_not_a_grant(handwritten):
    # The TLS-only bucket policy denies s3:* on purpose; only Allow statements grant.
    assert statements(handwritten, "lifecycle_bucket_policy")[0]["actions"] == ["s3:*"]
    assert iam_violations(handwritten) == []


def test_not_actions_in_an_allow_fails(handwritten):
    by_sid(handwritten, "PodIdentity")["not_actions"] = ["iam:*"]
    assert_reported(handwritten, "statement[4].not_actions: an Allow with not_actions grants everything not listed")


# --- write actions on "*" -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("action", ["ec2:DeleteNetworkInterface", "ec2:CreateTags", "eks-auth:AssumeRoleForPodIdentity"])
def test_a_write_action_on_every_resource_fails(handwritten, action):
    by_sid(handwritten, "UnscopableReads")["actions"].append(action)
    assert_reported(handwritten, "execution_role_policy.statement[1].resources: write action "
                                 f"{action!r} is allowed on '*': scope it to resource ARNs")


def test_read_actions_on_every_resource_pass_the_write_rule(handwritten):
    reads = by_sid(handwritten, "UnscopableReads")["actions"]
    assert all(a.split(":")[1].startswith(("Describe", "Get")) for a in reads)
    assert not any("write action" in v for v in iam_violations(handwritten))


# --- broader than the HYPERPOD.md reference -------------------------------------------------------------------------
def test_an_action_outside_the_reference_fails(handwritten):
    by_sid(handwritten, "LifecycleScripts")["actions"].append("s3:PutObject")
    assert_reported(handwritten, "statement[5].actions: 's3:PutObject' is not in the execution-role reference")


def test_a_reference_action_on_a_broader_resource_fails(handwritten):
    by_sid(handwritten, "NetworkInterfaces")["resources"].append(
        "arn:${data.aws_partition.current.partition}:ec2:${data.aws_region.current.region}:"
        "${data.aws_caller_identity.current.account_id}:subnet/*")
    assert_reported(handwritten, "statement[0].resources: 'arn:${data.aws_partition.current.partition}:ec2:"
                                 "${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:"
                                 "subnet/*' is broader than the reference allows for ec2:AssignPrivateIpAddresses, "
                                 "ec2:AttachNetworkInterface, ec2:CreateNetworkInterface")


def test_lifecycle_reads_on_another_bucket_fail(handwritten):
    by_sid(handwritten, "LifecycleScripts")["resources"] = ["arn:aws:s3:::sagemaker-someone-else/*"]
    assert_reported(handwritten, "'arn:aws:s3:::sagemaker-someone-else/*' is broader than the reference allows for "
                                 "s3:GetObject, s3:ListBucket")


def test_pod_identity_on_every_cluster_fails(handwritten):
    by_sid(handwritten, "PodIdentity")["resources"] = ["arn:aws:eks:us-west-2:111122223333:cluster/*"]
    assert_reported(handwritten, "'arn:aws:eks:us-west-2:111122223333:cluster/*' is broader than the reference allows "
                                 "for eks-auth:AssumeRoleForPodIdentity")


def test_an_allow_without_resources_fails(handwritten):
    del by_sid(handwritten, "PodIdentity")["resources"]
    assert_reported(handwritten, "statement[4].resources: an Allow without resources")


def test_a_managed_policy_outside_the_reference_fails(handwritten):
    handwritten["resource"]["aws_iam_role_policy_attachment"]["admin"] = {
        "role": "${aws_iam_role.execution.name}", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"}
    assert_reported(handwritten, "aws_iam_role.execution: managed policy 'arn:aws:iam::aws:policy/AdministratorAccess' "
                                 "is not in the reference (allowed: AmazonSageMakerClusterInstanceRolePolicy)")


def test_a_customer_policy_named_like_the_managed_one_fails(handwritten):
    attachment = handwritten["resource"]["aws_iam_role_policy_attachment"]["execution_managed"]
    attachment["policy_arn"] = "arn:aws:iam::111122223333:policy/AmazonSageMakerClusterInstanceRolePolicy"
    assert_reported(handwritten, "managed policy 'arn:aws:iam::111122223333:policy/")


CONCAT_RESOURCES = ('${concat(["arn:${data.aws_partition.p.partition}:ec2:${var.r}:${var.a}:instance/*"], '
                    'formatlist("arn:%s:ec2:%s:%s:subnet/%s", data.aws_partition.p.partition, var.r, var.a, '
                    'tolist(data.aws_eks_cluster.e.vpc_config[0].subnet_ids)))}')


def test_a_token_list_rendered_as_concat_is_checked_element_by_element(handwritten):
    by_sid(handwritten, "NetworkInterfaces")["resources"] = CONCAT_RESOURCES
    assert iam_violations(handwritten) == []


def test_a_wildcard_hidden_in_a_formatlist_is_found(handwritten):
    by_sid(handwritten, "NetworkInterfaces")["resources"] = CONCAT_RESOURCES.replace(
        "tolist(data.aws_eks_cluster.e.vpc_config[0].subnet_ids)", '["*"]')
    assert_reported(handwritten, "statement[0].resources: 'arn:*:ec2:*:*:subnet/*' is broader than the reference")


def test_reference_placeholders_do_not_match_wildcards():
    segment = compile_pattern("arn:{seg}:ec2:{seg}:{seg}:subnet/{seg}")
    assert segment.match("arn:aws:ec2:us-west-2:111122223333:subnet/subnet-0abc")
    assert segment.match("arn:${data.aws_partition.p.partition}:ec2:${var.r}:${var.a}:subnet/${var.s}")
    assert not segment.match("arn:aws:ec2:us-west-2:111122223333:subnet/*")
    assert not segment.match("arn:aws:ec2:*:111122223333:subnet/subnet-0abc")
    assert not segment.match("arn:aws:ec2:us-west-2:111122223333:subnet/subnet-0abc/extra*")
    assert compile_pattern("arn:{seg}:ec2:{any}:{any}:network-interface/*").match("arn:aws:ec2:*:*:network-interface/*")


# --- trust: only sagemaker.amazonaws.com ----------------------------------------------------------------------------
TRUST = "data.aws_iam_policy_document.execution_role_trust.statement[0]"


@pytest.mark.parametrize("principal", [
    {"type": "Service", "identifiers": ["sagemaker.amazonaws.com", "ec2.amazonaws.com"]},
    {"type": "AWS", "identifiers": ["*"]},
    {"type": "AWS", "identifiers": ["arn:aws:iam::111122223333:root"]},
    {"type": "Federated", "identifiers": ["cognito-identity.amazonaws.com"]},
])
def test_a_role_assumable_by_anything_but_sagemaker_fails(handwritten, principal):
    statements(handwritten, "execution_role_trust")[0]["principals"] = [principal]
    assert_reported(handwritten, f"{TRUST}.principals: {principal['type']} {principal['identifiers']} may assume the "
                                 "role; only Service sagemaker.amazonaws.com may")


def test_a_trust_policy_with_extra_actions_fails(handwritten):
    statements(handwritten, "execution_role_trust")[0]["actions"].append("sts:AssumeRoleWithWebIdentity")
    assert_reported(handwritten, f"{TRUST}.actions: trust allows 'sts:AssumeRoleWithWebIdentity'")


def test_a_literal_json_trust_policy_is_checked_too(handwritten):
    handwritten["resource"]["aws_iam_role"]["execution"]["assume_role_policy"] = json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]})
    assert_reported(handwritten, "aws_iam_role.execution.assume_role_policy.statement[0].principals: * ['*'] may assume")


def test_an_unreadable_trust_policy_fails_instead_of_passing(handwritten):
    handwritten["resource"]["aws_iam_role"]["execution"]["assume_role_policy"] = "${var.trust}"
    assert_reported(handwritten, "aws_iam_role.execution.assume_role_policy: got '${var.trust}'")


def test_a_cluster_whose_role_is_not_in_the_stack_fails(handwritten):
    handwritten["resource"]["awscc_sagemaker_cluster"]["hyperpod"]["instance_groups"][0]["execution_role"] = \
        "arn:aws:iam::111122223333:role/elsewhere"
    assert_reported(handwritten, "no instance group runs as an aws_iam_role of this stack")
