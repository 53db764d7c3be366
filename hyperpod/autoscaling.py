"""HyperPod-managed Karpenter autoscaling: the role HyperPod's autoscaler assumes, and the Karpenter objects (a
HyperpodNodeClass naming the autoscaled groups and a NodePool) that tell it which groups it may scale.

The Karpenter objects are a Helm release of a small chart this package ships (hyperpod/karpenter_chart, copied into
the synthesized stack as a Terraform asset): Terraform plans a helm_release without the CRDs existing, which a
kubernetes_manifest cannot (it reads the CRD's schema while planning, and HyperPod installs the CRDs only once the
autoscaling cluster exists).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from hyperpod.runtime.core import AssetType, ITerraformDependable, TerraformAsset
from hyperpod.runtime.aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from hyperpod.runtime.aws.iam_role import IamRole
from hyperpod.runtime.aws.iam_role_policy import IamRolePolicy
from hyperpod.runtime.helm.release import Release
from hyperpod.runtime.constructs import Construct

from hyperpod.config.karpenter import karpenter_release_name
from hyperpod.eks import AwsContext

AUTOSCALER_SERVICE = "hyperpod.sagemaker.amazonaws.com"
KARPENTER_CHART = Path(__file__).resolve().parent / "karpenter_chart"
# The grant operations EBS needs on a customer managed key for the volumes of nodes the autoscaler adds, as AWS's
# policy for this role lists them (HyperPod user guide, "Create an IAM role for HyperPod autoscaling with Karpenter";
# the same list in AWS's Terraform, awslabs/awsome-distributed-ai hyperpod-eks-tf modules/sagemaker_iam_role). With
# ForAllValues:StringEquals a grant asking for any operation outside the list is denied, so RetireGrant (which lets
# EBS retire its grant when a node's volume goes away) must be here.
EBS_GRANT_OPERATIONS = ["CreateGrant", "Decrypt", "DescribeKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptTo",
                        "ReEncryptFrom", "RetireGrant"]


def _condition(test: str, variable: str, values: Sequence[str]) -> DataAwsIamPolicyDocumentStatementCondition:
    return DataAwsIamPolicyDocumentStatementCondition(test=test, variable=variable, values=list(values))


class AutoscalerRole(Construct):
    """The cluster role of an autoscaling cluster (HyperPod user guide, "Create an IAM role for HyperPod
    autoscaling with Karpenter"): trusted by HyperPod's autoscaler for this account's clusters only, allowed to add
    and delete nodes of this account's clusters, and to let EBS use customer managed keys through SageMaker."""

    def __init__(self, scope: Construct, id: str, *, role_name_prefix: str, aws: AwsContext):
        super().__init__(scope, id)
        clusters = f"arn:{aws.partition}:sagemaker:{aws.region}:{aws.account_id}:cluster/*"
        trust = DataAwsIamPolicyDocument(self, "trust", statement=[DataAwsIamPolicyDocumentStatement(
            sid="HyperPodAutoscalerAssumesRole", effect="Allow", actions=["sts:AssumeRole"],
            principals=[DataAwsIamPolicyDocumentStatementPrincipals(type="Service", identifiers=[AUTOSCALER_SERVICE])],
            # Confused-deputy guard: only on behalf of this account's HyperPod clusters.
            condition=[_condition("StringEquals", "aws:SourceAccount", [aws.account_id]),
                       _condition("ArnLike", "aws:SourceArn", [clusters])],
        )])
        permissions = DataAwsIamPolicyDocument(self, "permissions", statement=[
            DataAwsIamPolicyDocumentStatement(
                sid="ScaleClusterNodes", effect="Allow",
                actions=["sagemaker:BatchAddClusterNodes", "sagemaker:BatchDeleteClusterNodes"],
                resources=[clusters],
                condition=[_condition("StringEquals", "aws:ResourceAccount", [aws.account_id])]),
            DataAwsIamPolicyDocumentStatement(
                sid="GrantVolumeKeysThroughSageMaker", effect="Allow", actions=["kms:CreateGrant"],
                resources=[f"arn:{aws.partition}:kms:{aws.region}:{aws.account_id}:key/*"],
                condition=[_condition("StringLike", "kms:ViaService", ["sagemaker.*.amazonaws.com"]),
                           _condition("Bool", "kms:GrantIsForAWSResource", ["true"]),
                           _condition("ForAllValues:StringEquals", "kms:GrantOperations", EBS_GRANT_OPERATIONS)]),
            # AWS's policy puts kms:DescribeKey in the CreateGrant statement, under the grant conditions; KMS sets
            # kms:GrantIsForAWSResource and kms:GrantOperations only on grant requests, so under those conditions a
            # DescribeKey request would never match. It gets its own statement with the kms:ViaService condition.
            DataAwsIamPolicyDocumentStatement(
                sid="DescribeVolumeKeysThroughSageMaker", effect="Allow", actions=["kms:DescribeKey"],
                resources=[f"arn:{aws.partition}:kms:{aws.region}:{aws.account_id}:key/*"],
                condition=[_condition("StringLike", "kms:ViaService", ["sagemaker.*.amazonaws.com"])]),
        ])
        self.role = IamRole(self, "role", name_prefix=role_name_prefix, assume_role_policy=trust.json,
                            description="SageMaker HyperPod Karpenter autoscaler (managed by CDKTF)")
        IamRolePolicy(self, "scoped", name="hyperpod-autoscaler-access", role=self.role.id, policy=permissions.json)

    @property
    def arn(self) -> str:
        return self.role.arn


def karpenter_values(name: str, instance_groups: Sequence[str]) -> dict:
    return {"name": name, "instanceGroups": list(instance_groups)}


class KarpenterNodes(Construct):
    """One Helm release holding the HyperpodNodeClass and NodePool, installed once the cluster exists."""

    def __init__(self, scope: Construct, id: str, *, name: str, instance_groups: Sequence[str],
                 cluster: ITerraformDependable):
        super().__init__(scope, id)
        chart = TerraformAsset(self, "chart", path=str(KARPENTER_CHART), type=AssetType.DIRECTORY)
        self.values = karpenter_values(name, instance_groups)
        self.release = Release(
            self, "release", name=karpenter_release_name(name), namespace="kube-system", chart=chart.path,
            values=[json.dumps(self.values, sort_keys=True, indent=2)], wait=True, timeout=600, atomic=True,
            cleanup_on_fail=True, depends_on=[cluster])
