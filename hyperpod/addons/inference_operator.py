"""The SageMaker HyperPod inference operator add-on, the add-ons it stands on, its TLS bucket and IAM roles.

Order (SageMaker AI developer guide, "Setting up your HyperPod clusters for model deployment"; AWS's Terraform makes
the add-on wait for the CSI drivers): the HyperPod cluster, cert-manager, the S3 and FSx CSI drivers and
metrics-server, then the operator, whose configuration names the cluster, the TLS bucket and the roles. The AWS Load
Balancer Controller and KEDA come with the add-on (`alb.enabled`, `keda.enabled` in its configuration, as AWS's
Terraform and aws/sagemaker-hyperpod-cli's helm_to_addon.sh install them), each with its own role.
"""

from __future__ import annotations

from typing import Sequence

from hyperpod.runtime.core import Fn, ITerraformDependable
from hyperpod.runtime.constructs import Construct

from hyperpod.addons.inference_policies import (
    keda_statements,
    load_balancer_controller_statements,
    model_bucket_statements,
    operator_statements,
)
from hyperpod.addons.pinned_addon import pinned_addon
from hyperpod.addons.web_identity import OidcProvider, WebIdentityRole
from hyperpod.config.inference import InferenceOperatorAddon
from hyperpod.eks import AwsContext, EksCluster
from hyperpod.lifecycle_bucket import LifecycleScriptsBucket

ADDON_NAME = "amazon-sagemaker-hyperpod-inference"
S3_CSI_DRIVER = "aws-mountpoint-s3-csi-driver"
FSX_CSI_DRIVER = "aws-fsx-csi-driver"
METRICS_SERVER = "metrics-server"
# Namespaces and service accounts: the add-on's (AWS's Terraform trust policies and helm_to_addon.sh) and the S3 CSI
# driver's (EKS user guide, "Mountpoint for Amazon S3 CSI Driver": s3-csi-driver-sa in kube-system).
NAMESPACE = "hyperpod-inference-system"
OPERATOR_SERVICE_ACCOUNT = "hyperpod-inference-controller-manager"
LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT = "aws-load-balancer-controller"
KEDA_SERVICE_ACCOUNT = "keda-operator"
GATED_MODEL_SERVICE_ACCOUNTS = "hyperpod-inference-service-account*"  # the operator names one per endpoint
S3_CSI_NAMESPACE, S3_CSI_SERVICE_ACCOUNT = "kube-system", "s3-csi-driver-sa"
# Managed policies AWS documents for the operator and for gated JumpStart models.
OPERATOR_POLICY = "AmazonSageMakerHyperPodInferenceAccess"
GATED_MODEL_POLICY = "AmazonSageMakerHyperPodGatedModelAccess"


def _prefix(cluster_name: str, role: str) -> str:
    """IAM name_prefix allows 38 characters."""
    return f"{cluster_name[:24]}-{role}-"


