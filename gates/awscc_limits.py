"""Value limits of AWS::SageMaker::Cluster that the Terraform schema does not carry (they fail only at apply time).

Literal values only: an expression ("${...}") is unknown before plan and skips its literal check, except the
lifecycle S3 URI, whose bucket reference is followed to the bucket's own (literal) name.
"""
from __future__ import annotations

from gates.terraform_json import Violation, is_expression, leading_reference, literal_prefix, resource

THREADS_PER_CORE = (1, 2)
EBS_VOLUME_GB = (1, 16384)
# ClusterInstanceGroupSpecification.InstanceStorageConfigs in the pinned botocore SageMaker model: at most 4 entries,
# each a union of one EbsVolumeConfig, FsxLustreConfig or FsxOpenZfsConfig (ClusterInstanceStorageConfig); an EBS
# entry with RootVolume true takes a VolumeKmsKeyId and no VolumeSizeInGB (ClusterEbsVolumeConfig).
MAX_STORAGE_CONFIGS = 4
STORAGE_KINDS = ("ebs_volume_config", "fsx_lustre_config", "fsx_open_zfs_config")
NODE_RECOVERY = ("Automatic", "None")
DEEP_HEALTH_CHECKS = ("InstanceStress", "InstanceConnectivity")
# SageMaker API model: ClusterKubernetesLabelValue and ClusterKubernetesTaintValue are 1-63 characters;
# DeploymentConfiguration.AutoRollbackConfiguration (AutoRollbackAlarms) holds 1-10 alarms.
KUBERNETES_VALUE_LENGTH = (1, 63)
ROLLBACK_ALARMS = (1, 10)
# AmazonSageMakerClusterInstanceRolePolicy only grants s3:GetObject/ListBucket on arn:aws:s3:::sagemaker-*.
LIFECYCLE_BUCKET_PREFIX = "sagemaker-"
GROUP_LISTS = ("instance_groups", "restricted_instance_groups")


def check_limits(body: dict, path: str, document: dict) -> list[Violation]:
    out: list[Violation] = []
    recovery = body.get("node_recovery")
    if isinstance(recovery, str) and not is_expression(recovery) and recovery not in NODE_RECOVERY:
        out.append(Violation(f"{path}.node_recovery", f"got {recovery!r}, allowed: {' | '.join(NODE_RECOVERY)}"))
    for list_name in GROUP_LISTS:
        groups = body.get(list_name)
        if not isinstance(groups, list):
            continue
        for index, group in enumerate(groups):
            if isinstance(group, dict):
                out.extend(_check_group(group, f"{path}.{list_name}[{index}]", document))
    return out


def _literal_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _storage_union(storage: list, path: str) -> list[Violation]:
    out: list[Violation] = []
    roots = 0
    for index, entry in enumerate(storage):
        if not isinstance(entry, dict):
            continue
        kinds = [kind for kind in STORAGE_KINDS if entry.get(kind) is not None]
        if len(kinds) != 1:
            out.append(Violation(f"{path}.instance_storage_configs[{index}]",
                                 f"got {', '.join(kinds) or 'no storage kind'}, allowed: exactly one of "
                                 f"{' | '.join(STORAGE_KINDS)}"))
        ebs = entry.get("ebs_volume_config")
        if isinstance(ebs, dict) and ebs.get("root_volume") is True:
            roots += 1
            here = f"{path}.instance_storage_configs[{index}].ebs_volume_config"
            if ebs.get("volume_size_in_gb") is not None:
                out.append(Violation(f"{here}.volume_size_in_gb", "a root volume takes no size, allowed: leave it out"))
            if ebs.get("volume_kms_key_id") is None:
                out.append(Violation(f"{here}.volume_kms_key_id", "a root volume needs its KMS key"))
    if roots > 1:
        out.append(Violation(f"{path}.instance_storage_configs", f"got {roots} root volumes, allowed: at most 1"))
    return out


