"""What every check area gets: the deployment, the AWS calls, the caller's identity, and the EKS cluster's
description (shared: one DescribeCluster per run)."""

from __future__ import annotations

from dataclasses import dataclass

from hyperpod.preflight.aws import Aws
from hyperpod.preflight.deployment import Deployment


@dataclass(frozen=True)
class Identity:
    account: str
    partition: str
    arn: str


@dataclass(frozen=True)
class Context:
    deployment: Deployment
    aws: Aws
    identity: Identity
    # The other configs of this run in the same region (one account's quotas cover them all).
    neighbours: tuple[Deployment, ...] = ()

    def eks_cluster(self) -> dict | None:
        """EKS DescribeCluster's `cluster`, or None when there is no such cluster."""
        answer = self.aws.call("eks", "DescribeCluster", missing=("ResourceNotFoundException",),
                               name=self.deployment.eks_cluster)
        return None if answer is None else answer["cluster"]

    def eks_vpc(self) -> tuple[str | None, tuple[str, ...], str | None]:
        """The EKS cluster's VPC, subnets and cluster security group (all None/empty without a cluster)."""
        cluster = self.eks_cluster() or {}
        vpc = cluster.get("resourcesVpcConfig") or {}
        return vpc.get("vpcId"), tuple(vpc.get("subnetIds") or ()), vpc.get("clusterSecurityGroupId")

    def kubernetes_version(self) -> str | None:
        return (self.eks_cluster() or {}).get("version")


def caller_identity(aws: Aws) -> Identity:
    """STS GetCallerIdentity (needs no permission): the account, and the partition from the caller's ARN."""
    answer = aws.call("sts", "GetCallerIdentity")
    arn = answer.get("Arn", "")
    partition = arn.split(":")[1] if arn.count(":") >= 5 else "aws"
    return Identity(account=answer.get("Account", ""), partition=partition, arn=arn)
