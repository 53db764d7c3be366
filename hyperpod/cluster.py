"""The HyperPod cluster itself (`awscc_sagemaker_cluster`) and the network its instances share."""

from __future__ import annotations

from typing import Mapping, Sequence

from hyperpod.runtime.core import Fn, ITerraformDependable, Precondition, TerraformResourceLifecycle
from hyperpod.runtime.aws.security_group import SecurityGroup
from hyperpod.runtime.aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from hyperpod.runtime.aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from hyperpod.runtime.constructs import Construct

from hyperpod.bindings.awscc import (
    AlarmDetails,
    AutoScaling,
    CapacityRequirements,
    CapacitySize,
    ClusterInstanceGroup,
    DeploymentConfig,
    EbsVolumeConfig,
    EksOrchestrator,
    InstanceStorageConfig,
    KubernetesConfig,
    KubernetesTaint,
    LifeCycleConfig,
    Orchestrator,
    RollingUpdatePolicy,
    SagemakerCluster,
    SagemakerClusterConfig,
    ScheduledUpdateConfig,
    Tag,
    TieredStorageConfig,
    VpcConfig,
)
from hyperpod.config import HyperPodConfig, InstanceGroup, is_token
from hyperpod.config.addons import cluster_tags
from hyperpod.config.capacity import ScheduledUpdate
from hyperpod.config.tags import SECURITY_GROUP_NAME_TAG  # the tag rules count it
from hyperpod.config.tokens import terraform_literal
from hyperpod.eks import SUPPORTED_AUTHENTICATION_MODES, EksCluster
from hyperpod.instance_group_options import LustreLocation, extra_storage, group_options
from hyperpod.lifecycle_bucket import LifecycleScripts
from hyperpod.restricted_groups import restricted_instance_groups, restricted_instance_groups_config

AUTH_MODE_MESSAGE = (
    "HyperPod needs the EKS cluster's authentication mode to be API or API_AND_CONFIG_MAP (HyperPod creates its own "
    "access entry); CONFIG_MAP clusters must switch first: aws eks update-cluster-config --name <eks-cluster> "
    "--access-config authenticationMode=API_AND_CONFIG_MAP"
)


class InstanceNetwork(Construct):
    """A security group that lets HyperPod instances reach each other on every port (EFA and NCCL need it).

    Outbound traffic to AWS services leaves through the EKS cluster security group the instances also carry.
    """

    def __init__(self, scope: Construct, id: str, *, cluster_name: str, vpc_id: str, tags: Mapping[str, str]):
        super().__init__(scope, id)
        self.security_group = SecurityGroup(
            self, "instances", name_prefix=f"{cluster_name[:40]}-instances-", vpc_id=vpc_id,
            description="HyperPod instances: all traffic between members (EFA/NCCL)",
            tags={**tags, SECURITY_GROUP_NAME_TAG: f"{cluster_name}-hyperpod-instances"},
        )
        VpcSecurityGroupIngressRule(
            self, "from-members", security_group_id=self.security_group.id, ip_protocol="-1",
            referenced_security_group_id=self.security_group.id, description="All traffic from HyperPod instances")
        VpcSecurityGroupEgressRule(
            self, "to-members", security_group_id=self.security_group.id, ip_protocol="-1",
            referenced_security_group_id=self.security_group.id, description="All traffic to HyperPod instances")

    @property
    def security_group_id(self) -> str:
        return self.security_group.id


def cluster_instance_group(group: InstanceGroup, *, execution_role_arn: str, source_s3_uri: str,
                           on_create: str, cluster_vpc: VpcConfig | None = None,
                           stack_file_system: LustreLocation | None = None) -> ClusterInstanceGroup:
    """The awscc shape of one group; keys the group leaves unset are left out, so its output stays as before."""
    return ClusterInstanceGroup(
        instance_group_name=group.name,
        instance_type=group.instance_type,
        instance_count=group.instance_count,
        execution_role=execution_role_arn,
        life_cycle_config=LifeCycleConfig(source_s3_uri=source_s3_uri, on_create=on_create),
        threads_per_core=group.threads_per_core,
        instance_storage_configs=[InstanceStorageConfig(EbsVolumeConfig(volume_size_in_gb=group.ebs_volume_gb,
                                                                        volume_kms_key_id=group.ebs_kms_key_id)),
                                  *extra_storage(group, stack_file_system)],
        # The API takes 1-2 checks: an empty list is left out rather than sent.
        on_start_deep_health_checks=list(group.deep_health_checks) or None,
        kubernetes_config=kubernetes_config(group),
        training_plan_arn=group.training_plan_arn,
        image_id=group.image_id,
        override_vpc_config=override_vpc_config(group, cluster_vpc),
        capacity_requirements=capacity_requirements(group.capacity_type),
        min_instance_count=group.min_instance_count,
        scheduled_update_config=scheduled_update_config(group.scheduled_update),
        **group_options(group),
    )


def kubernetes_config(group: InstanceGroup) -> KubernetesConfig | None:
    """Labels and taints are one desired state in the API (what is left out is removed): once a group sets either,
    both are sent, the unset one as an empty map or list. Omitting the attribute would keep the provider's state
    (an emptied config that never clears, hashicorp/terraform-provider-awscc#3025); `{}` and `[]` really clear."""
    if group.labels is None and group.taints is None:
        return None
    taints = [KubernetesTaint(key=t.key, effect=t.effect, value=t.value) for t in group.taints or []]
    return KubernetesConfig(labels=dict(sorted((group.labels or {}).items())), taints=taints)


