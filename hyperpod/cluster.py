"""The HyperPod cluster itself (`awscc_sagemaker_cluster`) and the network its instances share."""

from __future__ import annotations

from typing import Mapping, Sequence

from cdktf import Fn, ITerraformDependable, Precondition, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from hyperpod.bindings.awscc import (
    ClusterInstanceGroup,
    EbsVolumeConfig,
    EksOrchestrator,
    InstanceStorageConfig,
    LifeCycleConfig,
    Orchestrator,
    SagemakerCluster,
    SagemakerClusterConfig,
    Tag,
    VpcConfig,
)
from hyperpod.config import HyperPodConfig, InstanceGroup, is_token
from hyperpod.config.tags import SECURITY_GROUP_NAME_TAG  # the tag rules count it
from hyperpod.eks import SUPPORTED_AUTHENTICATION_MODES, EksCluster
from hyperpod.lifecycle_scripts import LifecycleScripts

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
                           on_create: str) -> ClusterInstanceGroup:
    return ClusterInstanceGroup(
        instance_group_name=group.name,
        instance_type=group.instance_type,
        instance_count=group.instance_count,
        execution_role=execution_role_arn,
        life_cycle_config=LifeCycleConfig(source_s3_uri=source_s3_uri, on_create=on_create),
        threads_per_core=group.threads_per_core,
        instance_storage_configs=[InstanceStorageConfig(EbsVolumeConfig(volume_size_in_gb=group.ebs_volume_gb))],
        # The API takes 1-2 checks: an empty list is left out rather than sent.
        on_start_deep_health_checks=list(group.deep_health_checks) or None,
    )


class HyperPodCluster(Construct):
    """`awscc_sagemaker_cluster` orchestrated by an existing EKS cluster, groups in the order given."""

    def __init__(self, scope: Construct, id: str, *, config: HyperPodConfig, eks: EksCluster,
                 execution_role_arn: str, lifecycle: LifecycleScripts, vpc: VpcConfig,
                 depends_on: Sequence[ITerraformDependable] = ()):
        super().__init__(scope, id)
        mode = eks.authentication_mode
        if not is_token(mode) and mode not in SUPPORTED_AUTHENTICATION_MODES:
            raise ValueError(f"EKS cluster {eks.name}: authentication mode {mode!r}: {AUTH_MODE_MESSAGE}")
        self.resource = SagemakerCluster(
            self, "cluster",
            SagemakerClusterConfig(
                cluster_name=config.hyperpod_cluster_name,
                instance_groups=[cluster_instance_group(group, execution_role_arn=execution_role_arn,
                                                        source_s3_uri=lifecycle.source_s3_uri,
                                                        on_create=lifecycle.on_create)
                                 for group in config.hyperpod_instance_groups],
                orchestrator=Orchestrator(eks=EksOrchestrator(cluster_arn=eks.arn)),
                vpc_config=vpc,
                node_recovery=config.hyperpod_node_recovery,
                tags=[Tag(key=key, value=config.tags[key]) for key in sorted(config.tags)],
            ),
            # Nodes must not boot before their scripts exist and the HyperPod chart is installed.
            depends_on=[*lifecycle.objects, *depends_on],
            lifecycle=TerraformResourceLifecycle(
                prevent_destroy=config.hyperpod_prevent_destroy,
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
