"""One moto server per test module (reset before each test) behind the local stub server, and a builder for the AWS
world a scenario needs. Configs are written as files and read by the real command."""

from __future__ import annotations

import json
import os
import urllib.request

import boto3
import pytest

from hyperpod.commands import aws as aws_calls
from tests.preflight.aws_stub import AwsStub, eks_addon, quota
from tests.status.conftest import moto_server

REGION = "us-west-2"
ACCOUNT = "123456789012"  # moto's default account
OTHER_ACCOUNT = "111111111111"
EKS = "ml-platform"
CLUSTER = "ml-cluster"
K8S = "1.31"
CNI = "v1.19.0-eksbuild.1"
# Kubernetes-side reads are not part of preflight; READ_ONLY is what the command may call (tests assert it).
READ_PREFIXES = ("Describe", "List", "Get", "Head", "Simulate")


@pytest.fixture(scope="module")
def moto_url():
    # Buckets of another account answer 403 as on AWS (moto serves them cross-account unless told not to).
    with moto_server({"MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS": "false"}) as url:
        yield url


@pytest.fixture(scope="module")
def stub(moto_url):
    server = AwsStub(moto_url).start()
    yield server
    server.stop()


@pytest.fixture
def aws(monkeypatch, moto_url, stub):
    """A fresh account: moto reset, the stub emptied, boto3 pointed at both the way users would (AWS_ENDPOINT_URL and
    AWS_ENDPOINT_URL_<SERVICE>), and every operation the command calls recorded."""
    urllib.request.urlopen(urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST"), timeout=10).close()
    stub.state.reset()
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_ENDPOINT_URL": moto_url,
                        "AWS_ENDPOINT_URL_SAGEMAKER": stub.url, "AWS_ENDPOINT_URL_EKS": stub.url,
                        "AWS_ENDPOINT_URL_SERVICE_QUOTAS": stub.url, "AWS_CONFIG_FILE": os.devnull,
                        "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "NO_COLOR": "1"}.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    world = World(moto_url, stub)
    real_client = aws_calls.client

    def recording_client(service, region, endpoint_url=None):
        client = real_client(service, region, endpoint_url)
        client.meta.events.register("before-call", lambda model, **_: world.operations.append(
            (model.name, aws_calls.iam_action(client, model.name))))
        return client

    monkeypatch.setattr(aws_calls, "client", recording_client)
    return world


def _client(service: str, url: str, **credentials):
    return boto3.client(service, region_name=REGION, endpoint_url=url, aws_access_key_id="testing",
                        aws_secret_access_key="testing", **credentials)


class World:
    """What a scenario puts in the account, through the real APIs of moto (and the stub's state for the rest)."""

    def __init__(self, moto_url: str, stub: AwsStub):
        self.moto_url, self.stub = moto_url, stub
        self.operations: list[tuple[str, str]] = []  # (API operation, IAM action) of each call the command made
        self.ec2 = _client("ec2", moto_url)
        self.eks = _client("eks", moto_url)
        self.sagemaker = _client("sagemaker", moto_url)
        self.kms = _client("kms", moto_url)
        self.s3 = _client("s3", moto_url)
        self.iam = _client("iam", moto_url)
        self.cloudwatch = _client("cloudwatch", moto_url)
        self.vpc = self.subnets = self.cluster_sg = None

    def network(self, egress: bool = True) -> None:
        """A VPC with two private subnets in two zones, routed through a NAT gateway (or nowhere)."""
        self.vpc = self.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        self.subnets = [self.ec2.create_subnet(VpcId=self.vpc, CidrBlock=f"10.0.{i}.0/24",
                                               AvailabilityZone=f"{REGION}{zone}")["Subnet"]["SubnetId"]
                        for i, zone in ((1, "a"), (2, "b"))]
        self.cluster_sg = self.security_group("eks-cluster-sg")
        table = self.ec2.create_route_table(VpcId=self.vpc)["RouteTable"]["RouteTableId"]
        self.route_table = table
        for subnet in self.subnets:
            self.ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
        if egress:
            public = self.ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.0.100.0/24",
                                            AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
            allocation = self.ec2.allocate_address(Domain="vpc")["AllocationId"]
            nat = self.ec2.create_nat_gateway(SubnetId=public, AllocationId=allocation)["NatGateway"]["NatGatewayId"]
            self.ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)

    def security_group(self, name: str, vpc: str | None = None) -> str:
        return self.ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc or self.vpc)["GroupId"]

    def eks_cluster(self, version: str = K8S, auth: str = "API_AND_CONFIG_MAP", public: bool = True,
                    cni: str | None = CNI) -> None:
        self.eks.create_cluster(name=EKS, version=version, roleArn=f"arn:aws:iam::{ACCOUNT}:role/eks",
                                resourcesVpcConfig={"subnetIds": self.subnets, "securityGroupIds": [],
                                                    "endpointPublicAccess": public,
                                                    "endpointPrivateAccess": True})
        with self.stub.state.lock:
            self.stub.state.eks_fields[EKS] = {
                "resourcesVpcConfig": {"vpcId": self.vpc, "clusterSecurityGroupId": self.cluster_sg},
                "accessConfig": {"authenticationMode": auth}}
            if cni:
                self.stub.state.addons[(EKS, "vpc-cni")] = eks_addon("vpc-cni", EKS, cni)

    def quotas(self, values: dict[str, float], defaults: dict[str, float] | None = None) -> None:
        with self.stub.state.lock:
            self.stub.state.quotas = [quota(n, v, f"L-{i:08d}") for i, (n, v) in enumerate(values.items())]
            self.stub.state.default_quotas = [quota(n, v, f"L-D{i:07d}") for i, (n, v) in
                                              enumerate((defaults or {}).items())]

    def addon_versions(self, name: str, versions: list[str], kubernetes: str = K8S) -> None:
        with self.stub.state.lock:
            self.stub.state.addon_versions[(name, kubernetes)] = versions

    def addon(self, name: str, version: str, tags: dict | None = None) -> None:
        with self.stub.state.lock:
            self.stub.state.addons[(EKS, name)] = eks_addon(name, EKS, version, tags)

    def plan(self, name: str, instance_type: str, count: int, zone: str, status: str = "Active",
             targets: tuple[str, ...] = ("hyperpod-cluster",), start: float = 1767225600.0,
             end: float = 4102444800.0) -> str:
        arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-plan/{name}"
        with self.stub.state.lock:
            self.stub.state.plans[name] = {
                "TrainingPlanArn": arn, "TrainingPlanName": name, "Status": status, "StartTime": start,
                "EndTime": end, "TotalInstanceCount": count, "AvailableInstanceCount": count,
                "TargetResources": list(targets),
                "ReservedCapacitySummaries": [{"ReservedCapacityArn": f"{arn}/rc-1", "InstanceType": instance_type,
                                               "TotalInstanceCount": count, "Status": status,
                                               "AvailabilityZone": zone, "StartTime": start, "EndTime": end}]}
        return arn

    def hyperpod_cluster(self, name: str, tags: dict[str, str], groups: dict[str, tuple[str, int]]) -> None:
        self.sagemaker.create_cluster(
            ClusterName=name,
            InstanceGroups=[{"InstanceGroupName": g, "InstanceType": t, "InstanceCount": n,
                             "LifeCycleConfig": {"SourceS3Uri": "s3://sagemaker-x/", "OnCreate": "on_create.sh"},
                             "ExecutionRole": f"arn:aws:iam::{ACCOUNT}:role/exec", "ThreadsPerCore": 1}
                            for g, (t, n) in groups.items()],
            VpcConfig={"SecurityGroupIds": [self.cluster_sg], "Subnets": self.subnets[:1]},
            Orchestrator={"Eks": {"ClusterArn": f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/{EKS}"}},
            Tags=[{"Key": k, "Value": v} for k, v in tags.items()])

    def kms_key(self, enabled: bool = True, spec: str = "SYMMETRIC_DEFAULT") -> str:
        usage = "ENCRYPT_DECRYPT" if spec == "SYMMETRIC_DEFAULT" else "SIGN_VERIFY"
        key = self.kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
        if not enabled:
            self.kms.disable_key(KeyId=key["KeyId"])
        return key["Arn"]

    def role(self, name: str) -> str:
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {
            "Service": "hyperpod.sagemaker.amazonaws.com"}}]}
        return self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]

    def alarm(self, name: str) -> None:
        self.cloudwatch.put_metric_alarm(AlarmName=name, MetricName="GPUUtilization", Namespace="HyperPod",
                                         Statistic="Average", Period=60, EvaluationPeriods=1, Threshold=1.0,
                                         ComparisonOperator="LessThanThreshold")

    def bucket_of_other_account(self, name: str) -> None:
        sts = _client("sts", self.moto_url)
        role = sts.assume_role(RoleArn=f"arn:aws:iam::{OTHER_ACCOUNT}:role/other", RoleSessionName="other")
        creds = role["Credentials"]
        boto3.client("s3", region_name=REGION, endpoint_url=self.moto_url, aws_access_key_id=creds["AccessKeyId"],
                     aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"]) \
            .create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})


def config(tmp_path, world: World, name: str = "config.json", **overrides) -> str:
    """A valid config deploying one ml.g5.8xlarge group of 2 on the world's EKS cluster and subnets."""
    data = {"region": REGION, "eks_cluster_name": EKS, "hyperpod_enabled": True, "hyperpod_cluster_name": CLUSTER,
            "hyperpod_instance_groups": [{"name": "workers", "instance_type": "ml.g5.8xlarge", "instance_count": 2}],
            "hyperpod_subnet_ids": list(world.subnets or ["subnet-0123456789abcdef0"])}
    data.update(overrides)
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return str(path)


def clean_world(world: World) -> None:
    """Everything a one-group ml.g5.8xlarge deployment needs, present and right."""
    world.network()
    world.eks_cluster()
    world.quotas({"ml.g5.8xlarge for cluster usage": 4})
