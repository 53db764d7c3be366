"""`HyperPod`, the construct that composes a HyperPod deployment, and `HyperPodStack`, a ready stack around it."""

from __future__ import annotations

from typing import Mapping

from hyperpod.runtime.core import Fn, TerraformOutput, TerraformStack
from hyperpod.runtime.aws.provider import AwsProvider, AwsProviderDefaultTags
from hyperpod.runtime.helm.provider import HelmProvider, HelmProviderKubernetes, HelmProviderKubernetesExec
from hyperpod.runtime.constructs import Construct

from hyperpod import addons as eks_addons, instance_types
from hyperpod.helm_chart import DevicePlugins, HyperPodHelmDependencies
from hyperpod.autoscaling import AutoscalerRole, KarpenterNodes
from hyperpod.bindings.awscc import AwsccProvider, VpcConfig
from hyperpod.bindings.kubernetes import KubernetesProvider
from hyperpod.cluster import HyperPodCluster, InstanceNetwork
from hyperpod.config import HyperPodConfig
from hyperpod.config.tags import DEFAULT_TAGS  # the tag rules count them
from hyperpod.eks import AwsContext, EksCluster, ExistingEksCluster
from hyperpod.execution_role import ExecutionRole, role_name_prefix
from hyperpod.instance_group_options import LustreLocation, lazy_location, root_volume_keys
from hyperpod.lifecycle_bucket import LifecycleScripts, LifecycleScriptsBucket
from hyperpod.state_backend import declare_backend



def device_plugins(config: HyperPodConfig) -> DevicePlugins:
    needed = instance_types.device_plugins_needed(
        name for group in config.hyperpod_instance_groups for name in group.instance_types)
    return DevicePlugins(nvidia="nvidia" in needed, neuron="neuron" in needed, efa="efa" in needed)


def kubernetes_providers(scope: Construct, *, cluster_name: str, region: str, endpoint: str,
                         certificate_authority_data: str) -> None:
    """The helm and kubernetes providers, authenticated to an EKS cluster with `aws eks get-token` on the machine
    that plans: what the HyperPod chart, the add-ons' Kubernetes objects and Karpenter's objects are applied with.
    Any value may be a token from another stack."""
    token_args = ["eks", "get-token", "--cluster-name", cluster_name, "--region", region, "--output", "json"]
    ca = Fn.base64decode(certificate_authority_data)
    HelmProvider(scope, "helm", kubernetes=HelmProviderKubernetes(
        host=endpoint, cluster_ca_certificate=ca,
        exec=HelmProviderKubernetesExec(api_version="client.authentication.k8s.io/v1beta1", command="aws",
                                        args=token_args)))
    KubernetesProvider(scope, "kubernetes", host=endpoint, cluster_ca_certificate=ca,
                       exec_api_version="client.authentication.k8s.io/v1beta1", exec_command="aws",
                       exec_args=token_args)


