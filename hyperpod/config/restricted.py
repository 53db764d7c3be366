"""Restricted instance groups (RIG): groups for Amazon Nova model customization, each with a service-managed FSx for
Lustre environment, and the cluster-level environment they share.

Sources: SageMaker API reference, ClusterRestrictedInstanceGroupSpecification (name, type, count and EnvironmentConfig
required; no lifecycle configuration), FSxLustreConfig (SizeInGiB 1200-100800, PerUnitStorageThroughput 125-1000),
ClusterRestrictedInstanceGroupsConfig / ClusterSharedEnvironmentConfig (FSxLustreDeletionPolicy `Keep` or
`DeleteIfNotUsed`, and FSxLustreConfig, both required), ClusterInstanceGroupSpecification.InstanceGroupName (unique in
the cluster). What cannot be combined with them comes from AWS's own HyperPod Terraform (awslabs/awsome-distributed-ai,
1.architectures/7.sagemaker-hyperpod-eks/terraform-modules/README.md, "Restricted Instance Groups"): a cluster of
standard and restricted groups together is not supported; continuous provisioning and Karpenter autoscaling are off;
the training operator, task governance, observability and inference add-ons are not supported; the FSx for Lustre
file system is the service-managed one (its module is off). Its sizes: 125, 250, 500 or 1000 MB/s/TiB, and 1200 GiB
or a multiple of 2400 GiB (the FSx for Lustre persistent SSD steps, as in hyperpod/config/fsx_lustre.py).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from hyperpod.config.capacity import TrainingPlanArn
from hyperpod.config.errors import Problem, value_repr
from hyperpod.config.fields import ResourceName, Strict, choice_of_integers
from hyperpod.config.fsx_lustre import CAPACITY_STEP_GIB, SMALL_CAPACITIES_GIB

MAX_RESTRICTED_GROUPS = 100  # ClusterRestrictedInstanceGroupSpecifications: 1-100
DeepHealthCheck = Literal["InstanceStress", "InstanceConnectivity"]


def _known(value: str) -> str:
    from hyperpod.config.instance_groups import _known_instance_type

    return _known_instance_type(value)


class RestrictedFsxLustre(Strict):
    """A service-managed FSx for Lustre file system."""

    size_in_gib: int = Field(ge=1200, le=100800, description="Storage capacity: 1200 GiB or a multiple of 2400 GiB, "
                                                             "at most 100800.")
    per_unit_storage_throughput: choice_of_integers(125, 250, 500, 1000) = Field(
        description="Throughput in MB/s per TiB: 125, 250, 500 or 1000.")


class EnvironmentConfig(Strict):
    """The restricted group's environment."""

    fsx_lustre_config: RestrictedFsxLustre | None = Field(
        None, description="`{size_in_gib, per_unit_storage_throughput}` of the group's own FSx for Lustre.")


class RestrictedInstanceGroup(Strict):
    """A restricted instance group (Amazon Nova customization); it runs no lifecycle scripts."""

    name: ResourceName = Field(description="Group name, unique in the cluster (with the instance groups). Cannot "
                                           "change in place.")
    instance_type: Annotated[str, AfterValidator(_known)] = Field(description="HyperPod instance type. Cannot change "
                                                                              "in place.")
    instance_count: int = Field(ge=0, le=6758, description="Number of instances.")
    environment_config: EnvironmentConfig = Field(description="`{fsx_lustre_config?}`.")
    ebs_volume_gb: int = Field(500, ge=1, le=16384, description="Size of the secondary EBS volume.")
    threads_per_core: choice_of_integers(1, 2) = Field(1, description="1 or 2. Cannot change in place.")
    deep_health_checks: list[DeepHealthCheck] = Field(default_factory=list, max_length=2,
                                                      description="Deep health checks on new instances.")
    training_plan_arn: TrainingPlanArn | None = Field(None, description="Training plan whose capacity it runs on.")


class SharedEnvironment(Strict):
    """The FSx for Lustre file system the restricted groups share."""

    fsx_lustre_config: RestrictedFsxLustre = Field(description="`{size_in_gib, per_unit_storage_throughput}`.")
    fsx_lustre_deletion_policy: Literal["Keep", "DeleteIfNotUsed"] = Field(
        description="`Keep` keeps the file system when the restricted groups are deleted; `DeleteIfNotUsed` deletes "
                    "it once no restricted group uses it.")


