"""The lifecycle-script bucket (and the inference operator's TLS certificate bucket) must be encrypted, versioned,
closed to the public and reachable over TLS only.

The lifecycle bucket is found the way SageMaker finds it: through the instance groups' life_cycle_config.source_s3_uri;
the certificate bucket the way the operator finds it: through its add-on's configuration.
"""
from __future__ import annotations

import re

from gates.policy_documents import UnresolvedPolicy, resolve
from gates.terraform_json import Violation, leading_reference, resources_of_type

ENCRYPTION_ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse")
PUBLIC_ACCESS_FLAGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")


def lifecycle_buckets(document: dict) -> dict[str, str]:
    """{bucket resource name: the group whose source_s3_uri points at it}."""
    buckets = {}
    for cluster, body in resources_of_type(document, "awscc_sagemaker_cluster"):
        for index, group in enumerate(body.get("instance_groups") or []):
            uri = str((group.get("life_cycle_config") or {}).get("source_s3_uri", ""))
            reference = leading_reference(uri[len("s3://"):]) if uri.startswith("s3://") else None
            if reference and reference[0] == "aws_s3_bucket":
                buckets.setdefault(reference[1], f"resource.awscc_sagemaker_cluster.{cluster}.instance_groups[{index}]")
    return buckets


# The inference operator's add-on names its TLS certificate bucket in its configuration (tlsCertificateS3Bucket).
_TLS_BUCKET = re.compile(r'"tlsCertificateS3Bucket" = aws_s3_bucket\.([A-Za-z0-9_-]+)\.(?:id|bucket)')


def certificate_buckets(document: dict) -> dict[str, str]:
    """{bucket resource name: the add-on whose configuration names it as the TLS certificate bucket}."""
    return {match.group(1): f"resource.aws_eks_addon.{name}"
            for name, body in resources_of_type(document, "aws_eks_addon")
            for match in _TLS_BUCKET.finditer(str(body.get("configuration_values", "")))}


def _settings_for(document: dict, resource_type: str, bucket: str) -> list[tuple[str, dict]]:
    """Resources of one type that configure the given bucket (bucket = ${aws_s3_bucket.NAME.id|bucket})."""
    found = []
    for name, body in resources_of_type(document, resource_type):
        reference = leading_reference(str(body.get("bucket", "")))
        if reference and reference[:2] == ("aws_s3_bucket", bucket) and reference[2] in ("id", "bucket"):
            found.append((f"{resource_type}.{name}", body))
    return found


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value] if value else []


def check_encryption(document: dict, bucket: str) -> list[Violation]:
    for path, body in _settings_for(document, "aws_s3_bucket_server_side_encryption_configuration", bucket):
        for rule in _as_list(body.get("rule")):
            default = (_as_list(rule.get("apply_server_side_encryption_by_default")) or [{}])[0]
            if default.get("sse_algorithm") in ENCRYPTION_ALGORITHMS:
                return []
        return [Violation(path, f"no default encryption rule with sse_algorithm in {', '.join(ENCRYPTION_ALGORITHMS)}")]
    return [Violation(f"aws_s3_bucket.{bucket}", "no aws_s3_bucket_server_side_encryption_configuration")]


def check_versioning(document: dict, bucket: str) -> list[Violation]:
    for path, body in _settings_for(document, "aws_s3_bucket_versioning", bucket):
        configuration = (_as_list(body.get("versioning_configuration")) or [{}])[0]
        if configuration.get("status") == "Enabled":
            return []
        return [Violation(f"{path}.versioning_configuration.status",
                          f"got {configuration.get('status')!r}, expected 'Enabled'")]
    return [Violation(f"aws_s3_bucket.{bucket}", "no aws_s3_bucket_versioning: overwritten scripts cannot be restored")]


def check_public_access_block(document: dict, bucket: str) -> list[Violation]:
    for path, body in _settings_for(document, "aws_s3_bucket_public_access_block", bucket):
        off = [flag for flag in PUBLIC_ACCESS_FLAGS if body.get(flag) is not True]
        return [Violation(f"{path}.{flag}", f"got {body.get(flag)!r}, expected true") for flag in off]
    return [Violation(f"aws_s3_bucket.{bucket}", "no aws_s3_bucket_public_access_block")]


def _is_tls_deny(statement: dict, bucket: str) -> bool:
    everyone = any(p.get("type") in ("*", "AWS") and "*" in (p.get("identifiers") or [])
                   for p in statement["principals"])
    all_s3 = any(a in ("*", "s3:*") for a in statement["actions"])
    insecure = any(c.get("test") == "Bool" and c.get("variable") == "aws:SecureTransport"
                   and [str(v).lower() for v in c.get("values") or []] == ["false"] for c in statement["condition"])
    bucket_arns = {f"${{aws_s3_bucket.{bucket}.arn}}", f"${{aws_s3_bucket.{bucket}.arn}}/*"}
    covers = bucket_arns <= set(statement["resources"]) or "*" in statement["resources"]
    return str(statement["effect"]).lower() == "deny" and everyone and all_s3 and insecure and covers


def check_tls_only(document: dict, bucket: str) -> list[Violation]:
    policies = _settings_for(document, "aws_s3_bucket_policy", bucket)
    if not policies:
        return [Violation(f"aws_s3_bucket.{bucket}", "no aws_s3_bucket_policy: nothing denies non-TLS access")]
    for path, body in policies:
        try:
            policy = resolve(body.get("policy"), document, f"{path}.policy")
        except UnresolvedPolicy as error:
            return [Violation(path, str(error))]
        if any(_is_tls_deny(statement, bucket) for statement in policy.statements):
            return []
    return [Violation(policies[0][0], "no statement denies s3:* to every principal when aws:SecureTransport is "
                      f"false on aws_s3_bucket.{bucket} and its objects")]


def check_s3(document: dict) -> list[Violation]:
    buckets = lifecycle_buckets(document)
    # A cluster of restricted instance groups only runs no lifecycle scripts, so it has no bucket to check.
    if not buckets and any(body.get("instance_groups") for _, body in resources_of_type(document,
                                                                                        "awscc_sagemaker_cluster")):
        return [Violation("resource.awscc_sagemaker_cluster", "no source_s3_uri refers to an aws_s3_bucket of this "
                          "stack: the lifecycle bucket cannot be checked")]
    out = []
    for bucket in sorted({*buckets, *certificate_buckets(document)}):
        for rule in (check_encryption, check_versioning, check_public_access_block, check_tls_only):
            out += rule(document, bucket)
    return out
