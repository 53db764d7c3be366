"""The HyperPod capacity API: per-group Kubernetes labels and taints, capacity source (spot, training plans), AMIs,
subnets, encryption and rolling updates; cluster-level provisioning mode, Karpenter autoscaling and tiered storage.

Limits come from the SageMaker API reference (CreateCluster / ClusterInstanceGroupSpecification and the types named
in each comment) and the HyperPod user guide; the rules that span fields run on raw data (`capacity_problems`).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from hyperpod.config.errors import Problem, value_repr
from hyperpod.config.fields import Strict, matching

# ClusterKubernetesConfig: Labels and Taints each hold at most 50 entries.
MAX_LABELS = 50
MAX_TAINTS = 50
# ClusterKubernetesConfig label key: an optional DNS-subdomain prefix and "/", then a name of 1-63 characters
# (Kubernetes "qualified name"; the API allows 317 characters in all: 253 prefix + "/" + 63 name).
_LABEL_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
# ClusterKubernetesLabelValue and ClusterKubernetesTaintValue (SageMaker API model, CreateCluster): 1-63 characters,
# alphanumeric at both ends. Kubernetes itself accepts an empty value, HyperPod's API does not: an empty value would
# pass here and fail at apply.
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_VALUE_ALLOWED = "1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (not empty)"
# Prefixes the platform owns: HyperPod writes its own node labels under sagemaker.amazonaws.com/ (health status,
# deep health checks, cluster name); Kubernetes reserves kubernetes.io/ and k8s.io/ and their subdomains
# (node.kubernetes.io/instance-type, ...), and karpenter.sh/ labels belong to the autoscaler.
RESERVED_LABEL_DOMAINS = ("sagemaker.amazonaws.com", "kubernetes.io", "k8s.io", "karpenter.sh")

# SageMaker training plan ARN (ClusterInstanceGroupSpecification.TrainingPlanArn):
# arn:aws[a-z-]*:sagemaker:<region>:<12-digit account>:training-plan/<name of 1-63 letters, digits, hyphens>.
TRAINING_PLAN_ARN = re.compile(r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:training-plan/"
                               r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
# ClusterInstanceGroupSpecification.ImageId: "default" (the HyperPod public AMI) or a custom AMI id.
IMAGE_ID = re.compile(r"^(default|ami-[0-9a-f]{8}([0-9a-f]{9})?)$")
# A full KMS key ARN, not an alias or bare id: the execution role's KMS grant is scoped to exactly this ARN.
KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]{1,128}$")
# CloudFormation AWS::SageMaker::Cluster ScheduledUpdateConfig.ScheduleExpression pattern (1-256 characters):
# cron(minute hour day-of-month month day-of-week year); AWS accepts no rate() expressions for AMI updates.
SCHEDULE_EXPRESSION = re.compile(
    r"^cron\((?:[0-5][0-9]|[0-9]|) (?:[01][0-9]|2[0-3]|[0-9]) (?:[1-9]|0[1-9]|[12][0-9]|3[01]|\?) "
    r"(?:[1-9]|0[1-9]|1[0-2]|\*|\*/(?:[1-9]|1[0-2])|) (?:MON|TUE|WED|THU|FRI|SAT|SUN|[1-7]|\?|L|(?:[1-7]#[1-5])|"
    r"(?:[1-7]L)) (?:20[2-9][0-9]|\*|)\)$")
# DeploymentConfiguration.WaitIntervalInSeconds: 0-3600. CapacitySizeConfig.Value: at least 1.
MAX_WAIT_INTERVAL_SECONDS = 3600
# DeploymentConfiguration.AutoRollbackConfiguration (shape AutoRollbackAlarms): 1-10 alarms; an empty list is left
# out of the output (hyperpod/cluster.py), so the config allows 0-10.
MAX_ROLLBACK_ALARMS = 10
# DeploymentConfiguration.AutoRollbackConfiguration: AlarmDetails.AlarmName is 1-255 characters; CloudWatch allows
# any UTF-8 but ASCII control characters, so `${`/`%{` are legal here and the construct escapes them for Terraform.
ALARM_NAME = re.compile(r"^(?!\s*$)[^\x00-\x1f\x7f]{1,255}$")
# HyperpodNodeClass: at most 10 instance groups (HyperPod user guide, "Create a NodeClass").
MAX_AUTOSCALED_GROUPS = 10
IAM_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]{1,512}$")


def _label_key_problem(key: str) -> str | None:
    prefix, _, name = key.rpartition("/")
    if len(key) > 317 or len(prefix) > 253 or (prefix and not _LABEL_PREFIX.fullmatch(prefix)) \
            or not (1 <= len(name) <= 63 and _LABEL_NAME.fullmatch(name)):
        return (f"label key {value_repr(key)} is not a Kubernetes qualified name; allowed: an optional DNS prefix "
                "of at most 253 lowercase characters and '/', then 1-63 letters, digits, '-', '_' or '.' starting "
                "and ending with a letter or digit")
    domain = prefix.lower()
    for reserved in RESERVED_LABEL_DOMAINS:
        if domain == reserved or domain.endswith("." + reserved):
            return (f"label key {value_repr(key)} uses the reserved prefix {reserved}/; allowed: a prefix of your "
                    f"own (the prefixes {', '.join(p + '/' for p in RESERVED_LABEL_DOMAINS)} and their subdomains "
                    "belong to HyperPod, Kubernetes and Karpenter)")
    return None


def _check_labels(labels: dict[str, str]) -> dict[str, str]:
    problems = []
    for key, value in labels.items():
        problem = _label_key_problem(key)
        if problem:
            problems.append(problem)
        if not (len(value) <= 63 and _LABEL_VALUE.fullmatch(value)):
            problems.append(f"label {value_repr(key)} has value {value_repr(value)}; allowed: {_VALUE_ALLOWED}")
    if problems:
        raise ValueError("; ".join(problems))
    return labels


def _check_taint_key(key: str) -> str:
    problem = _label_key_problem(key)
    if problem:
        raise ValueError(problem.replace("label key", "taint key"))
    return key


class Taint(Strict):
    """A Kubernetes taint HyperPod keeps on every node of the group."""

    key: Annotated[str, AfterValidator(_check_taint_key)] = Field(description="Taint key (a qualified name).")
    value: Annotated[str, matching(_LABEL_VALUE, _VALUE_ALLOWED)] | None = Field(
        None, max_length=63, description="Taint value (optional; when set, 1-63 characters).")
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = Field(
        description="What the taint does to pods that do not tolerate it.")


class ScheduledUpdate(Strict):
    """Rolling AMI updates on a schedule, in batches, rolled back when an alarm fires."""

    schedule_expression: Annotated[str, matching(
        SCHEDULE_EXPRESSION, "a cron expression cron(minute hour day-of-month month day-of-week year) such as "
                             "cron(0 3 ? * SUN *) (AWS accepts cron only, not rate())")] = Field(
        max_length=256, description="When to update, e.g. `cron(0 3 ? * SUN *)` (Sundays 03:00 UTC).")
    batch_type: Literal["INSTANCE_COUNT", "CAPACITY_PERCENTAGE"] = Field(
        "CAPACITY_PERCENTAGE", description="How `batch_size` counts: instances, or percent of the group.")
    batch_size: int = Field(ge=1, description="Instances (or percent, at most 100) updated per batch.")
    wait_interval_seconds: int = Field(0, ge=0, le=MAX_WAIT_INTERVAL_SECONDS,
                                       description="Seconds to wait between batches (0-3600).")
    rollback_alarms: list[Annotated[str, matching(ALARM_NAME, "a CloudWatch alarm name of 1-255 characters, no "
                                                              "control characters")]] = Field(
        default_factory=list, max_length=MAX_ROLLBACK_ALARMS,
        description="CloudWatch alarms that roll the update back when they fire (at most 10).")


class Autoscaling(Strict):
    """HyperPod-managed Karpenter: nodes of the named groups come and go with pending pods."""

    enabled: bool = Field(False, description="Turn on Karpenter autoscaling (needs continuous provisioning and "
                                             "`hyperpod_node_recovery: Automatic`).")
    instance_groups: list[str] = Field(
        default_factory=list, max_length=MAX_AUTOSCALED_GROUPS,
        description="Names of the instance groups Karpenter scales (at most 10; on-demand or spot, no training "
                    "plan, no deep health checks). Their `instance_count` is left to Karpenter after creation.")
    cluster_role_arn: Annotated[str, matching(IAM_ROLE_ARN, "an IAM role ARN such as "
                                                            "arn:aws:iam::123456789012:role/hyperpod-autoscaler")] \
        | None = Field(None, description="Bring your own autoscaler role. Default: the stack creates one trusted by "
                                         "hyperpod.sagemaker.amazonaws.com. Cannot change while autoscaling is on.")


class TieredStorage(Strict):
    """Managed tier checkpointing: part of each instance's memory holds checkpoints."""

    enabled: bool = Field(False, description="Turn on managed tier checkpointing.")
    # ClusterTieredStorageConfig.InstanceMemoryAllocationPercentage: 0-100.
    instance_memory_allocation_percentage: int | None = Field(
        None, ge=0, le=100, description="Percent of instance memory for checkpoints (0-100). Default: AWS's.")