def override_vpc_config(group: InstanceGroup, cluster_vpc: VpcConfig | None) -> VpcConfig | None:
    """The API needs both lists: a group that names only one takes the other from the cluster."""
    if group.subnet_ids is None and group.security_group_ids is None:
        return None
    if cluster_vpc is None:
        raise ValueError(f"instance group {group.name}: subnet_ids/security_group_ids need the cluster's VPC config")
    # The cluster's lists may be single list tokens (the EKS cluster's subnets): pass them on whole.
    return VpcConfig(security_group_ids=group.security_group_ids or cluster_vpc.security_group_ids,
                     subnets=group.subnet_ids or cluster_vpc.subnets)


def capacity_requirements(capacity_type: str | None) -> CapacityRequirements | None:
    if capacity_type is None:
        return None
    # Each option is a JSON object with no settings today; awscc types it as a JSON string.
    return CapacityRequirements(spot="{}") if capacity_type == "spot" else CapacityRequirements(on_demand="{}")


def scheduled_update_config(update: ScheduledUpdate | None) -> ScheduledUpdateConfig | None:
    if update is None:
        return None
    return ScheduledUpdateConfig(
        schedule_expression=update.schedule_expression,
        deployment_config=DeploymentConfig(
            rolling_update_policy=RollingUpdatePolicy(
                maximum_batch_size=CapacitySize(type=update.batch_type, value=update.batch_size)),
            wait_interval_in_seconds=update.wait_interval_seconds,
            auto_rollback_configuration=[AlarmDetails(alarm_name=terraform_literal(name)) for name in update.rollback_alarms] or None,
        ))


def autoscaled_group_paths(config: HyperPodConfig) -> list[str]:
    """`instance_groups[i].instance_count` of every group Karpenter scales: Terraform must not set them back."""
    scaling = config.hyperpod_autoscaling
    if not scaling.enabled:
        return []
    return [f"instance_groups[{index}].instance_count"
            for index, group in enumerate(config.hyperpod_instance_groups) if group.name in scaling.instance_groups]


# An omitted attribute keeps what the provider last stored, so switching a feature off must be said out loud:
# `enabled: false` written in the config sends mode Disable; a config that never mentions the feature sends nothing.

def auto_scaling(config: HyperPodConfig) -> AutoScaling | None:
    scaling = config.hyperpod_autoscaling
    if scaling.enabled:
        return AutoScaling(mode="Enable", auto_scaler_type="Karpenter")
    return AutoScaling(mode="Disable") if "enabled" in scaling.model_fields_set else None


def tiered_storage_config(config: HyperPodConfig) -> TieredStorageConfig | None:
    storage = config.hyperpod_tiered_storage
    if not storage.enabled:
        return TieredStorageConfig(mode="Disable") if "enabled" in storage.model_fields_set else None
    return TieredStorageConfig(mode="Enable",
                               instance_memory_allocation_percentage=storage.instance_memory_allocation_percentage)


class HyperPodCluster(Construct):
    """`awscc_sagemaker_cluster` orchestrated by an existing EKS cluster, groups in the order given."""

    def __init__(self, scope: Construct, id: str, *, config: HyperPodConfig, eks: EksCluster,
                 execution_role_arn: str, lifecycle: LifecycleScripts | None, vpc: VpcConfig,
                 cluster_role_arn: str | None = None, depends_on: Sequence[ITerraformDependable] = (),
                 stack_file_system: LustreLocation | None = None):
        super().__init__(scope, id)
        mode = eks.authentication_mode
        if not is_token(mode) and mode not in SUPPORTED_AUTHENTICATION_MODES:
            raise ValueError(f"EKS cluster {eks.name}: authentication mode {mode!r}: {AUTH_MODE_MESSAGE}")
        self.resource = SagemakerCluster(
            self, "cluster",
            SagemakerClusterConfig(
                cluster_name=config.hyperpod_cluster_name,
                # None, not []: a cluster of restricted groups only sends no instance groups (the API takes 1-100).
                instance_groups=[cluster_instance_group(group, execution_role_arn=execution_role_arn,
                                                        source_s3_uri=lifecycle.source_s3_uri,
                                                        on_create=lifecycle.on_create, cluster_vpc=vpc,
                                                        stack_file_system=stack_file_system)
                                 for group in config.hyperpod_instance_groups] or None,
                orchestrator=Orchestrator(eks=EksOrchestrator(cluster_arn=eks.arn)),
                vpc_config=vpc,
                node_recovery=config.hyperpod_node_recovery,
                tags=[Tag(key=key, value=value) for key, value in sorted(cluster_tags(config).items())],
                node_provisioning_mode=config.hyperpod_node_provisioning_mode,
                auto_scaling=auto_scaling(config),
                cluster_role=cluster_role_arn if config.hyperpod_autoscaling.enabled else None,
                tiered_storage_config=tiered_storage_config(config),
                restricted_instance_groups=restricted_instance_groups(config, execution_role_arn),
                restricted_instance_groups_config=restricted_instance_groups_config(config),
            ),
            # Nodes must not boot before their scripts exist and the HyperPod chart is installed.
            depends_on=[*(lifecycle.objects if lifecycle else ()), *depends_on],
            lifecycle=TerraformResourceLifecycle(
                prevent_destroy=config.hyperpod_prevent_destroy,
                # Karpenter owns the counts of autoscaled groups; the next apply must not undo its scaling.
                ignore_changes=autoscaled_group_paths(config) or None,
                precondition=[Precondition(
                    condition=Fn.contains(list(SUPPORTED_AUTHENTICATION_MODES), mode),
                    error_message=AUTH_MODE_MESSAGE)],
            ),
        )

    @property
    def arn(self) -> str:
        return self.resource.cluster_arn

    @property
    def name(self) -> str:
        return self.resource.cluster_name

    @property
    def status(self) -> str:
        return self.resource.cluster_status
