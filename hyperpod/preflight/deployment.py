"""What a config would deploy, as the facts the checks compare with AWS: instance groups and where they go, the ARNs
and keys it names, the add-ons the stack installs. Read from the validated config model, never re-parsed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hyperpod import instance_types


@dataclass(frozen=True)
class Group:
    index: int
    name: str
    instance_type: str  # with the ml. prefix
    count: int
    spot: bool
    subnets: tuple[str, ...] | None  # None: the cluster's subnets
    security_groups: tuple[str, ...] | None  # None: the cluster's security groups
    training_plan_arn: str | None
    autoscaled: bool

    @property
    def where(self) -> str:
        return f"hyperpod_instance_groups[{self.index}]"

    @property
    def efa(self) -> bool:
        kind = instance_types.lookup(self.instance_type)
        return kind is not None and kind.efa_interfaces > 0


@dataclass(frozen=True)
class Deployment:
    path: Path
    config: object  # HyperPodConfig
    region: str

    @property
    def cluster_name(self) -> str | None:
        return self.config.hyperpod_cluster_name if self.config.hyperpod_enabled else None

    @property
    def eks_cluster(self) -> str:
        return self.config.eks_cluster_name

    def groups(self) -> tuple[Group, ...]:
        if not self.config.hyperpod_enabled:
            return ()
        scaled = set(self.config.hyperpod_autoscaling.instance_groups) if self.config.hyperpod_autoscaling.enabled \
            else set()
        return tuple(Group(index, g.name, instance_types.normalize(g.instance_type), g.instance_count,
                           g.capacity_type == "spot", tuple(g.subnet_ids) if g.subnet_ids else None,
                           tuple(g.security_group_ids) if g.security_group_ids else None, g.training_plan_arn,
                           g.name in scaled)
                     for index, g in enumerate(self.config.hyperpod_instance_groups))

    def group_subnets(self, group: Group, eks_subnets: tuple[str, ...]) -> tuple[str, ...]:
        """A group's subnets: its override, else hyperpod_subnet_ids, else the EKS cluster's (CreateCluster
        VpcConfig / OverrideVpcConfig)."""
        return group.subnets or tuple(self.config.hyperpod_subnet_ids or ()) or eks_subnets

    def group_security_groups(self, group: Group, cluster_security_group: str | None) -> tuple[str, ...]:
        """The security groups a group's instances carry besides the one the stack creates: its override, else the
        EKS cluster security group and hyperpod_security_group_ids (hyperpod/stack.py)."""
        if group.security_groups:
            return group.security_groups
        return tuple(([cluster_security_group] if cluster_security_group else [])
                     + list(self.config.hyperpod_security_group_ids))

    def arns(self) -> list[tuple[str, str]]:
        """Every ARN the config names, with its path: training plans, KMS keys, the autoscaler role, the Prometheus
        workspace."""
        config = self.config
        found = []
        for index, group in enumerate(config.hyperpod_instance_groups):
            for key in ("training_plan_arn", "ebs_kms_key_id"):
                if getattr(group, key):
                    found.append((f"hyperpod_instance_groups[{index}].{key}", getattr(group, key)))
        if config.hyperpod_fsx_lustre.enabled and config.hyperpod_fsx_lustre.kms_key_id:
            found.append(("hyperpod_fsx_lustre.kms_key_id", config.hyperpod_fsx_lustre.kms_key_id))
        if config.hyperpod_autoscaling.enabled and config.hyperpod_autoscaling.cluster_role_arn:
            found.append(("hyperpod_autoscaling.cluster_role_arn", config.hyperpod_autoscaling.cluster_role_arn))
        observability = config.hyperpod_addons.observability
        if observability.enabled and observability.prometheus_workspace_arn:
            found.append(("hyperpod_addons.observability.prometheus_workspace_arn",
                          observability.prometheus_workspace_arn))
        return found

    def kms_keys(self) -> list[tuple[str, str]]:
        return [(where, arn) for where, arn in self.arns() if ":kms:" in arn]

    def alarm_names(self) -> list[str]:
        return sorted({alarm for group in self.config.hyperpod_instance_groups if group.scheduled_update
                       for alarm in group.scheduled_update.rollback_alarms})


def parse_arn(arn: str) -> dict[str, str]:
    """arn:partition:service:region:account:resource (AWS General Reference, "Amazon Resource Names")."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return {}
    return dict(zip(("arn", "partition", "service", "region", "account", "resource"), parts))