class RestrictedInstanceGroupsConfig(Strict):
    """Cluster-level settings of the restricted instance groups."""

    shared_environment_config: SharedEnvironment = Field(description="`{fsx_lustre_config, "
                                                                     "fsx_lustre_deletion_policy}`.")


def restricted_problems(raw: dict) -> list[Problem]:
    """What AWS does not combine with restricted groups, unique names, and the FSx sizes; on raw data."""
    groups = raw.get("restricted_instance_groups")
    shared = raw.get("restricted_instance_groups_config")
    if not (isinstance(groups, list) and groups):
        if shared is not None:
            return [Problem("restricted_instance_groups_config", "got a shared environment without "
                            "restricted_instance_groups; allowed: null (it configures the restricted groups' shared "
                            "file system)")]
        return []
    problems = []
    where = "restricted_instance_groups"
    unsupported = "(AWS's HyperPod Terraform: not supported on a cluster with restricted instance groups)"
    if raw.get("hyperpod_instance_groups"):
        problems.append(Problem("hyperpod_instance_groups", "got standard instance groups with "
                                f"restricted_instance_groups; allowed: [] {unsupported}"))
    mode = raw.get("hyperpod_node_provisioning_mode", "Continuous")
    if mode is not None:
        problems.append(Problem("hyperpod_node_provisioning_mode", f"got {value_repr(mode)} with "
                                f"restricted_instance_groups; allowed: null (the standard mode) {unsupported}"))
    if isinstance(raw.get("hyperpod_autoscaling"), dict) and raw["hyperpod_autoscaling"].get("enabled") is True:
        problems.append(Problem("hyperpod_autoscaling.enabled", f"got true with {where}; allowed: false "
                                f"{unsupported}"))
    addons = raw.get("hyperpod_addons") if isinstance(raw.get("hyperpod_addons"), dict) else {}
    for addon in ("training_operator", "task_governance", "observability"):
        if isinstance(addons.get(addon), dict) and addons[addon].get("enabled") is True:
            problems.append(Problem(f"hyperpod_addons.{addon}.enabled", f"got true with {where}; allowed: false "
                                    f"{unsupported}"))
    if isinstance(raw.get("hyperpod_fsx_lustre"), dict) and raw["hyperpod_fsx_lustre"].get("enabled") is True:
        problems.append(Problem("hyperpod_fsx_lustre.enabled", f"got true with {where}; allowed: false (restricted "
                                "groups use the service-managed FSx for Lustre of environment_config and "
                                "restricted_instance_groups_config)"))
    problems += _name_problems(raw, groups)
    for index, group in enumerate(groups):
        fsx = ((group.get("environment_config") or {}) if isinstance(group, dict) else {})
        fsx = fsx.get("fsx_lustre_config") if isinstance(fsx, dict) else None
        problems += _size_problems(fsx, f"{where}[{index}].environment_config.fsx_lustre_config")
    if isinstance(shared, dict) and isinstance(shared.get("shared_environment_config"), dict):
        problems += _size_problems(shared["shared_environment_config"].get("fsx_lustre_config"),
                                   "restricted_instance_groups_config.shared_environment_config.fsx_lustre_config")
    return problems


def _name_problems(raw: dict, groups: list) -> list[Problem]:
    standard = raw.get("hyperpod_instance_groups")
    taken = {g.get("name"): f"hyperpod_instance_groups[{i}]" for i, g in
             enumerate(standard if isinstance(standard, list) else []) if isinstance(g, dict)}
    problems = []
    for index, group in enumerate(groups):
        name = group.get("name") if isinstance(group, dict) else None
        if not isinstance(name, str):
            continue
        if name in taken:
            problems.append(Problem(f"restricted_instance_groups[{index}].name", f"got {value_repr(name)}, already "
                                    f"the name of {taken[name]}; allowed: a name unique in the cluster"))
        taken.setdefault(name, f"restricted_instance_groups[{index}]")
    return problems


def _size_problems(fsx: object, where: str) -> list[Problem]:
    size = fsx.get("size_in_gib") if isinstance(fsx, dict) else None
    if not isinstance(size, int) or isinstance(size, bool) or size < 1200:
        return []  # the field check reports it
    if size in SMALL_CAPACITIES_GIB or size % CAPACITY_STEP_GIB == 0:
        return []
    return [Problem(f"{where}.size_in_gib", f"got {size}; allowed: 1200, 2400 or a multiple of 2400 GiB")]