def _check_group(group: dict, path: str, document: dict) -> list[Violation]:
    out: list[Violation] = []
    threads = group.get("threads_per_core")
    if _literal_number(threads) and threads not in THREADS_PER_CORE:
        out.append(Violation(f"{path}.threads_per_core", f"got {threads}, allowed: 1 (no SMT) or 2"))
    count = group.get("instance_count")
    if _literal_number(count) and (count < 0 or count != int(count)):
        out.append(Violation(f"{path}.instance_count", f"got {count}, allowed: a whole number >= 0"))

    storage = group.get("instance_storage_configs")
    if isinstance(storage, list):
        if len(storage) > MAX_STORAGE_CONFIGS:
            out.append(Violation(f"{path}.instance_storage_configs",
                                 f"got {len(storage)} entries, allowed: at most {MAX_STORAGE_CONFIGS}"))
        out.extend(_storage_union(storage, path))
        for index, entry in enumerate(storage):
            ebs = entry.get("ebs_volume_config") if isinstance(entry, dict) else None
            size = ebs.get("volume_size_in_gb") if isinstance(ebs, dict) else None
            low, high = EBS_VOLUME_GB
            if _literal_number(size) and not (low <= size <= high and size == int(size)):
                out.append(Violation(f"{path}.instance_storage_configs[{index}].ebs_volume_config.volume_size_in_gb",
                                     f"got {size}, allowed: a whole number of GB from {low} to {high}"))

    checks = group.get("on_start_deep_health_checks")
    if isinstance(checks, list):
        seen = set()
        for index, check in enumerate(checks):
            if is_expression(check):
                continue
            if check not in DEEP_HEALTH_CHECKS:
                out.append(Violation(f"{path}.on_start_deep_health_checks[{index}]",
                                     f"got {check!r}, allowed: {' | '.join(DEEP_HEALTH_CHECKS)}"))
            elif check in seen:
                out.append(Violation(f"{path}.on_start_deep_health_checks[{index}]", f"{check!r} is listed twice"))
            seen.add(check)

    out += _kubernetes_config_problems(group.get("kubernetes_config"), f"{path}.kubernetes_config")
    update = group.get("scheduled_update_config")
    deployment = update.get("deployment_config") if isinstance(update, dict) else None
    alarms = deployment.get("auto_rollback_configuration") if isinstance(deployment, dict) else None
    low, high = ROLLBACK_ALARMS
    if isinstance(alarms, list) and not low <= len(alarms) <= high:
        out.append(Violation(f"{path}.scheduled_update_config.deployment_config.auto_rollback_configuration",
                             f"got {len(alarms)} alarms, allowed: {low} to {high}"))

    lifecycle = group.get("life_cycle_config")
    if isinstance(lifecycle, dict):
        if lifecycle.get("on_create") is not None and lifecycle.get("on_init_complete") is not None:
            out.append(Violation(f"{path}.life_cycle_config",
                                 "'on_create' and 'on_init_complete' are mutually exclusive: set only one"))
        uri = lifecycle.get("source_s3_uri")
        if isinstance(uri, str):
            problem = source_uri_problem(uri, document)
            if problem:
                out.append(Violation(f"{path}.life_cycle_config.source_s3_uri", problem))
    return out


def _kubernetes_config_problems(kubernetes, path: str) -> list[Violation]:
    if not isinstance(kubernetes, dict):
        return []
    values = []
    labels = kubernetes.get("labels")
    if isinstance(labels, dict):
        values += [(f"{path}.labels[{key!r}]", value) for key, value in labels.items()]
    taints = kubernetes.get("taints")
    if isinstance(taints, list):
        values += [(f"{path}.taints[{index}].value", taint.get("value")) for index, taint in enumerate(taints)
                   if isinstance(taint, dict) and taint.get("value") is not None]
    low, high = KUBERNETES_VALUE_LENGTH
    return [Violation(where, f"got {value!r}, allowed: {low} to {high} characters")
            for where, value in values
            if isinstance(value, str) and not is_expression(value) and not low <= len(value) <= high]


def source_uri_problem(uri: str, document: dict) -> str | None:
    """Why the lifecycle URI cannot be proven to name a sagemaker-* bucket, or None when it can."""
    wanted = f"s3://{LIFECYCLE_BUCKET_PREFIX}"
    if not is_expression(uri):
        return None if uri.startswith(wanted) else f"got {uri!r}, must start with {wanted!r}"
    known = literal_prefix(uri)
    if len(known) >= len(wanted):
        return None if known.startswith(wanted) else f"got {uri!r}, must start with {wanted!r}"
    if not wanted.startswith(known) or known != "s3://":
        return f"got {uri!r}, must start with {wanted!r}"
    reference = leading_reference(uri[len(known):])
    if reference is None:
        return (f"got {uri!r}: the bucket is an expression this check cannot follow; reference an aws_s3_bucket "
                f"directly (s3://${{aws_s3_bucket.NAME.bucket}}/...) or use a literal name")
    resource_type, name, attribute = reference
    if resource_type != "aws_s3_bucket" or attribute not in ("bucket", "id"):
        return (f"got {uri!r}: the bucket must come from an aws_s3_bucket's 'bucket' or 'id', "
                f"not {resource_type}.{name}.{attribute}")
    bucket = resource(document, "aws_s3_bucket", name)
    if bucket is None:
        return f"got {uri!r}: aws_s3_bucket.{name} is not defined in this document"
    for field in ("bucket", "bucket_prefix"):
        value = bucket.get(field)
        if isinstance(value, str):
            if literal_prefix(value).startswith(LIFECYCLE_BUCKET_PREFIX):
                return None
            return (f"got {uri!r}: aws_s3_bucket.{name}.{field} is {value!r}, which must start with "
                    f"{LIFECYCLE_BUCKET_PREFIX!r} (the instance role policy only reads sagemaker-* buckets)")
    return (f"got {uri!r}: aws_s3_bucket.{name} sets neither 'bucket' nor 'bucket_prefix', so its name is random "
            f"and cannot start with {LIFECYCLE_BUCKET_PREFIX!r}")
