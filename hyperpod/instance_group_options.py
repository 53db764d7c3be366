"""The awscc shapes of an instance group's newer settings: flexible instance types, the EFA network interface,
automatic patching and per-group file systems. Each is left out (None) when the config leaves it unset, so a config
that uses none of them synthesizes exactly what it did before."""

from __future__ import annotations

from typing import Any

from hyperpod.bindings.awscc import (
    AlarmDetails,
    AutoPatchConfig,
    CapacitySize,
    DeploymentConfig,
    InstanceRequirements,
    NetworkInterface,
    RollingUpdatePolicy,
)
from hyperpod.config import InstanceGroup
from hyperpod.config.tokens import terraform_literal


def group_options(group: InstanceGroup) -> dict[str, Any]:
    """Keyword arguments of `ClusterInstanceGroup` for the newer settings."""
    requirements = group.instance_requirements
    return {
        "instance_requirements": InstanceRequirements(instance_types=list(group.instance_types))
        if requirements is not None else None,
        "network_interface": NetworkInterface(interface_type=group.network_interface.interface_type)
        if group.network_interface is not None else None,
        "auto_patch_config": auto_patch_config(group),
    }


def auto_patch_config(group: InstanceGroup) -> AutoPatchConfig | None:
    patch = group.auto_patch_config
    if patch is None:
        return None
    deployment = patch.deployment_config
    return AutoPatchConfig(patching_strategy=patch.patching_strategy, deployment_config=None if deployment is None
                           else DeploymentConfig(
        rolling_update_policy=RollingUpdatePolicy(
            maximum_batch_size=CapacitySize(type=deployment.batch_type, value=deployment.batch_size)),
        wait_interval_in_seconds=deployment.wait_interval_seconds,
        # Alarm names may hold `${`: escaped so Terraform reads them as text, never as a template.
        auto_rollback_configuration=[AlarmDetails(alarm_name=terraform_literal(name))
                                     for name in deployment.rollback_alarms] or None))
