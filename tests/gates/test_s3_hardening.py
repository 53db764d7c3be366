"""Lifecycle bucket hardening: encryption, versioning, public access block, TLS-only; one pass and one fail each."""
from __future__ import annotations

import pytest

from gates.s3_hardening import check_s3, lifecycle_buckets


def s3_violations(document: dict) -> list[str]:
    return [str(v) for v in check_s3(document)]


def resources(document: dict, kind: str) -> dict:
    return document["resource"][kind]


def test_the_handwritten_stack_passes_every_s3_rule(handwritten):
    assert lifecycle_buckets(handwritten) == {
        "lifecycle": "resource.awscc_sagemaker_cluster.hyperpod.instance_groups[0]"}
    assert s3_violations(handwritten) == []


@pytest.mark.parametrize("kind,message", [
    ("aws_s3_bucket_server_side_encryption_configuration",
     "aws_s3_bucket.lifecycle: no aws_s3_bucket_server_side_encryption_configuration"),
    ("aws_s3_bucket_versioning",
     "aws_s3_bucket.lifecycle: no aws_s3_bucket_versioning: overwritten scripts cannot be restored"),
    ("aws_s3_bucket_public_access_block", "aws_s3_bucket.lifecycle: no aws_s3_bucket_public_access_block"),
    ("aws_s3_bucket_policy", "aws_s3_bucket.lifecycle: no aws_s3_bucket_policy: nothing denies non-TLS access"),
])
def test_a_missing_control_fails(handwritten, kind, message):
    del handwritten["resource"][kind]
    assert s3_violations(handwritten) == [message]


def test_a_control_on_another_bucket_does_not_count(handwritten):
    resources(handwritten, "aws_s3_bucket_versioning")["lifecycle"]["bucket"] = "${aws_s3_bucket.other.id}"
    assert s3_violations(handwritten) == ["aws_s3_bucket.lifecycle: no aws_s3_bucket_versioning: overwritten scripts "
                                          "cannot be restored"]


def test_encryption_without_a_default_algorithm_fails(handwritten):
    rule = resources(handwritten, "aws_s3_bucket_server_side_encryption_configuration")["lifecycle"]["rule"][0]
    rule["apply_server_side_encryption_by_default"]["sse_algorithm"] = "none"
    assert s3_violations(handwritten) == [
        "aws_s3_bucket_server_side_encryption_configuration.lifecycle: no default encryption rule with sse_algorithm "
        "in AES256, aws:kms, aws:kms:dsse"]


def test_kms_encryption_passes(handwritten):
    rule = resources(handwritten, "aws_s3_bucket_server_side_encryption_configuration")["lifecycle"]["rule"][0]
    rule["apply_server_side_encryption_by_default"] = {"sse_algorithm": "aws:kms", "kms_master_key_id": "${var.k}"}
    assert s3_violations(handwritten) == []


def test_suspended_versioning_fails(handwritten):
    resources(handwritten, "aws_s3_bucket_versioning")["lifecycle"]["versioning_configuration"]["status"] = "Suspended"
    assert s3_violations(handwritten) == [
        "aws_s3_bucket_versioning.lifecycle.versioning_configuration.status: got 'Suspended', expected 'Enabled'"]


@pytest.mark.parametrize("flag", ["block_public_acls", "block_public_policy", "ignore_public_acls",
                                  "restrict_public_buckets"])
def test_each_public_access_flag_is_required(handwritten, flag):
    resources(handwritten, "aws_s3_bucket_public_access_block")["lifecycle"][flag] = False
    assert s3_violations(handwritten) == [f"aws_s3_bucket_public_access_block.lifecycle.{flag}: got False, expected true"]


TLS_FAILURE = ("aws_s3_bucket_policy.lifecycle: no statement denies s3:* to every principal when aws:SecureTransport "
               "is false on aws_s3_bucket.lifecycle and its objects")


def tls_statement(document: dict) -> dict:
    return document["data"]["aws_iam_policy_document"]["lifecycle_bucket_policy"]["statement"][0]


@pytest.mark.parametrize("break_it", [
    lambda s: s.update(effect="Allow"),
    lambda s: s.update(condition=[{"test": "Bool", "variable": "aws:SecureTransport", "values": ["true"]}]),
    lambda s: s.update(actions=["s3:GetObject"]),
    lambda s: s.update(resources=["${aws_s3_bucket.lifecycle.arn}"]),  # objects not covered
    lambda s: s.update(principals=[{"type": "AWS", "identifiers": ["arn:aws:iam::111122223333:root"]}]),
], ids=["allow-not-deny", "condition-true", "only-get", "bucket-not-objects", "one-principal"])
def test_a_bucket_policy_that_does_not_deny_plain_http_fails(handwritten, break_it):
    break_it(tls_statement(handwritten))
    assert s3_violations(handwritten) == [TLS_FAILURE]


def test_a_cluster_without_a_stack_bucket_fails(handwritten):
    group = handwritten["resource"]["awscc_sagemaker_cluster"]["hyperpod"]["instance_groups"][0]
    group["life_cycle_config"]["source_s3_uri"] = "s3://sagemaker-shared/lc"
    assert s3_violations(handwritten) == [
        "resource.awscc_sagemaker_cluster: no source_s3_uri refers to an aws_s3_bucket of this stack: the lifecycle "
        "bucket cannot be checked"]
