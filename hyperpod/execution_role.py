"""The IAM role HyperPod instances run as, with no more permission than AWS documents they need."""

from __future__ import annotations

from typing import Sequence

from hyperpod.runtime.core import Fn, Token
from hyperpod.runtime.aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from hyperpod.runtime.aws.iam_role import IamRole
from hyperpod.runtime.aws.iam_role_policy import IamRolePolicy
from hyperpod.runtime.aws.iam_role_policy_attachment import IamRolePolicyAttachment
from hyperpod.runtime.constructs import Construct

from hyperpod.eks import AwsContext

MANAGED_POLICY = "AmazonSageMakerClusterInstanceRolePolicy"
TRUSTED_SERVICE = "sagemaker.amazonaws.com"

# HyperPod attaches and manages ENIs (EFA, pod networking) on the instances it launches.
ENI_ACTIONS = [
    "ec2:AssignPrivateIpAddresses", "ec2:AttachNetworkInterface", "ec2:CreateNetworkInterface",
    "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission",
    "ec2:DetachNetworkInterface", "ec2:ModifyNetworkInterfaceAttribute", "ec2:UnassignPrivateIpAddresses",
]
# Describe calls cannot be scoped to resources in IAM: AWS only accepts "*" for them.
DESCRIBE_ACTIONS = [
    "ec2:DescribeDhcpOptions", "ec2:DescribeInstanceTypes", "ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeTags", "ec2:DescribeVpcs",
]
ECR_PULL_ACTIONS = [
    "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetAuthorizationToken",
    "ecr:GetDownloadUrlForLayer",
]


def _ec2_arns(aws: AwsContext, kind: str, ids: Sequence[str] | str) -> list[str]:
    """ARNs of EC2 resources; `ids` may be a list token from a data source, so build them in Terraform."""
    pattern = f"arn:%s:ec2:%s:%s:{kind}/%s"
    return Token.as_list(Fn.formatlist(pattern, [aws.partition, aws.region, aws.account_id, ids]))


def _group_network_arns(ec2: str, subnet_ids: Sequence[str] | str, security_group_ids: Sequence[str],
                        group_subnet_ids: Sequence[str], group_security_group_ids: Sequence[str]) -> list[list[str]]:
    """ARNs of the groups' own subnets and security groups the cluster's lists do not already name (none when no
    group has its own: the policy stays as before). Group IDs are literals (the config's patterns)."""
    known = set(subnet_ids) if isinstance(subnet_ids, (list, tuple)) else set()
    subnets = sorted(set(group_subnet_ids) - known)
    groups = sorted(set(group_security_group_ids) - set(security_group_ids))
    arns = [f"{ec2}:subnet/{s}" for s in subnets] + [f"{ec2}:security-group/{g}" for g in groups]
    return [arns] if arns else []


def ebs_key_statements(key_arns: Sequence[str]) -> list[DataAwsIamPolicyDocumentStatement]:
    """What HyperPod needs of a customer managed key for the groups' EBS volumes (user guide, "Customer managed AWS
    KMS key encryption for SageMaker HyperPod"): it creates grants for EC2 to use the key on scale-out, node
    additions and patching, and reads the key. Scoped to the configured key ARNs, and grants to those for AWS
    resources (the EBS volumes)."""
    if not key_arns:
        return []
    return [
        DataAwsIamPolicyDocumentStatement(
            sid="GrantEbsVolumeKeys", effect="Allow", actions=["kms:CreateGrant"], resources=list(key_arns),
            condition=[
                DataAwsIamPolicyDocumentStatementCondition(
                    test="Bool", variable="kms:GrantIsForAWSResource", values=["true"]),
            ]),
        DataAwsIamPolicyDocumentStatement(
            sid="DescribeEbsVolumeKeys", effect="Allow", actions=["kms:DescribeKey"], resources=list(key_arns)),
    ]


def lifecycle_statements(bucket_arn: str | None) -> list[DataAwsIamPolicyDocumentStatement]:
    """Read access to the lifecycle scripts; none when the cluster has no bucket (restricted groups only)."""
    if bucket_arn is None:
        return []
    return [
        DataAwsIamPolicyDocumentStatement(
            sid="ListLifecycleBucket", effect="Allow", actions=["s3:ListBucket"], resources=[bucket_arn]),
        DataAwsIamPolicyDocumentStatement(
            sid="ReadLifecycleScripts", effect="Allow", actions=["s3:GetObject"], resources=[f"{bucket_arn}/*"]),
    ]


