"""The awscc shapes of an instance group's newer settings: flexible instance types, the EFA network interface,
automatic patching and per-group file systems. Each is left out (None) when the config leaves it unset, so a config
that uses none of them synthesizes exactly what it did before."""

from __future__ import annotations

from typing import Any

from hyperpod.bindings.awscc import InstanceRequirements, NetworkInterface
from hyperpod.config import InstanceGroup


def group_options(group: InstanceGroup) -> dict[str, Any]:
    """Keyword arguments of `ClusterInstanceGroup` for the newer settings."""
    requirements = group.instance_requirements
    return {
        "instance_requirements": InstanceRequirements(instance_types=list(group.instance_types))
        if requirements is not None else None,
        "network_interface": NetworkInterface(interface_type=group.network_interface.interface_type)
        if group.network_interface is not None else None,
    }
