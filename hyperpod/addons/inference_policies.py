"""What the inference operator's roles may do, each statement scoped to this account and Region.

Sources: the operator's execution role takes AWS's managed AmazonSageMakerHyperPodInferenceAccess plus the TLS bucket
and tagging grants of the SageMaker HyperPod inference release notes (v3.0: "CertificateTagginPermission",
"S3PutObjectTaggingAccess") and of aws/sagemaker-hyperpod-cli's helm_to_addon.sh ("TLSBucketsAccess"); KEDA reads
metrics (awslabs/awsome-distributed-ai, modules/hyperpod_inference_operator, aws_iam_role_policy.keda); the load
balancer controller's statements follow the AWS Load Balancer Controller's published IAM policy as AWS's HyperPod
Terraform carries it, with every write narrowed from "*" to this account's and Region's ARNs (and the VPC's, for
new security groups); reads stay on "*" where the services allow nothing narrower.
"""

from __future__ import annotations

from typing import Sequence

from hyperpod.runtime.aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocumentStatement as Statement,
    DataAwsIamPolicyDocumentStatementCondition as Condition,
)

from hyperpod.eks import AwsContext

CLUSTER_TAG = "elbv2.k8s.aws/cluster"  # the tag the controller puts on what it creates


def _allow(sid: str, actions: Sequence[str], resources: Sequence[str], *conditions: Condition) -> Statement:
    return Statement(sid=sid, effect="Allow", actions=list(actions), resources=list(resources),
                     condition=list(conditions) or None)


def _null(variable: str, value: str) -> Condition:
    return Condition(test="Null", variable=variable, values=[value])


def operator_statements(aws: AwsContext, tls_bucket_arn: str) -> list[Statement]:
    objects = f"{tls_bucket_arn}/*"
    return [
        _allow("TlsCertificateObjects", ["s3:GetObject", "s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObject"],
               [objects]),
        _allow("TlsCertificateBucket", ["s3:ListBucket"], [tls_bucket_arn]),
        _allow("TagCertificates", ["acm:AddTagsToCertificate"],
               [f"arn:{aws.partition}:acm:{aws.region}:{aws.account_id}:certificate/*"]),
    ]


def model_bucket_statements(aws: AwsContext, buckets: Sequence[str]) -> list[Statement]:
    """Read-only: endpoints load weights from these buckets (Mountpoint's IAM recommendations, read access)."""
    if not buckets:
        return []
    arns = [f"arn:{aws.partition}:s3:::{bucket}" for bucket in buckets]
    return [_allow("ListModelBuckets", ["s3:ListBucket"], arns),
            _allow("ReadModelObjects", ["s3:GetObject"], [f"{arn}/*" for arn in arns])]


def keda_statements(aws: AwsContext) -> list[Statement]:
    workspaces = f"arn:{aws.partition}:aps:{aws.region}:{aws.account_id}:workspace/*"
    return [
        # CloudWatch metric reads take no resource narrower than "*" (Service Authorization Reference).
        _allow("ReadCloudWatchMetrics", ["cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics",
                                         "cloudwatch:ListMetrics"], ["*"]),
        _allow("QueryPrometheus", ["aps:QueryMetrics", "aps:GetLabels", "aps:GetSeries", "aps:GetMetricMetadata"],
               [workspaces]),
    ]


