"""IAM roles for Kubernetes service accounts (IRSA) through the EKS cluster's IAM OIDC provider.

The inference operator's add-on takes role ARNs in its configuration and annotates its service accounts with them
(SageMaker AI developer guide, "Setting up your HyperPod clusters for model deployment", and the add-on's IAM trust
troubleshooting page: the operator calls sts:AssumeRoleWithWebIdentity); the Mountpoint for S3 CSI driver v1 add-on
only takes `service_account_role_arn` (EKS user guide, "Mountpoint for Amazon S3 CSI Driver"). Neither uses EKS Pod
Identity, so these roles trust the cluster's OIDC provider, each for one service account (or one name prefix in the
namespaces the config names) and the audience sts.amazonaws.com.
"""

from __future__ import annotations

from typing import Sequence

from hyperpod.runtime.core import Fn
from hyperpod.runtime.aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from hyperpod.runtime.aws.iam_openid_connect_provider import IamOpenidConnectProvider
from hyperpod.runtime.aws.iam_role import IamRole
from hyperpod.runtime.aws.iam_role_policy import IamRolePolicy
from hyperpod.runtime.aws.iam_role_policy_attachment import IamRolePolicyAttachment
from hyperpod.runtime.constructs import Construct

from hyperpod.eks import AwsContext

STS_AUDIENCE = "sts.amazonaws.com"
WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity"
SAGEMAKER_SERVICE = "sagemaker.amazonaws.com"


class OidcProvider(Construct):
    """The EKS cluster's IAM OIDC provider: the one the config names, or a new one for the cluster's issuer.

    Without `thumbprint_list` IAM takes the issuer's certificate itself (aws provider 5.x and later; IAM user guide,
    "Create an OpenID Connect (OIDC) identity provider in IAM": thumbprints are not used for EKS issuers)."""

    def __init__(self, scope: Construct, id: str, *, issuer_url: str, existing_arn: str | None):
        super().__init__(scope, id)
        if existing_arn:
            self.arn = existing_arn
        else:
            self.provider = IamOpenidConnectProvider(self, "provider", url=issuer_url, client_id_list=[STS_AUDIENCE])
            self.arn = self.provider.arn
        # The issuer without https://, as the condition keys name it (<issuer>:sub, <issuer>:aud).
        self.issuer_host = Fn.replace(issuer_url, "https://", "")


class WebIdentityRole(Construct):
    """A role only `service_accounts` (namespace, name; a name may end in * for a prefix) may assume through the
    cluster's OIDC provider; with `sagemaker_source_account`, SageMaker may too, for that account only."""

    def __init__(self, scope: Construct, id: str, *, name_prefix: str, aws: AwsContext, oidc: OidcProvider,
                 service_accounts: Sequence[tuple[str, str]], description: str,
                 managed_policies: Sequence[str] = (), statements: Sequence[DataAwsIamPolicyDocumentStatement] = (),
                 sagemaker_may_assume: bool = False):
        super().__init__(scope, id)
        subjects = [f"system:serviceaccount:{namespace}:{name}" for namespace, name in service_accounts]
        prefix = any(s.endswith("*") for s in subjects)
        trust_statements = [DataAwsIamPolicyDocumentStatement(
            sid="ServiceAccountsAssumeRole", effect="Allow", actions=[WEB_IDENTITY_ACTION],
            principals=[DataAwsIamPolicyDocumentStatementPrincipals(type="Federated", identifiers=[oidc.arn])],
            condition=[
                DataAwsIamPolicyDocumentStatementCondition(test="StringEquals", variable=f"{oidc.issuer_host}:aud",
                                                           values=[STS_AUDIENCE]),
                DataAwsIamPolicyDocumentStatementCondition(test="StringLike" if prefix else "StringEquals",
                                                           variable=f"{oidc.issuer_host}:sub", values=subjects),
            ])]
        if sagemaker_may_assume:
            # AWS's execution role for the operator also trusts SageMaker (awslabs/awsome-distributed-ai,
            # modules/hyperpod_inference_operator); aws:SourceAccount keeps other accounts' SageMaker out.
            trust_statements.append(DataAwsIamPolicyDocumentStatement(
                sid="SageMakerAssumesRole", effect="Allow", actions=["sts:AssumeRole"],
                principals=[DataAwsIamPolicyDocumentStatementPrincipals(type="Service",
                                                                        identifiers=[SAGEMAKER_SERVICE])],
                condition=[DataAwsIamPolicyDocumentStatementCondition(
                    test="StringEquals", variable="aws:SourceAccount", values=[aws.account_id])]))
        trust = DataAwsIamPolicyDocument(self, "trust", statement=trust_statements)
        self.role = IamRole(self, "role", name_prefix=name_prefix, assume_role_policy=trust.json,
                            description=description)
        # What the role may do, for whatever must wait until the role can do it.
        self.grants: list[IamRolePolicyAttachment | IamRolePolicy] = [
            IamRolePolicyAttachment(self, f"managed-{index}", role=self.role.name,
                                    policy_arn=f"arn:{aws.partition}:iam::aws:policy/{policy}")
            for index, policy in enumerate(managed_policies)]
        if statements:
            permissions = DataAwsIamPolicyDocument(self, "permissions", statement=list(statements))
            self.grants.append(IamRolePolicy(self, "scoped", name="scoped-access", role=self.role.id,
                                             policy=permissions.json))

    @property
    def arn(self) -> str:
        return self.role.arn