class ExecutionRole(Construct):
    """Trusts only SageMaker; the managed HyperPod instance policy plus narrowly scoped statements."""

    def __init__(self, scope: Construct, id: str, *, role_name_prefix: str, aws: AwsContext, eks_cluster_arn: str,
                 lifecycle_bucket_arn: str | None, vpc_id: str, subnet_ids: Sequence[str] | str,
                 security_group_ids: Sequence[str], ebs_kms_key_arns: Sequence[str] = (),
                 group_subnet_ids: Sequence[str] = (), group_security_group_ids: Sequence[str] = ()):
        """`group_subnet_ids`/`group_security_group_ids`: the instance groups' own (override_vpc_config), where
        HyperPod creates those groups' network interfaces too. `lifecycle_bucket_arn` is None for a cluster of only
        restricted groups (they run no lifecycle scripts)."""
        super().__init__(scope, id)
        ec2 = f"arn:{aws.partition}:ec2:{aws.region}:{aws.account_id}"
        trust = DataAwsIamPolicyDocument(self, "trust", statement=[DataAwsIamPolicyDocumentStatement(
            sid="SageMakerAssumesRole", effect="Allow", actions=["sts:AssumeRole"],
            principals=[DataAwsIamPolicyDocumentStatementPrincipals(type="Service", identifiers=[TRUSTED_SERVICE])],
        )])
        permissions = DataAwsIamPolicyDocument(self, "permissions", statement=[
            DataAwsIamPolicyDocumentStatement(
                sid="ManageInstanceNetworkInterfaces", effect="Allow", actions=ENI_ACTIONS,
                resources=Token.as_list(Fn.concat([
                    [f"{ec2}:instance/*", f"{ec2}:network-interface/*", f"{ec2}:vpc/{vpc_id}"],
                    _ec2_arns(aws, "subnet", subnet_ids),
                    _ec2_arns(aws, "security-group", list(security_group_ids)),
                    *_group_network_arns(ec2, subnet_ids, security_group_ids, group_subnet_ids,
                                         group_security_group_ids),
                ]))),
            DataAwsIamPolicyDocumentStatement(
                sid="TagNetworkInterfaces", effect="Allow", actions=["ec2:CreateTags"],
                resources=[f"{ec2}:network-interface/*"]),
            DataAwsIamPolicyDocumentStatement(
                sid="DescribeNetwork", effect="Allow", actions=DESCRIBE_ACTIONS, resources=["*"]),
            DataAwsIamPolicyDocumentStatement(
                sid="PullContainerImages", effect="Allow", actions=ECR_PULL_ACTIONS, resources=["*"]),
            DataAwsIamPolicyDocumentStatement(
                sid="ReadAlarms", effect="Allow", actions=["cloudwatch:DescribeAlarms"], resources=["*"]),
            DataAwsIamPolicyDocumentStatement(
                sid="EksPodIdentity", effect="Allow", actions=["eks-auth:AssumeRoleForPodIdentity"],
                resources=[eks_cluster_arn]),
            *lifecycle_statements(lifecycle_bucket_arn),
            *ebs_key_statements(sorted(set(ebs_kms_key_arns))),
        ])
        self.role = IamRole(
            self, "role", name_prefix=role_name_prefix, assume_role_policy=trust.json,
            description="SageMaker HyperPod cluster instances (managed by CDKTF)",
        )
        IamRolePolicyAttachment(self, "managed", role=self.role.name,
                                policy_arn=f"arn:{aws.partition}:iam::aws:policy/{MANAGED_POLICY}")
        IamRolePolicy(self, "scoped", name="hyperpod-instance-access", role=self.role.id, policy=permissions.json)

    @property
    def arn(self) -> str:
        return self.role.arn

    @property
    def name(self) -> str:
        return self.role.name


def role_name_prefix(cluster_name: str) -> str:
    """IAM name_prefix allows 38 characters; keep the cluster's name recognisable in it."""
    return f"{cluster_name[:28]}-exec-"