class InferenceOperator(Construct):
    def __init__(self, scope: Construct, id: str, *, addon: InferenceOperatorAddon, eks: EksCluster, aws: AwsContext,
                 hyperpod_cluster_name: str, hyperpod_cluster_arn: str, fsx_csi_driver: ITerraformDependable | None,
                 prevent_destroy: bool, depends_on: Sequence[ITerraformDependable]):
        super().__init__(scope, id)
        if eks.oidc_issuer is None:
            raise ValueError("the inference operator needs the EKS cluster's OIDC issuer (EksCluster.oidc_issuer): "
                             "its roles are IAM roles for service accounts")
        name = hyperpod_cluster_name
        self.oidc = OidcProvider(self, "oidc", issuer_url=eks.oidc_issuer, existing_arn=addon.oidc_provider_arn)
        self.tls_bucket = LifecycleScriptsBucket(self, "tls-bucket", cluster_name=name, bucket_name=None,
                                                 prevent_destroy=prevent_destroy,
                                                 bucket_prefix=f"{name.lower()[:24]}-tls-")
        bucket = self.tls_bucket.bucket

        def role(id: str, short: str, namespace_accounts, description: str, **kwargs) -> WebIdentityRole:
            return WebIdentityRole(self, id, name_prefix=_prefix(name, short), aws=aws, oidc=self.oidc,
                                   service_accounts=namespace_accounts,
                                   description=f"{description} (IAM role for a service account, managed by CDKTF)",
                                   **kwargs)

        self.execution_role = role(
            "operator-role", "hpio", [(NAMESPACE, OPERATOR_SERVICE_ACCOUNT)], "SageMaker HyperPod inference operator",
            managed_policies=[OPERATOR_POLICY], statements=operator_statements(aws, bucket.arn),
            sagemaker_may_assume=True)
        self.gated_model_role = role(
            "gated-model-role", "hpio-gated", [(ns, GATED_MODEL_SERVICE_ACCOUNTS) for ns in addon.endpoint_namespaces],
            "HyperPod inference: gated JumpStart model downloads", managed_policies=[GATED_MODEL_POLICY])
        self.load_balancer_role = role(
            "load-balancer-role", "hpio-alb", [(NAMESPACE, LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT)],
            "HyperPod inference: AWS Load Balancer Controller",
            statements=load_balancer_controller_statements(aws, eks.vpc_id))
        self.keda_role = role("keda-role", "hpio-keda", [(NAMESPACE, KEDA_SERVICE_ACCOUNT)],
                              "HyperPod inference: KEDA", statements=keda_statements(aws))

        after = list(depends_on)
        dependencies: list[ITerraformDependable] = []
        if not addon.s3_csi_driver.already_installed:
            self.s3_csi_role = role("s3-csi-role", "s3csi", [(S3_CSI_NAMESPACE, S3_CSI_SERVICE_ACCOUNT)],
                                    "Mountpoint for Amazon S3 CSI driver, model buckets read-only",
                                    statements=model_bucket_statements(aws, addon.model_buckets))
            dependencies.append(pinned_addon(
                self, "s3-csi-driver", cluster_name=eks.name, addon_name=S3_CSI_DRIVER,
                version=addon.s3_csi_driver.version, service_account_role_arn=self.s3_csi_role.arn,
                depends_on=[*after, *self.s3_csi_role.grants]))
        if fsx_csi_driver is not None:
            dependencies.append(fsx_csi_driver)
        elif not addon.fsx_csi_driver.already_installed:
            # Only the CSI driver's presence is needed here (the add-on checks for CSIDriver fsx.csi.aws.com);
            # hyperpod_fsx_lustre installs it with the role its volume needs.
            dependencies.append(pinned_addon(self, "fsx-csi-driver", cluster_name=eks.name, addon_name=FSX_CSI_DRIVER,
                                             version=addon.fsx_csi_driver.version, depends_on=after))
        if not addon.metrics_server.already_installed:
            dependencies.append(pinned_addon(self, "metrics-server", cluster_name=eks.name, addon_name=METRICS_SERVER,
                                             version=addon.metrics_server.version, depends_on=after))

        # The add-on's configuration (aws eks describe-addon-configuration --addon-name
        # amazon-sagemaker-hyperpod-inference), with the keys AWS's Terraform and helm_to_addon.sh set.
        configuration = Fn.jsonencode({
            "executionRoleArn": self.execution_role.arn,
            "tlsCertificateS3Bucket": bucket.id,
            "hyperpodClusterArn": hyperpod_cluster_arn,
            "jumpstartGatedModelDownloadRoleArn": self.gated_model_role.arn,
            "alb": {"enabled": True, "serviceAccount": {"create": True, "roleArn": self.load_balancer_role.arn}},
            "keda": {"enabled": True, "auth": {"aws": {"irsa": {"enabled": True, "roleArn": self.keda_role.arn}}}},
        })
        grants = [grant for r in (self.execution_role, self.gated_model_role, self.load_balancer_role,
                                  self.keda_role) for grant in r.grants]
        self.addon = pinned_addon(self, "addon", cluster_name=eks.name, addon_name=ADDON_NAME, version=addon.version,
                                  configuration_values=configuration,
                                  depends_on=[*after, *dependencies, *grants, self.tls_bucket.policy])
        self.dependencies = dependencies
