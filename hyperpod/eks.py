"""The existing EKS cluster HyperPod attaches to: what the constructs need to know about it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from hyperpod.runtime.aws.data_aws_caller_identity import DataAwsCallerIdentity
from hyperpod.runtime.aws.data_aws_eks_cluster import DataAwsEksCluster
from hyperpod.runtime.aws.data_aws_partition import DataAwsPartition
from hyperpod.runtime.aws.data_aws_region import DataAwsRegion
from hyperpod.runtime.constructs import Construct

# AWS: HyperPod on EKS needs an access-entry capable authentication mode.
SUPPORTED_AUTHENTICATION_MODES = ("API", "API_AND_CONFIG_MAP")


@dataclass(frozen=True)
class AwsContext:
    """Where the stack deploys. Values are usually tokens of data sources."""

    partition: str
    region: str
    account_id: str


@dataclass(frozen=True)
class EksCluster:
    """An EKS cluster's attributes. Any value may be a token from another stack or a data source.

    `authentication_mode` is checked by a Terraform precondition at plan time (or right away when it is a literal).
    """

    name: str
    arn: str
    endpoint: str
    certificate_authority_data: str
    vpc_id: str
    subnet_ids: Sequence[str]
    cluster_security_group_id: str
    authentication_mode: str
    kubernetes_version: str | None = None  # "1.31"; add-ons that need a minimum version check it at plan time
    oidc_issuer: str | None = None  # https://oidc.eks.<region>.amazonaws.com/id/<ID>, for IAM roles for service accounts


class ExistingEksCluster(Construct):
    """Looks up an EKS cluster and the AWS context by name (data sources only: nothing is created)."""

    def __init__(self, scope: Construct, id: str, *, cluster_name: str):
        super().__init__(scope, id)
        cluster = DataAwsEksCluster(self, "cluster", name=cluster_name)
        vpc = cluster.vpc_config.get(0)
        self.cluster = EksCluster(
            name=cluster.name,
            arn=cluster.arn,
            endpoint=cluster.endpoint,
            certificate_authority_data=cluster.certificate_authority.get(0).data,
            vpc_id=vpc.vpc_id,
            subnet_ids=vpc.subnet_ids,  # already a list token: wrapping it again would nest tolist()
            cluster_security_group_id=vpc.cluster_security_group_id,
            authentication_mode=cluster.access_config.get(0).authentication_mode,
            kubernetes_version=cluster.version,
            oidc_issuer=cluster.identity.get(0).oidc.get(0).issuer,
        )
        self.aws = AwsContext(
            partition=DataAwsPartition(self, "partition").partition,
            region=DataAwsRegion(self, "region").region,
            account_id=DataAwsCallerIdentity(self, "caller").account_id,
        )