class HyperPod(Construct):
    """A HyperPod cluster on an existing EKS cluster: execution role, lifecycle scripts bucket, HyperPod Helm chart
    (installed first), instance security group and the cluster. Usable in any stack that declares the aws, awscc
    and helm providers; `eks` values may be tokens from other stacks."""

    def __init__(self, scope: Construct, id: str, *, config: HyperPodConfig, eks: EksCluster, aws: AwsContext,
                 lifecycle_scripts: Mapping[str, str]):
        super().__init__(scope, id)
        if not config.hyperpod_enabled:
            raise ValueError("HyperPod construct created with hyperpod_enabled false; create it only when enabled")
        self.config = config
        name = config.hyperpod_cluster_name
        tags = {**DEFAULT_TAGS, **config.tags}

        # Restricted instance groups run no lifecycle scripts: a cluster of them only has no bucket (as in AWS's own
        # HyperPod Terraform, which turns its bucket and lifecycle modules off for them).
        self.bucket = self.lifecycle_scripts = None
        if config.hyperpod_instance_groups:
            self.bucket = LifecycleScriptsBucket(self, "lifecycle-bucket", cluster_name=name,
                                                 bucket_name=config.lifecycle_scripts_bucket_name,
                                                 prevent_destroy=config.hyperpod_prevent_destroy)
            self.lifecycle_scripts = LifecycleScripts(self, "lifecycle-scripts", bucket=self.bucket.bucket,
                                                      scripts=lifecycle_scripts)

        security_group_ids = [eks.cluster_security_group_id, *config.hyperpod_security_group_ids]
        if config.hyperpod_create_security_group:
            self.network = InstanceNetwork(self, "network", cluster_name=name, vpc_id=eks.vpc_id, tags=tags)
            security_group_ids.insert(0, self.network.security_group_id)
        subnet_ids = list(config.hyperpod_subnet_ids) if config.hyperpod_subnet_ids else eks.subnet_ids

        self.execution_role = ExecutionRole(
            self, "execution-role", role_name_prefix=role_name_prefix(name), aws=aws, eks_cluster_arn=eks.arn,
            lifecycle_bucket_arn=self.bucket.bucket.arn if self.bucket else None, vpc_id=eks.vpc_id,
            subnet_ids=subnet_ids, security_group_ids=security_group_ids,
            ebs_kms_key_arns=[*(g.ebs_kms_key_id for g in config.hyperpod_instance_groups if g.ebs_kms_key_id),
                              *(key for g in config.hyperpod_instance_groups for key in root_volume_keys(g))],
            group_subnet_ids=[s for g in config.hyperpod_instance_groups for s in g.subnet_ids or ()],
            group_security_group_ids=[s for g in config.hyperpod_instance_groups for s in g.security_group_ids or ()])

        depends_on = []
        if config.hyperpod_install_helm_dependencies:
            self.helm_dependencies = HyperPodHelmDependencies(
                self, "helm-dependencies", chart=config.hyperpod_helm_chart, region=config.region or aws.region,
                training_operator=config.hyperpod_enable_training_operator, device_plugins=device_plugins(config))
            depends_on.append(self.helm_dependencies.release)

        scaling = config.hyperpod_autoscaling
        cluster_role_arn = scaling.cluster_role_arn
        if scaling.enabled and cluster_role_arn is None:
            self.autoscaler_role = AutoscalerRole(self, "autoscaler-role", aws=aws,
                                                  role_name_prefix=f"{name[:26]}-scaler-")
            cluster_role_arn = self.autoscaler_role.arn

        self.cluster = HyperPodCluster(
            self, "cluster", config=config, eks=eks, execution_role_arn=self.execution_role.arn,
            lifecycle=self.lifecycle_scripts,
            vpc=VpcConfig(security_group_ids=security_group_ids, subnets=subnet_ids),
            cluster_role_arn=cluster_role_arn, depends_on=depends_on,
            stack_file_system=self._stack_file_system(config))
        if scaling.enabled:
            self.karpenter = KarpenterNodes(self, "karpenter", name=name.lower(),
                                            instance_groups=scaling.instance_groups, cluster=self.cluster.resource)

        self.cluster_addons = None
        if eks_addons.any_enabled(config):
            self.cluster_addons = eks_addons.ClusterAddons(
                self, "cluster-addons", config=config, eks=eks, aws=aws, cluster=self.cluster.resource,
                hyperpod_cluster_arn=self.cluster.arn,
                chart_release=self.helm_dependencies.release if config.hyperpod_install_helm_dependencies else None,
                placement=eks_addons.InstancePlacement(vpc_id=eks.vpc_id, subnet_ids=subnet_ids,
                                                       security_group_id=security_group_ids[0]),
                tags=tags)


    def _stack_file_system(self, config: HyperPodConfig) -> LustreLocation | None:
        """Where groups that mount `stack_file_system` find it: the existing file system's names, or the created
        one's (built later, with the add-ons, so read at synthesis time)."""
        fsx = config.hyperpod_fsx_lustre
        if not fsx.enabled:
            return None
        if fsx.file_system_id:
            return LustreLocation(dns_name=fsx.dns_name, mount_name=fsx.mount_name)
        return lazy_location(lambda: self.cluster_addons.file_system.dns_name,
                             lambda: self.cluster_addons.file_system.mount_name)


