"""An instance group of the HyperPod cluster, and the rules that span its fields."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from hyperpod import instance_types
from hyperpod.config.capacity import (
    MAX_LABELS,
    MAX_TAINTS,
    CapacityType,
    ImageId,
    KmsKeyArn,
    Labels,
    ScheduledUpdate,
    Taint,
    TrainingPlanArn,
)
from hyperpod.config.errors import Problem, value_repr
from hyperpod.config.auto_patch import AutoPatchConfig, auto_patch_problems
from hyperpod.config.flexible import InstanceRequirements, NetworkInterface, flexible_problems
from hyperpod.config.group_storage import StorageConfig
from hyperpod.config.fields import ResourceName, SecurityGroupId, Strict, SubnetId, choice_of_integers

DEEP_HEALTH_CHECKS = ("InstanceStress", "InstanceConnectivity")
MAX_INSTANCE_GROUPS = 100  # CreateCluster: InstanceGroups has at most 100 members
MAX_INSTANCE_COUNT = 6758  # CreateCluster: InstanceCount maximum

DeepHealthCheck = Literal["InstanceStress", "InstanceConnectivity"]
ThreadsPerCore = choice_of_integers(1, 2)  # CreateCluster: ThreadsPerCore 1-2


def _known_instance_type(value: str) -> str:
    # SageMaker API model, shape ClusterInstanceType: the types CreateCluster accepts for an instance group (copied
    # into hyperpod/config/data/cluster_instance_types.json from the locked botocore).
    if not instance_types.is_cluster_instance_type(value):
        raise ValueError(
            f"got {value_repr(value)}; allowed: an instance type the SageMaker API accepts for HyperPod clusters "
            "(ClusterInstanceType), such as ml.p5.48xlarge, ml.g5.48xlarge or ml.trn1.32xlarge (the ml. prefix is "
            "optional)"
        )
    return instance_types.normalize(value)


class InstanceGroup(Strict):
    """One HyperPod instance group: identical instances that join the EKS cluster as nodes."""

    name: ResourceName = Field(description="Instance group name, unique in the cluster. Cannot change in place.")
    instance_type: Annotated[str, AfterValidator(_known_instance_type)] | None = Field(
        None, description="HyperPod instance type, with or without the `ml.` prefix (the output always carries it). "
                          "Required unless `instance_requirements` lists the types. Cannot change in place.")
    instance_count: int = Field(ge=0, le=MAX_INSTANCE_COUNT, description="Number of instances (0 keeps the group "
                                                                         "with no nodes).")
    ebs_volume_gb: int = Field(500, ge=1, le=16384, description="Size of the secondary EBS volume mounted at "
                                                                "/opt/sagemaker (containerd and kubelet data).")
    deep_health_checks: list[DeepHealthCheck] = Field(
        default_factory=list, description="Deep health checks run on every new instance before it takes work: "
                                          "`InstanceStress`, `InstanceConnectivity` (GPU and Trainium types only).")
    threads_per_core: ThreadsPerCore = Field(1, description="1 disables hyperthreading, 2 enables it. Cannot change "
                                                             "in place.")
    # The capacity API (hyperpod/config/capacity.py). Unset (null) keys leave the group's output as before.
    labels: Labels | None = Field(
        None, max_length=MAX_LABELS, description="Kubernetes labels HyperPod keeps on every node of the group (at "
                                                 "most 50). The full desired state: `{}` removes them all.")
    taints: list[Taint] | None = Field(
        None, max_length=MAX_TAINTS, description="Kubernetes taints `{key, value?, effect}` HyperPod keeps on every "
                                                 "node (at most 50). The full desired state: `[]` removes them all.")
    training_plan_arn: TrainingPlanArn | None = Field(
        None, description="SageMaker flexible training plan whose reserved capacity the group runs on.")
    image_id: ImageId | None = Field(None, description="`default` (HyperPod's AMI) or a custom `ami-` id built on it.")
    subnet_ids: list[SubnetId] | None = Field(
        None, min_length=1, max_length=16, description="Subnets for this group only (`override_vpc_config`). "
                                                       "Default: the cluster's. Cannot change in place.")
    security_group_ids: list[SecurityGroupId] | None = Field(
        None, min_length=1, max_length=5, description="Security groups for this group only (with `subnet_ids`). "
                                                      "Default: the cluster's. Cannot change in place.")
    capacity_type: CapacityType | None = Field(
        None, description="`on-demand` or `spot` (spot needs continuous provisioning). Default: on-demand.")
    min_instance_count: int | None = Field(
        None, ge=0, le=MAX_INSTANCE_COUNT, description="Instances the group needs to be InService (at most "
                                                       "`instance_count`).")
    ebs_kms_key_id: KmsKeyArn | None = Field(
        None, description="ARN of a customer managed KMS key for the group's EBS volume (needs continuous "
                          "provisioning; the execution role gets a grant on it). Cannot change in place.")
    scheduled_update: ScheduledUpdate | None = Field(
        None, description="Rolling AMI updates: `{schedule_expression, batch_type, batch_size, "
                          "wait_interval_seconds, rollback_alarms}`.")
    # The newer awscc surface (docs/instance-groups-advanced.md). Unset keys leave the group's output as before.
    instance_requirements: InstanceRequirements | None = Field(
        None, description="A flexible group: `{instance_types: [...]}`, 1-20 types in priority order, instead of "
                          "`instance_type`.")
    network_interface: NetworkInterface | None = Field(
        None, description="`{interface_type: efa | efa-only}` on instance types that support EFA.")
    auto_patch_config: AutoPatchConfig | None = Field(
        None, description="Automatic security patching as nodes become idle: `{patching_strategy: WhenIdle | "
                          "WhenAllIdle, deployment_config?}`.")
    instance_storage_configs: list[StorageConfig] | None = Field(
        None, description="At most 3 more storage entries next to the secondary EBS volume: FSx for Lustre or "
                          "OpenZFS file systems mounted on the nodes, or the root volume's KMS key.")

    @property
    def instance_types(self) -> tuple[str, ...]:
        """Every instance type the group may run: its `instance_type`, or the flexible list in priority order."""
        if self.instance_requirements is not None:
            return tuple(instance_types.normalize(t) for t in self.instance_requirements.instance_types)
        return (self.instance_type,) if self.instance_type else ()


def instance_group_problems(groups: list) -> list[Problem]:
    """Rules that span fields of one group or several groups; works on raw (possibly invalid) data."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, group in enumerate(groups):
        if not isinstance(group, dict):
            continue
        where = f"hyperpod_instance_groups[{index}]"
        name = group.get("name")
        if isinstance(name, str):
            if name in seen:
                problems.append(Problem(f"{where}.name", f"got {value_repr(name)}, already the name of "
                                        f"hyperpod_instance_groups[{seen[name]}]; allowed: a name unique in the "
                                        "cluster"))
            seen.setdefault(name, index)
        problems += _deep_health_check_problems(group, where) + flexible_problems(group, where)
        problems += auto_patch_problems(group, where)
    return problems