ProvisioningMode = Literal["Continuous"]
TrainingPlanArn = Annotated[str, matching(TRAINING_PLAN_ARN, "a SageMaker training plan ARN such as "
                                                             "arn:aws:sagemaker:us-west-2:123456789012:"
                                                             "training-plan/my-plan")]
ImageId = Annotated[str, matching(IMAGE_ID, "\"default\" or an AMI id like ami-0123456789abcdef0")]
KmsKeyArn = Annotated[str, matching(KMS_KEY_ARN, "a KMS key ARN such as arn:aws:kms:us-west-2:123456789012:key/"
                                                 "1234abcd-12ab-34cd-56ef-1234567890ab (not an alias)")]
Labels = Annotated[dict[str, str], AfterValidator(_check_labels)]
CapacityType = Literal["on-demand", "spot"]


def capacity_problems(raw: dict) -> list[Problem]:
    """Capacity rules that span fields; work on raw (possibly invalid) data so they run next to field errors."""
    problems: list[Problem] = []
    groups = raw.get("hyperpod_instance_groups")
    groups = [g if isinstance(g, dict) else {} for g in groups] if isinstance(groups, list) else []
    mode = raw.get("hyperpod_node_provisioning_mode", "Continuous")
    continuous = mode == "Continuous"
    for index, group in enumerate(groups):
        where = f"hyperpod_instance_groups[{index}]"
        count, minimum = group.get("instance_count"), group.get("min_instance_count")
        if _int(count) and _int(minimum) and minimum > count:
            problems.append(Problem(f"{where}.min_instance_count", f"got {minimum} with instance_count {count}; "
                                    "allowed: at most instance_count"))
        if group.get("capacity_type") == "spot" and not continuous:
            problems.append(Problem(f"{where}.capacity_type", f"got \"spot\" with hyperpod_node_provisioning_mode "
                                    f"{value_repr(mode)}; allowed: \"spot\" only with hyperpod_node_provisioning_mode "
                                    "\"Continuous\" (HyperPod spot capacity runs on continuous provisioning)"))
        if isinstance(group.get("ebs_kms_key_id"), str) and not continuous:
            problems.append(Problem(f"{where}.ebs_kms_key_id", f"got a customer managed key with "
                                    f"hyperpod_node_provisioning_mode {value_repr(mode)}; allowed: a key only with "
                                    "hyperpod_node_provisioning_mode \"Continuous\" (AWS supports customer managed "
                                    "keys on continuous provisioning clusters only)"))
        for kind, limit in (("labels", MAX_LABELS), ("taints", MAX_TAINTS)):
            value = group.get(kind)
            if isinstance(value, (dict, list)) and len(value) > limit:
                problems.append(Problem(f"{where}.{kind}", f"got {len(value)} {kind}; allowed: at most {limit}"))
        update = group.get("scheduled_update")
        if isinstance(update, dict) and update.get("batch_type", "CAPACITY_PERCENTAGE") == "CAPACITY_PERCENTAGE" \
                and _int(update.get("batch_size")) and update["batch_size"] > 100:
            problems.append(Problem(f"{where}.scheduled_update.batch_size", f"got {update['batch_size']} with "
                                    "batch_type CAPACITY_PERCENTAGE; allowed: a percentage of 1-100"))
        taints = group.get("taints")
        if isinstance(taints, list):
            pairs = [(t.get("key"), t.get("effect")) for t in taints if isinstance(t, dict)]
            repeated = sorted({f"{k}:{e}" for k, e in pairs if pairs.count((k, e)) > 1 and isinstance(k, str)})
            if repeated:
                problems.append(Problem(f"{where}.taints", f"got {', '.join(repeated)} more than once; allowed: "
                                        "each key and effect at most once (Kubernetes keeps one taint per pair)"))
    problems += _autoscaling_problems(raw, groups, continuous, mode)
    return problems