class HyperPodStack(TerraformStack):
    """Providers, the EKS cluster looked up by name, `HyperPod` when enabled, and the module's outputs."""

    def __init__(self, scope: Construct, id: str, *, config: HyperPodConfig, lifecycle_scripts: Mapping[str, str]):
        super().__init__(scope, id)
        declare_backend(self, config.stack_name, config.state)
        AwsProvider(self, "aws", region=config.region,
                    default_tags=[AwsProviderDefaultTags(tags={**DEFAULT_TAGS, **config.tags})])
        self.hyperpod: HyperPod | None = None
        if not config.hyperpod_enabled:
            return

        existing = ExistingEksCluster(self, "eks", cluster_name=config.eks_cluster_name)
        eks, aws = existing.cluster, existing.aws
        region = config.region or aws.region
        AwsccProvider(self, "awscc", region=config.region)
        kubernetes_providers(self, cluster_name=config.eks_cluster_name, region=region, endpoint=eks.endpoint,
                             certificate_authority_data=eks.certificate_authority_data)

        self.hyperpod = HyperPod(self, "hyperpod", config=config, eks=eks, aws=aws,
                                 lifecycle_scripts=lifecycle_scripts)
        self._outputs(self.hyperpod)

    def _outputs(self, hyperpod: HyperPod) -> None:
        # Created in the stack, not the construct, so the names stay exactly as the module documents them.
        cluster = hyperpod.cluster
        TerraformOutput(self, "hyperpod_cluster_arn", value=cluster.arn, description="ARN of the HyperPod cluster")
        TerraformOutput(self, "hyperpod_cluster_name", value=cluster.name, description="Name of the HyperPod cluster")
        TerraformOutput(self, "hyperpod_cluster_status", value=cluster.status,
                        description="Status of the HyperPod cluster (InService when ready)")
        TerraformOutput(self, "hyperpod_execution_role_arn", value=hyperpod.execution_role.arn,
                        description="ARN of the IAM role HyperPod instances run as")
        if hyperpod.bucket is not None:
            TerraformOutput(self, "lifecycle_scripts_bucket", value=hyperpod.bucket.bucket.bucket,
                            description="Name of the S3 bucket holding the lifecycle scripts")
        groups = [{"name": g.name, "instance_type": g.instance_type, "instance_count": g.instance_count,
                   "deep_health_checks": list(g.deep_health_checks),
                   # Flexible groups only, so single-type groups keep their output as before.
                   **({"instance_types": list(g.instance_types)} if g.instance_requirements else {})}
                  for g in hyperpod.config.hyperpod_instance_groups]
        TerraformOutput(self, "hyperpod_instance_groups", value=groups,
                        description="Instance groups as configured (name, type, count, deep health checks)")
        addons = hyperpod.cluster_addons
        if addons is not None and hyperpod.config.hyperpod_addons.observability.enabled:
            TerraformOutput(self, "hyperpod_prometheus_workspace_arn", value=addons.observability.workspace_arn,
                            description="Amazon Managed Prometheus workspace the observability add-on writes to")
            TerraformOutput(self, "hyperpod_prometheus_endpoint", value=addons.observability.endpoint,
                            description="Prometheus endpoint of that workspace (queries, Grafana data source)")
        if addons is not None and hyperpod.config.hyperpod_fsx_lustre.enabled:
            fsx = hyperpod.config.hyperpod_fsx_lustre
            TerraformOutput(self, "hyperpod_fsx_file_system_id", value=addons.fsx_file_system_id,
                            description="FSx for Lustre file system the training jobs mount")
            TerraformOutput(self, "hyperpod_fsx_claim", value=f"{fsx.namespace}/{fsx.claim_name}",
                            description="PersistentVolumeClaim (namespace/name) that mounts the file system")