def load_balancer_controller_statements(aws: AwsContext, vpc_id: str) -> list[Statement]:
    p, r, a = aws.partition, aws.region, aws.account_id
    elb = f"arn:{p}:elasticloadbalancing:{r}:{a}"
    load_balancers = [f"{elb}:loadbalancer/app/*/*", f"{elb}:loadbalancer/net/*/*"]
    target_groups = [f"{elb}:targetgroup/*/*"]
    listeners = [f"{elb}:listener/app/*/*/*", f"{elb}:listener/net/*/*/*"]
    rules = [f"{elb}:listener-rule/app/*/*/*", f"{elb}:listener-rule/net/*/*/*"]
    security_groups = [f"arn:{p}:ec2:{r}:{a}:security-group/*"]
    tagged = _null(f"aws:ResourceTag/{CLUSTER_TAG}", "false")
    tagging = _null(f"aws:RequestTag/{CLUSTER_TAG}", "false")
    return [
        _allow("ElbServiceLinkedRole", ["iam:CreateServiceLinkedRole"],
               [f"arn:{p}:iam::{a}:role/aws-service-role/elasticloadbalancing.amazonaws.com/"
                "AWSServiceRoleForElasticLoadBalancing"],
               Condition(test="StringEquals", variable="iam:AWSServiceName",
                         values=["elasticloadbalancing.amazonaws.com"])),
        _allow("Describe", [
            "ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones",
            "ec2:DescribeInternetGateways", "ec2:DescribeVpcs", "ec2:DescribeVpcPeeringConnections",
            "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeInstances",
            "ec2:DescribeNetworkInterfaces", "ec2:DescribeTags", "ec2:GetCoipPoolUsage", "ec2:DescribeCoipPools",
            "ec2:GetSecurityGroupsForVpc", "ec2:DescribeIpamPools", "ec2:DescribeRouteTables",
            "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerCertificates",
            "elasticloadbalancing:DescribeSSLPolicies", "elasticloadbalancing:DescribeRules",
            "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes",
            "elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeTags",
            "elasticloadbalancing:DescribeTrustStores", "elasticloadbalancing:DescribeListenerAttributes",
            "elasticloadbalancing:DescribeCapacityReservation", "cognito-idp:DescribeUserPoolClient",
            "acm:ListCertificates", "acm:DescribeCertificate", "iam:ListServerCertificates",
            "iam:GetServerCertificate", "waf-regional:GetWebACL", "waf-regional:GetWebACLForResource",
            "wafv2:GetWebACL", "wafv2:GetWebACLForResource", "shield:GetSubscriptionState",
            "shield:DescribeProtection"], ["*"]),
        _allow("WebAclAssociations", ["waf-regional:AssociateWebACL", "waf-regional:DisassociateWebACL",
                                      "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL",
                                      "elasticloadbalancing:SetWebAcl"],
               [f"arn:{p}:waf-regional:{r}:{a}:webacl/*", f"arn:{p}:wafv2:{r}:{a}:regional/webacl/*/*",
                *load_balancers]),
        _allow("ShieldProtections", ["shield:CreateProtection", "shield:DeleteProtection"],
               [f"arn:{p}:shield::{a}:protection/*"]),
        _allow("NodeSecurityGroupRules", ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
               [*security_groups, f"arn:{p}:ec2:{r}:{a}:security-group-rule/*"]),
        _allow("CreateSecurityGroupInClusterVpc", ["ec2:CreateSecurityGroup"],
               [*security_groups, f"arn:{p}:ec2:{r}:{a}:vpc/{vpc_id}"]),
        _allow("TagNewSecurityGroups", ["ec2:CreateTags"], security_groups,
               Condition(test="StringEquals", variable="ec2:CreateAction", values=["CreateSecurityGroup"]), tagging),
        _allow("RetagOwnSecurityGroups", ["ec2:CreateTags", "ec2:DeleteTags"], security_groups,
               _null(f"aws:RequestTag/{CLUSTER_TAG}", "true"), tagged),
        _allow("ManageOwnSecurityGroups", ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress",
                                           "ec2:DeleteSecurityGroup"], security_groups, tagged),
        _allow("CreateTaggedLoadBalancers", ["elasticloadbalancing:CreateLoadBalancer",
                                             "elasticloadbalancing:CreateTargetGroup"],
               [*load_balancers, *target_groups], tagging),
        _allow("ListenersAndRules", ["elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
                                     "elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule"],
               [*load_balancers, *listeners, *rules]),
        _allow("RetagOwnLoadBalancers", ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
               [*target_groups, *load_balancers], _null(f"aws:RequestTag/{CLUSTER_TAG}", "true"), tagged),
        _allow("TagListenersAndRules", ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
               [*listeners, *rules]),
        _allow("ManageOwnLoadBalancers", [
            "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType",
            "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
            "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
            "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
            "elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:ModifyCapacityReservation",
            "elasticloadbalancing:ModifyIpPools"], [*load_balancers, *target_groups, *listeners], tagged),
        _allow("TagOnCreate", ["elasticloadbalancing:AddTags"], [*target_groups, *load_balancers],
               Condition(test="StringEquals", variable="elasticloadbalancing:CreateAction",
                         values=["CreateTargetGroup", "CreateLoadBalancer"]), tagging),
        _allow("RegisterTargets", ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
               target_groups),
        _allow("ListenerSettings", ["elasticloadbalancing:ModifyListener",
                                    "elasticloadbalancing:AddListenerCertificates",
                                    "elasticloadbalancing:RemoveListenerCertificates",
                                    "elasticloadbalancing:ModifyRule", "elasticloadbalancing:SetRulePriorities"],
               [*listeners, *rules]),
    ]
