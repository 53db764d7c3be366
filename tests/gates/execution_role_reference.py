"""What the HyperPod execution role may be granted: HYPERPOD.md's "Execution role" section, as data.

Anything an execution-role policy allows beyond these (action, resource-pattern) pairs fails the hardening test.
Pattern placeholders are explained in gates/iam_hardening.py ({seg}: expression or literal id, {any}: also "*").
"""
from gates.iam_hardening import ReferenceStatement

EC2 = "arn:{seg}:ec2:{seg}:{seg}"

# The ENI lifecycle the VPC CNI and HyperPod agents perform on the nodes' own network interfaces.
ENI_ACTIONS = frozenset({
    "ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission",
    "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission", "ec2:ModifyNetworkInterfaceAttribute",
    "ec2:UnassignPrivateIpAddresses", "ec2:AttachNetworkInterface", "ec2:DetachNetworkInterface",
})
ENI_RESOURCES = (f"{EC2}:instance/*", f"{EC2}:network-interface/*", f"{EC2}:vpc/{{seg}}", f"{EC2}:subnet/{{seg}}",
                 f"{EC2}:security-group/{{seg}}")

# Reads AWS does not support resource-level permissions for: "*" is the only possible resource.
UNSCOPABLE_READS = frozenset({
    "ec2:DescribeInstances", "ec2:DescribeTags", "ec2:DescribeNetworkInterfaces", "ec2:DescribeInstanceTypes",
    "ec2:DescribeSubnets", "ec2:DescribeVpcs", "ec2:DescribeDhcpOptions", "ec2:DescribeSecurityGroups",
    "cloudwatch:DescribeAlarms", "ecr:GetAuthorizationToken",
})

# Image pulls: the images live in AWS-owned registries of several accounts and regions, so the anchors grant "*".
ECR_PULL = frozenset({"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"})

# Only a bucket this stack creates (the lifecycle bucket), never a literal name that could be anyone's bucket.
LIFECYCLE_BUCKET = ("${aws_s3_bucket.{seg}.arn}", "${aws_s3_bucket.{seg}.arn}/*",
                    "arn:{seg}:s3:::${aws_s3_bucket.{seg}.bucket}", "arn:{seg}:s3:::${aws_s3_bucket.{seg}.bucket}/*",
                    "arn:{seg}:s3:::${aws_s3_bucket.{seg}.id}", "arn:{seg}:s3:::${aws_s3_bucket.{seg}.id}/*")

EXECUTION_ROLE_REFERENCE = [
    ReferenceStatement(ENI_ACTIONS, ENI_RESOURCES),
    ReferenceStatement(UNSCOPABLE_READS, ("*",)),
    ReferenceStatement(frozenset({"ec2:CreateTags"}), ("arn:{seg}:ec2:{any}:{any}:network-interface/*",)),
    ReferenceStatement(ECR_PULL, ("*", "arn:{seg}:ecr:{any}:{any}:repository/{seg}")),
    ReferenceStatement(frozenset({"eks-auth:AssumeRoleForPodIdentity"}),
                       ("${data.aws_eks_cluster.{seg}.arn}", "arn:{seg}:eks:{seg}:{seg}:cluster/{seg}")),
    ReferenceStatement(frozenset({"s3:ListBucket", "s3:GetObject"}), LIFECYCLE_BUCKET),
    # Customer managed keys of the groups' EBS volumes: grants and reads on exactly those key ARNs.
    ReferenceStatement(frozenset({"kms:CreateGrant", "kms:DescribeKey"}), ("arn:{seg}:kms:{seg}:{seg}:key/{seg}",)),
]

# The only AWS managed policy the role gets: it grants the node agents their SageMaker/S3 sagemaker-* access.
ALLOWED_MANAGED_POLICIES = {"AmazonSageMakerClusterInstanceRolePolicy"}
