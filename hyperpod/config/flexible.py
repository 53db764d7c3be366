"""Flexible instance groups (several instance types in one group) and the group's EFA network interface.

Sources: SageMaker API reference, ClusterInstanceGroupSpecification ("The InstanceType and InstanceRequirements
properties are mutually exclusive"), ClusterInstanceRequirements (InstanceTypes: 1-20 members, in priority order:
HyperPod provisions the first type it has capacity for) and ClusterNetworkInterface (InterfaceType `efa` or
`efa-only`); which types carry EFA is the EC2 specification of each type (hyperpod/instance_types.py, from the Amazon
EC2 user guide, "Supported instance types" for Elastic Fabric Adapter).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from hyperpod import instance_types
from hyperpod.config.errors import Problem, value_repr
from hyperpod.config.fields import Strict

MAX_FLEXIBLE_TYPES = 20  # ClusterInstanceRequirements.InstanceTypes: at most 20 members


def _known(value: str) -> str:
    # The single-type rule and its message live with the instance group (imported here to avoid a cycle).
    from hyperpod.config.instance_groups import _known_instance_type

    return _known_instance_type(value)


class InstanceRequirements(Strict):
    """A flexible instance group: HyperPod provisions the first listed type it has capacity for."""

    instance_types: list[Annotated[str, AfterValidator(_known)]] = Field(
        min_length=1, max_length=MAX_FLEXIBLE_TYPES,
        description="1-20 HyperPod instance types in priority order (the `ml.` prefix is optional).")


class NetworkInterface(Strict):
    """The network interface of the group's instances."""

    interface_type: Literal["efa", "efa-only"] = Field(
        description="`efa` (EFA with ENA: low-latency fabric and IP networking) or `efa-only` (the EFA device "
                    "only). Every type of the group must support EFA.")


def group_instance_types(group: dict) -> list[str]:
    """The instance types a raw group names (its `instance_type`, or every `instance_requirements` type) that are
    known to this project, normalized; unknown ones are reported by the field checks."""
    names = [group.get("instance_type")]
    requirements = group.get("instance_requirements")
    if isinstance(requirements, dict) and isinstance(requirements.get("instance_types"), list):
        names = requirements["instance_types"]
    return [instance_types.normalize(name) for name in names
            if isinstance(name, str) and instance_types.lookup(name) is not None]


def flexible_problems(group: dict, where: str) -> list[Problem]:
    """One of instance_type or instance_requirements; EFA only on EFA-capable types."""
    problems = []
    has_type, has_requirements = group.get("instance_type") is not None, "instance_requirements" in group \
        and group["instance_requirements"] is not None
    if has_type and has_requirements:
        problems.append(Problem(f"{where}.instance_requirements", "got both instance_type and "
                                "instance_requirements; allowed: one of them (the SageMaker API takes either one "
                                "instance type or a flexible list, never both)"))
    elif not has_type and not has_requirements:
        problems.append(Problem(f"{where}.instance_type", "required key is missing; allowed: an instance type "
                                "such as ml.g5.48xlarge, or instance_requirements.instance_types for a flexible group"))
    problems += _flexible_deep_health_checks(group, where)
    interface = group.get("network_interface")
    if isinstance(interface, dict) and interface.get("interface_type") in ("efa", "efa-only"):
        without = [name for name in group_instance_types(group) if not instance_types.lookup(name).efa_interfaces]
        if without:
            problems.append(Problem(f"{where}.network_interface.interface_type", f"got "
                                    f"{value_repr(interface['interface_type'])} with {', '.join(without)}, which has "
                                    "no Elastic Fabric Adapter; allowed: an EFA interface only when every instance "
                                    "type of the group supports EFA (such as ml.p5.48xlarge, ml.g5.48xlarge, "
                                    "ml.trn1.32xlarge), or leave network_interface out"))
    return problems


def _flexible_deep_health_checks(group: dict, where: str) -> list[Problem]:
    """The single-type rule (instance_groups.py) over every type of a flexible group: HyperPod runs deep health
    checks on GPU and Trainium instances only (SageMaker HyperPod user guide, "Deep health checks")."""
    if group.get("instance_type") is not None or not group.get("deep_health_checks"):
        return []
    plain = [name for name in group_instance_types(group) if not instance_types.lookup(name).takes_deep_health_checks]
    if not plain:
        return []
    return [Problem(f"{where}.deep_health_checks", f"got {value_repr(group['deep_health_checks'])} with "
                    f"{', '.join(plain)} among the group's instance types, which has no GPU or Trainium; allowed: [] "
                    "or only GPU and Trainium types in instance_requirements (deep health checks run on those only)")]