def _deep_health_check_problems(group: dict, where: str) -> list[Problem]:
    checks = group.get("deep_health_checks")
    if not (isinstance(checks, list) and checks):
        return []
    problems = []
    # SageMaker AI developer guide, deep health checks: they run on GPU and Trainium instances only.
    name = group.get("instance_type")
    known = isinstance(name, str) and instance_types.is_cluster_instance_type(name)
    kind = instance_types.lookup(name) if known else None
    if kind is not None and not kind.takes_deep_health_checks:
        problems.append(Problem(f"{where}.deep_health_checks", f"got {value_repr(checks)} on {kind.name}, which "
                                "has no GPU or Trainium; allowed: [] (deep health checks run on GPU and Trainium "
                                "instance types only)"))
    elif known and kind is None:
        problems.append(Problem(f"{where}.deep_health_checks", f"{value_repr(checks)} on "
                                f"{instance_types.normalize(name)}, whose accelerators this tool does not know: deep "
                                "health checks run on GPU and Trainium instance types only, and HyperPod refuses "
                                "them on other types", severity="warning"))
    count = group.get("instance_count")
    if "InstanceConnectivity" in checks and isinstance(count, int) and count < 2:
        problems.append(Problem(f"{where}.deep_health_checks", f"InstanceConnectivity with instance_count "
                                f"{count}: the connectivity check needs 2 or more instances and will not run",
                                severity="warning"))
    duplicates = sorted({c for c in checks if isinstance(c, str) and checks.count(c) > 1})
    if duplicates:
        problems.append(Problem(f"{where}.deep_health_checks", f"got {value_repr(checks)}; allowed: each check "
                                f"at most once ({', '.join(duplicates)} repeated)"))
    return problems
