"""An IAM role for one Kubernetes service account through EKS Pod Identity, with a standalone association.

The association is its own `aws_eks_pod_identity_association`, not the add-on's inline `pod_identity_association`:
EKS rewrites an add-on's inline associations on every add-on update, which is how a peer module lost the training
operator's credentials on an upgrade.
"""

from __future__ import annotations

from typing import Sequence

from hyperpod.runtime.aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from hyperpod.runtime.aws.eks_pod_identity_association import EksPodIdentityAssociation
from hyperpod.runtime.aws.iam_role import IamRole
from hyperpod.runtime.aws.iam_role_policy import IamRolePolicy
from hyperpod.runtime.aws.iam_role_policy_attachment import IamRolePolicyAttachment
from hyperpod.runtime.constructs import Construct

from hyperpod.eks import AwsContext

POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"
# EKS user guide, "Create IAM role with trust policy required by EKS Pod Identity": the service assumes the role
# (sts:AssumeRole) and tags the session with the cluster, namespace and service account (sts:TagSession).
POD_IDENTITY_ACTIONS = ["sts:AssumeRole", "sts:TagSession"]


class PodIdentityRole(Construct):
    """A role only EKS Pod Identity may assume, only for `service_account` in `namespace` of this cluster."""

    def __init__(self, scope: Construct, id: str, *, name_prefix: str, aws: AwsContext, cluster_name: str,
                 cluster_arn: str, namespace: str, service_account: str, description: str,
                 managed_policies: Sequence[str] = (),
                 statements: Sequence[DataAwsIamPolicyDocumentStatement] = ()):
        super().__init__(scope, id)
        # aws:SourceAccount/aws:SourceArn: the conditions AWS's HyperPod add-on pages put on these roles (the
        # confused-deputy guard); the request tags pin the role to one namespace and service account.
        conditions = [
            DataAwsIamPolicyDocumentStatementCondition(test="StringEquals", variable="aws:SourceAccount",
                                                       values=[aws.account_id]),
            DataAwsIamPolicyDocumentStatementCondition(test="StringEquals", variable="aws:SourceArn",
                                                       values=[cluster_arn]),
            DataAwsIamPolicyDocumentStatementCondition(test="StringEquals",
                                                       variable="aws:RequestTag/kubernetes-namespace",
                                                       values=[namespace]),
            DataAwsIamPolicyDocumentStatementCondition(test="StringEquals",
                                                       variable="aws:RequestTag/kubernetes-service-account",
                                                       values=[service_account]),
        ]
        trust = DataAwsIamPolicyDocument(self, "trust", statement=[DataAwsIamPolicyDocumentStatement(
            sid="EksPodIdentityAssumesRole", effect="Allow", actions=POD_IDENTITY_ACTIONS, condition=conditions,
            principals=[DataAwsIamPolicyDocumentStatementPrincipals(type="Service",
                                                                    identifiers=[POD_IDENTITY_SERVICE])],
        )])
        self.role = IamRole(self, "role", name_prefix=name_prefix, assume_role_policy=trust.json,
                            description=description)
        for index, policy in enumerate(managed_policies):
            IamRolePolicyAttachment(self, f"managed-{index}", role=self.role.name,
                                    policy_arn=f"arn:{aws.partition}:iam::aws:policy/{policy}")
        if statements:
            permissions = DataAwsIamPolicyDocument(self, "permissions", statement=list(statements))
            IamRolePolicy(self, "scoped", name="scoped-access", role=self.role.id, policy=permissions.json)
        self.association = EksPodIdentityAssociation(
            self, "association", cluster_name=cluster_name, namespace=namespace, service_account=service_account,
            role_arn=self.role.arn)

    @property
    def arn(self) -> str:
        return self.role.arn
