"""The awscc shapes of restricted instance groups (Amazon Nova customization) and their shared environment; both are
left out when the config has none, so other clusters synthesize exactly as before."""

from __future__ import annotations

from hyperpod.bindings.awscc import (
    EbsVolumeConfig,
    EnvironmentConfig,
    FsxLustreSize,
    InstanceStorageConfig,
    RestrictedInstanceGroup,
    RestrictedInstanceGroupsConfig,
    SharedEnvironmentConfig,
)
from hyperpod.config import HyperPodConfig
from hyperpod.config.restricted import RestrictedFsxLustre


def _size(fsx: RestrictedFsxLustre | None) -> FsxLustreSize | None:
    if fsx is None:
        return None
    return FsxLustreSize(size_in_gi_b=fsx.size_in_gib, per_unit_storage_throughput=fsx.per_unit_storage_throughput)


def restricted_instance_groups(config: HyperPodConfig, execution_role_arn: str) -> list[RestrictedInstanceGroup] | None:
    """The groups in the order given; they run no lifecycle scripts (the API takes none for them)."""
    return [RestrictedInstanceGroup(
        instance_group_name=group.name,
        instance_type=group.instance_type,
        instance_count=group.instance_count,
        execution_role=execution_role_arn,
        environment_config=EnvironmentConfig(fsx_lustre_config=_size(group.environment_config.fsx_lustre_config)),
        threads_per_core=group.threads_per_core,
        instance_storage_configs=[InstanceStorageConfig(EbsVolumeConfig(volume_size_in_gb=group.ebs_volume_gb))],
        on_start_deep_health_checks=list(group.deep_health_checks) or None,
        training_plan_arn=group.training_plan_arn,
    ) for group in config.restricted_instance_groups] or None


def restricted_instance_groups_config(config: HyperPodConfig) -> RestrictedInstanceGroupsConfig | None:
    settings = config.restricted_instance_groups_config
    if settings is None:
        return None
    shared = settings.shared_environment_config
    return RestrictedInstanceGroupsConfig(shared_environment_config=SharedEnvironmentConfig(
        fsx_lustre_config=_size(shared.fsx_lustre_config),
        fsx_lustre_deletion_policy=shared.fsx_lustre_deletion_policy))
