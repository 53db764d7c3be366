"""HyperPod observability: the add-on, an Amazon Managed Prometheus workspace (unless given one) and the collector's
pod identity, allowed to remote-write to that workspace and to write logs under /aws/sagemaker/Clusters/ only."""

from __future__ import annotations

from typing import Sequence

from hyperpod.runtime.core import Fn, ITerraformDependable
from hyperpod.runtime.aws.data_aws_iam_policy_document import DataAwsIamPolicyDocumentStatement
from hyperpod.runtime.aws.prometheus_workspace import PrometheusWorkspace
from hyperpod.runtime.constructs import Construct

from hyperpod.addons.pinned_addon import minimum_kubernetes, pinned_addon
from hyperpod.addons.pod_identity import PodIdentityRole
from hyperpod.config.addons import OBSERVABILITY_MIN_KUBERNETES, ObservabilityAddon
from hyperpod.eks import AwsContext, EksCluster

ADDON_NAME = "amazon-sagemaker-hyperpod-observability"
# SageMaker AI developer guide, observability troubleshooting ("Verify Pod Identity association"): the collector's
# namespace, service account and the permissions its role needs.
NAMESPACE = "hyperpod-observability"
SERVICE_ACCOUNT = "hyperpod-observability-operator-otel-collector"
LOG_ACTIONS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams",
               "logs:FilterLogEvents", "logs:GetLogEvents", "logs:GetLogRecord", "logs:GetQueryResults",
               "logs:PutLogEvents", "logs:StartQuery", "logs:StopQuery"]


def workspace_endpoint(workspace_arn: str) -> str:
    """The Prometheus endpoint of a workspace, from its ARN (arn:...:aps:<region>:<account>:workspace/<id>), without
    the trailing slash (see ObservabilityAddon's configuration below)."""
    region = Fn.element(Fn.split(":", workspace_arn), 3)
    workspace_id = Fn.element(Fn.split("/", workspace_arn), 1)
    return f"https://aps-workspaces.{region}.amazonaws.com/workspaces/{workspace_id}"


class Observability(Construct):
    def __init__(self, scope: Construct, id: str, *, addon: ObservabilityAddon, eks: EksCluster, aws: AwsContext,
                 workspace_alias: str, role_name_prefix: str, depends_on: Sequence[ITerraformDependable]):
        super().__init__(scope, id)
        if addon.prometheus_workspace_arn:
            workspace_arn = addon.prometheus_workspace_arn
            endpoint = workspace_endpoint(workspace_arn)
        else:
            self.workspace = PrometheusWorkspace(self, "workspace", alias=workspace_alias)
            workspace_arn = self.workspace.arn
            endpoint = Fn.trimsuffix(self.workspace.prometheus_endpoint, "/")
        self.workspace_arn, self.endpoint = workspace_arn, endpoint
        logs = f"arn:{aws.partition}:logs:{aws.region}:{aws.account_id}:log-group:/aws/sagemaker/Clusters/*"
        self.identity = PodIdentityRole(
            self, "identity", name_prefix=role_name_prefix, aws=aws, cluster_name=eks.name, cluster_arn=eks.arn,
            namespace=NAMESPACE, service_account=SERVICE_ACCOUNT,
            description="SageMaker HyperPod observability collector (EKS Pod Identity, managed by CDKTF)",
            statements=[
                DataAwsIamPolicyDocumentStatement(sid="RemoteWriteMetrics", effect="Allow",
                                                  actions=["aps:RemoteWrite"], resources=[workspace_arn]),
                DataAwsIamPolicyDocumentStatement(sid="HyperPodClusterLogs", effect="Allow", actions=LOG_ACTIONS,
                                                  resources=[logs, f"{logs}:log-stream:*"]),
            ])
        # The add-on's configuration names the workspace it writes to (configuration schema:
        # aws eks describe-addon-configuration --addon-name amazon-sagemaker-hyperpod-observability). AWS's HyperPod
        # EKS Terraform modules (awslabs/awsome-distributed-ai, modules/observability) pass the workspace's
        # prometheus_endpoint without its trailing slash, as the add-on appends its own paths.
        configuration = Fn.jsonencode({"ampWorkspace": {"prometheusEndpoint": endpoint, "arn": workspace_arn}})
        self.addon = pinned_addon(
            self, "addon", cluster_name=eks.name, addon_name=ADDON_NAME, version=addon.version,
            configuration_values=configuration, depends_on=[*depends_on, self.identity.association],
            preconditions=minimum_kubernetes(eks.kubernetes_version, OBSERVABILITY_MIN_KUBERNETES, ADDON_NAME))
