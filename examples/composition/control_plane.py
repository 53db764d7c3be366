"""An EKS cluster HyperPod can join: authentication mode API (HyperPod creates its own access entry), secrets
encrypted with a customer key, control-plane audit logs on, the API endpoint reachable only from named networks."""

from __future__ import annotations

from typing import Sequence

from hyperpod.runtime.aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from hyperpod.runtime.aws.eks_cluster import (
    EksCluster,
    EksClusterAccessConfig,
    EksClusterEncryptionConfig,
    EksClusterEncryptionConfigProvider,
    EksClusterVpcConfig,
)
from hyperpod.runtime.aws.iam_role import IamRole
from hyperpod.runtime.aws.iam_role_policy_attachment import IamRolePolicyAttachment
from hyperpod.runtime.aws.kms_key import KmsKey
from hyperpod.runtime.constructs import Construct

# EKS User Guide, "Amazon EKS cluster IAM role": trusted by eks.amazonaws.com, managed AmazonEKSClusterPolicy.
CLUSTER_POLICY = "AmazonEKSClusterPolicy"
LOG_TYPES = ["api", "audit", "authenticator"]


class EksControlPlane(Construct):
    """The cluster role, the key for Kubernetes secrets, and the EKS cluster in the given private subnets."""

    def __init__(self, scope: Construct, id: str, *, name: str, kubernetes_version: str, partition: str,
                 subnet_ids: Sequence[str], admin_cidrs: Sequence[str]):
        super().__init__(scope, id)
        trust = DataAwsIamPolicyDocument(self, "trust", statement=[DataAwsIamPolicyDocumentStatement(
            sid="EksAssumesRole", effect="Allow", actions=["sts:AssumeRole"],
            principals=[DataAwsIamPolicyDocumentStatementPrincipals(type="Service",
                                                                   identifiers=["eks.amazonaws.com"])])])
        role = IamRole(self, "role", name_prefix=f"{name}-eks-"[:38], assume_role_policy=trust.json)
        policy = IamRolePolicyAttachment(self, "policy", role=role.name,
                                         policy_arn=f"arn:{partition}:iam::aws:policy/{CLUSTER_POLICY}")
        secrets_key = KmsKey(self, "secrets-key", description=f"Kubernetes secrets of EKS cluster {name}",
                             enable_key_rotation=True, deletion_window_in_days=30)
        self.cluster = EksCluster(
            self, "cluster", name=name, version=kubernetes_version, role_arn=role.arn,
            vpc_config=EksClusterVpcConfig(subnet_ids=list(subnet_ids), endpoint_private_access=True,
                                           endpoint_public_access=True, public_access_cidrs=list(admin_cidrs)),
            access_config=EksClusterAccessConfig(authentication_mode="API",
                                                 bootstrap_cluster_creator_admin_permissions=True),
            encryption_config=EksClusterEncryptionConfig(
                resources=["secrets"], provider=EksClusterEncryptionConfigProvider(key_arn=secrets_key.arn)),
            enabled_cluster_log_types=LOG_TYPES,
            depends_on=[policy])  # EKS needs the role's permissions while it creates (and deletes) the cluster
