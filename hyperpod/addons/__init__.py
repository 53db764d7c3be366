"""HyperPod's EKS add-ons and shared storage, one module each: training operator, task governance, observability,
FSx for Lustre (file system, and its CSI driver and Kubernetes volume), and the prerequisites they share.

Every add-on is pinned and created after the HyperPod cluster. `ClusterAddons` composes what the config enables;
`any_enabled` is false when nothing is enabled, and the stack then loads none of these modules' bindings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from hyperpod.runtime.core import ITerraformDependable
from hyperpod.runtime.helm.release import Release
from hyperpod.runtime.constructs import Construct

from hyperpod.config import HyperPodConfig
from hyperpod.eks import AwsContext, EksCluster


@dataclass(frozen=True)
class InstancePlacement:
    """Where the HyperPod instances run: what shared storage must sit next to."""

    vpc_id: str
    subnet_ids: Sequence[str] | str
    security_group_id: str


def any_enabled(config: HyperPodConfig) -> bool:
    addons = config.hyperpod_addons
    return (addons.training_operator.enabled or addons.task_governance.enabled or addons.observability.enabled
            or addons.inference_operator.enabled or config.hyperpod_fsx_lustre.enabled)


def _prefix(cluster_name: str, role: str) -> str:
    """IAM name_prefix allows 38 characters."""
    return f"{cluster_name[:24]}-{role}-"


class ClusterAddons(Construct):
    """The add-ons and shared storage the config enables, after `cluster` (and the chart release) exist."""

    def __init__(self, scope: Construct, id: str, *, config: HyperPodConfig, eks: EksCluster, aws: AwsContext,
                 cluster: ITerraformDependable, chart_release: Release | None, placement: InstancePlacement,
                 tags: Mapping[str, str], hyperpod_cluster_arn: str):
        super().__init__(scope, id)
        from hyperpod.addons.prerequisites import Prerequisites

        addons, fsx, name = config.hyperpod_addons, config.hyperpod_fsx_lustre, config.hyperpod_cluster_name
        self.prerequisites = Prerequisites(
            self, "prerequisites", addons=addons, cluster_name=eks.name, depends_on=[cluster],
            needs_cert_manager=addons.training_operator.enabled or addons.inference_operator.enabled,
            needs_pod_identity=addons.training_operator.enabled or addons.observability.enabled or fsx.enabled)
        after = [cluster, *self.prerequisites.installed]
        if addons.training_operator.enabled:
            from hyperpod.addons.training_operator import TrainingOperator
            self.training_operator = TrainingOperator(
                self, "training-operator", addon=addons.training_operator, eks=eks, aws=aws,
                role_name_prefix=_prefix(name, "hpto"), chart_release=chart_release, depends_on=after)
        if addons.task_governance.enabled:
            from hyperpod.addons.task_governance import TaskGovernance
            self.task_governance = TaskGovernance(self, "task-governance", addon=addons.task_governance, eks=eks,
                                                  hyperpod_cluster_arn=hyperpod_cluster_arn, tags=tags,
                                                  depends_on=after)
        if addons.observability.enabled:
            from hyperpod.addons.observability import Observability
            self.observability = Observability(
                self, "observability", addon=addons.observability, eks=eks, aws=aws, workspace_alias=f"{name}-hyperpod",
                role_name_prefix=_prefix(name, "obs"), depends_on=after)
        if fsx.enabled:
            self._shared_storage(config, eks, aws, placement, tags, after)
        if addons.inference_operator.enabled:
            from hyperpod.addons.inference_operator import InferenceOperator
            self.inference_operator = InferenceOperator(
                self, "inference-operator", addon=addons.inference_operator, eks=eks, aws=aws,
                hyperpod_cluster_name=name, hyperpod_cluster_arn=hyperpod_cluster_arn,
                fsx_csi_driver=self.fsx_volume.addon if fsx.enabled else None,
                prevent_destroy=config.hyperpod_prevent_destroy, depends_on=after)

    def _shared_storage(self, config, eks, aws, placement, tags, after) -> None:
        from hyperpod.addons.fsx_lustre import LustreFileSystem
        from hyperpod.addons.fsx_volume import FsxVolume

        fsx, name = config.hyperpod_fsx_lustre, config.hyperpod_cluster_name
        if fsx.file_system_id:
            file_system_id, dns_name, mount_name = fsx.file_system_id, fsx.dns_name, fsx.mount_name
        else:
            self.file_system = LustreFileSystem(
                self, "fsx-lustre", fsx=fsx, cluster_name=name, vpc_id=placement.vpc_id,
                instance_subnet_ids=placement.subnet_ids, instance_security_group_id=placement.security_group_id,
                prevent_destroy=config.hyperpod_prevent_destroy, tags=tags)
            file_system_id = self.file_system.id
            dns_name, mount_name = self.file_system.dns_name, self.file_system.mount_name
        self.fsx_file_system_id = file_system_id
        self.fsx_volume = FsxVolume(
            self, "fsx-volume", fsx=fsx, eks=eks, aws=aws, file_system_id=file_system_id, dns_name=dns_name,
            mount_name=mount_name, volume_name=f"{name.lower()}-fsx-lustre", role_name_prefix=_prefix(name, "fsx"),
            depends_on=after)