def _autoscaling_problems(raw: dict, groups: list[dict], continuous: bool, mode: object) -> list[Problem]:
    autoscaling = raw.get("hyperpod_autoscaling")
    if not (isinstance(autoscaling, dict) and autoscaling.get("enabled") is True):
        return []
    where = "hyperpod_autoscaling"
    problems = []
    if not continuous:
        problems.append(Problem(f"{where}.enabled", f"got true with hyperpod_node_provisioning_mode "
                                f"{value_repr(mode)}; allowed: true only with hyperpod_node_provisioning_mode "
                                "\"Continuous\" (Karpenter autoscaling is built on continuous provisioning)"))
    recovery = raw.get("hyperpod_node_recovery", "Automatic")
    if recovery != "Automatic":
        problems.append(Problem(f"{where}.enabled", f"got true with hyperpod_node_recovery {value_repr(recovery)}; "
                                "allowed: true only with hyperpod_node_recovery \"Automatic\""))
    names = autoscaling.get("instance_groups")
    if names == [] or names is None:
        problems.append(Problem(f"{where}.instance_groups", "got []; allowed: the names of 1-10 instance groups "
                                "Karpenter scales when autoscaling is enabled"))
    by_name = {g.get("name"): g for g in groups if isinstance(g.get("name"), str)}
    for position, name in enumerate(names if isinstance(names, list) else []):
        path = f"{where}.instance_groups[{position}]"
        group = by_name.get(name)
        if group is None:
            problems.append(Problem(path, f"got {value_repr(name)}; allowed: the name of an instance group "
                                    f"({', '.join(sorted(by_name)) or 'none defined'})"))
            continue
        # HyperPod user guide, "Create a NodeClass": groups with deep health checks or a training plan (reserved
        # capacity) cannot be autoscaled. Spot groups can: "Spot instances in Amazon SageMaker HyperPod" says spot
        # capacity works with Karpenter-based autoscaling (the NodeClass page's older "on-demand only" no longer
        # holds), and its newer version names flexible (InstanceRequirements) groups as autoscalable.
        if group.get("deep_health_checks"):
            problems.append(Problem(path, f"group {value_repr(name)} runs deep health checks; allowed: autoscaled "
                                    "groups without deep_health_checks (pods would wait 60-90 minutes per node)"))
        if group.get("training_plan_arn") is not None:
            problems.append(Problem(path, f"group {value_repr(name)} uses a training plan; allowed: autoscaled "
                                    "groups on on-demand or spot capacity (Karpenter does not use training plans "
                                    "or reserved capacity)"))
    return problems


def _int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
