"""The awscc shapes of an instance group's newer settings: flexible instance types, the EFA network interface,
automatic patching and per-group file systems. Each is left out (None) when the config leaves it unset, so a config
that uses none of them synthesizes exactly what it did before."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import jsii
from hyperpod.runtime.core import IStringProducer, Lazy

from hyperpod.bindings.awscc import (
    AlarmDetails,
    AutoPatchConfig,
    CapacitySize,
    DeploymentConfig,
    EbsVolumeConfig,
    FsxLustreMount,
    FsxOpenZfsMount,
    InstanceRequirements,
    InstanceStorageConfig,
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


@dataclass(frozen=True)
class LustreLocation:
    """Where the stack's own FSx for Lustre file system is reached: literals for an existing one, tokens for the
    one the stack creates."""

    dns_name: str
    mount_name: str


@jsii.implements(IStringProducer)
class _Later:
    def __init__(self, produce: Callable[[], str]):
        self._produce = produce

    def produce(self, context) -> str:
        return self._produce()


def lazy_location(dns_name: Callable[[], str], mount_name: Callable[[], str]) -> LustreLocation:
    """A location read at synthesis time: the created file system is built after the cluster that mounts it (with
    the add-ons), and Terraform orders them by the reference."""
    return LustreLocation(Lazy.string_value(_Later(dns_name)), Lazy.string_value(_Later(mount_name)))


def extra_storage(group: InstanceGroup, stack_file_system: LustreLocation | None) -> list[InstanceStorageConfig]:
    """The group's storage entries after its secondary EBS volume, in the order configured."""
    entries = []
    for entry in group.instance_storage_configs or ():
        if entry.ebs_volume_config is not None:
            entries.append(InstanceStorageConfig(ebs_volume_config=EbsVolumeConfig(
                root_volume=True, volume_kms_key_id=entry.ebs_volume_config.volume_kms_key_id)))
        elif entry.fsx_open_zfs_config is not None:
            zfs = entry.fsx_open_zfs_config
            entries.append(InstanceStorageConfig(fsx_open_zfs_config=FsxOpenZfsMount(dns_name=zfs.dns_name,
                                                                                     mount_path=zfs.mount_path)))
        elif entry.fsx_lustre_config is not None:
            lustre = entry.fsx_lustre_config
            if lustre.stack_file_system:
                if stack_file_system is None:
                    raise ValueError(f"instance group {group.name}: stack_file_system needs hyperpod_fsx_lustre")
                dns_name, mount_name = stack_file_system.dns_name, stack_file_system.mount_name
            else:
                dns_name, mount_name = lustre.dns_name, lustre.mount_name
            entries.append(InstanceStorageConfig(fsx_lustre_config=FsxLustreMount(
                dns_name=dns_name, mount_name=mount_name, mount_path=lustre.mount_path)))
    return entries


def root_volume_keys(group: InstanceGroup) -> list[str]:
    """Customer managed keys of the group's root volume (the execution role needs a grant on each)."""
    return [entry.ebs_volume_config.volume_kms_key_id for entry in group.instance_storage_configs or ()
            if entry.ebs_volume_config is not None]
