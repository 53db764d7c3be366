"""hyperpod-preflight end to end: a clean deployment (exit 0), everything wrong at once (exit 1, every failure
reported), several configs in one run, and proof that whole runs call only read operations."""

from __future__ import annotations

import json
from pathlib import Path

from hyperpod.preflight.cli import main
from tests.preflight.conftest import (ACCOUNT, CLUSTER, EKS, READ_PREFIXES, REGION, clean_world, config)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def checks(out: str, index: int = 0) -> dict[str, dict]:
    return {c["name"]: c for c in json.loads(out)["configs"][index]["checks"]}


DOCS = Path(__file__).resolve().parents[2] / "docs" / "preflight.md"


def documented_policy() -> set[str]:
    """The actions of the read-only IAM policy docs/preflight.md gives users (its only JSON block)."""
    text = DOCS.read_text(encoding="utf-8")
    block = text.split("```json\n", 1)[1].split("```", 1)[0]
    return {action for statement in json.loads(block)["Statement"] for action in statement["Action"]}


def assert_read_only(operations: list[tuple[str, str]]) -> None:
    """Every API operation the run called is a read (STS GetCallerIdentity included), and the documented policy
    grants the IAM action of each."""
    assert operations, "no AWS operation was recorded"
    writes = sorted({op for op, _ in operations if not op.startswith(READ_PREFIXES) and op != "GetCallerIdentity"})
    assert writes == []
    assert {action for _, action in operations} - {"sts:GetCallerIdentity"} <= documented_policy()


def assert_every_service_through_shared_clients(operations: list[tuple[str, str]]) -> None:
    """The recorder wraps hyperpod.commands.aws.client (the client set-up hyperpod-status uses): a service whose
    calls went through clients built elsewhere would be missing here."""
    assert {action.split(":")[0] for _, action in operations} == {"sts", "eks", "ec2", "sagemaker", "servicequotas",
                                                                  "s3", "kms", "iam", "cloudwatch"}


def test_clean_deployment_is_ready(aws, tmp_path, capsys):
    clean_world(aws)
    path = config(tmp_path, aws)

    code, out, err = run(capsys, "--config", path)
    json_code, document, _ = run(capsys, "--config", path, "--json")

    assert code == 0 == json_code, out + err
    assert out.splitlines()[0] == (f"{path}: HyperPod cluster {CLUSTER} on EKS {EKS}, {REGION}, account {ACCOUNT}: "
                                   "READY")
    found = checks(document)
    assert {c["verdict"] for c in found.values()} == {"ok"}
    assert list(found)[:8] == ["identity: caller", "identity: ARNs in scope", "eks: cluster",
                               "eks: kubernetes version", "eks: authentication mode", "eks: vpc-cni",
                               "eks: endpoint access", "quota: ml.g5.8xlarge (on-demand)"]
    assert found["quota: ml.g5.8xlarge (on-demand)"]["facts"] == (
        "used 0 / needed 2 / quota 4 ('ml.g5.8xlarge for cluster usage')")
    assert json.loads(document)["ready"] is True and err == ""
    assert_read_only(aws.operations)


def broken_world(aws) -> dict:
    """An account where every check area has something wrong; returns the config overrides that point at it."""
    aws.network(egress=False)
    aws.eks_cluster(version="1.27", auth="CONFIG_MAP", public=False, cni="v1.15.0-eksbuild.1")
    aws.quotas({"ml.p5.48xlarge for cluster usage": 0, "ml.g5.8xlarge for cluster usage": 4})
    small = aws.ec2.create_subnet(VpcId=aws.vpc, CidrBlock="10.0.9.0/28",
                                  AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
    other_vpc = aws.ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    foreign_subnet = aws.ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.1.1.0/24",
                                           AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
    foreign_sg = aws.security_group("elsewhere", vpc=other_vpc)
    plan = aws.plan("p5-plan", "ml.p5.48xlarge", 2, f"{REGION}c").replace(REGION, "us-east-1")
    aws.addon_versions("amazon-sagemaker-hyperpod-training-operator", ["v1.0.0-eksbuild.1"], "1.27")
    aws.addon("cert-manager", "v1.18.2-eksbuild.2")
    aws.hyperpod_cluster(CLUSTER, {}, {"old": ("ml.g5.8xlarge", 1)})
    aws.bucket_of_other_account("sagemaker-taken-bucket")
    key = aws.kms_key(enabled=False)
    return {
        "hyperpod_subnet_ids": [aws.subnets[0], foreign_subnet, "subnet-0000000000000dead"],
        "hyperpod_security_group_ids": [foreign_sg],
        "hyperpod_create_security_group": False,
        "hyperpod_instance_groups": [
            {"name": "gpu", "instance_type": "ml.p5.48xlarge", "instance_count": 2, "training_plan_arn": plan,
             "ebs_kms_key_id": key},
            {"name": "crowded", "instance_type": "ml.g5.8xlarge", "instance_count": 20, "subnet_ids": [small],
             "scheduled_update": {"schedule_expression": "cron(0 3 ? * SUN *)", "batch_size": 10,
                                  "rollback_alarms": ["hp-missing-alarm"]}},
            {"name": "scaled", "instance_type": "ml.g5.8xlarge", "instance_count": 0,
             "subnet_ids": aws.subnets[:1]}],
        "hyperpod_autoscaling": {"enabled": True, "instance_groups": ["scaled"],
                                 "cluster_role_arn": f"arn:aws:iam::{ACCOUNT}:role/missing-autoscaler"},
        "hyperpod_addons": {"training_operator": {"enabled": True}},
        "lifecycle_scripts_bucket_name": "sagemaker-taken-bucket",
        "tags": {"team": "ml"},
    }


def test_everything_wrong_at_once_is_all_reported(aws, tmp_path, capsys):
    path = config(tmp_path, aws, **broken_world(aws))

    code, out, err = run(capsys, "--config", path, "--json")

    assert code == 1, out + err
    found = checks(out)
    failed = sorted(name for name, c in found.items() if c["verdict"] == "fail")
    assert failed == sorted([
        "identity: ARNs in scope", "identity: autoscaler role", "identity: rollback alarms", "eks: kubernetes version", "eks: authentication mode", "eks: vpc-cni",
        "quota: ml.p5.48xlarge (on-demand)", "quota: ml.g5.8xlarge (on-demand)",
        f"subnet: {json.loads(open(path).read())['hyperpod_subnet_ids'][1]}", "subnet: subnet-0000000000000dead",
        "ip addresses: crowded", "training plan: gpu",
        f"security group: {json.loads(open(path).read())['hyperpod_security_group_ids'][0]}",
        "network: efa traffic", "network: vpc endpoints",
        "addon: amazon-sagemaker-hyperpod-training-operator version", "addon: eks-pod-identity-agent version",
        "addon: cert-manager version", "addon: cert-manager not taken",
        "collision: hyperpod cluster", "collision: lifecycle bucket",
        "kms: hyperpod_instance_groups[0].ebs_kms_key_id"])
    assert all(found[name]["fix"] for name in failed)
    assert found["eks: endpoint access"]["verdict"] == "warn"
    assert json.loads(out)["ready"] is False and json.loads(out)["exit_code"] == 1
    table_code, table, _ = run(capsys, "--config", path)
    assert table_code == 1 and "NOT READY (22 failed" in table.splitlines()[0]
    assert table.count("fix: ") == 22 + sum(c["verdict"] == "warn" and bool(c["fix"]) for c in found.values())
    assert_read_only(aws.operations)
    assert_every_service_through_shared_clients(aws.operations)


def test_several_configs_share_the_accounts_quota(aws, tmp_path, capsys):
    clean_world(aws)  # quota: 4 ml.g5.8xlarge

    def deployment(name: str, count: int) -> str:
        return config(tmp_path, aws, f"{name}.json", stack_name=f"hp-{name}", hyperpod_cluster_name=f"{name}-cluster",
                      hyperpod_instance_groups=[{"name": "w", "instance_type": "ml.g5.8xlarge",
                                                 "instance_count": count}])

    dev, test, prod = deployment("dev", 2), deployment("test", 1), deployment("prod", 2)

    code, out, err = run(capsys, "--config", dev, "--config", test, "--json")
    more_code, more, _ = run(capsys, "--config", dev, "--config", test, "--config", prod, "--json")

    assert code == 0, out + err
    assert [c["config"] for c in json.loads(out)["configs"]] == [dev, test]
    assert [checks(out, i)["quota: ml.g5.8xlarge (on-demand)"]["facts"] for i in (0, 1)] == [
        "used 1 / needed 2 / quota 4 ('ml.g5.8xlarge for cluster usage')",
        "used 2 / needed 1 / quota 4 ('ml.g5.8xlarge for cluster usage')"]
    assert more_code == 1  # each fits alone; together they need 5
    assert [checks(more, i)["quota: ml.g5.8xlarge (on-demand)"]["verdict"] for i in (0, 1, 2)] == ["fail"] * 3
    assert checks(more, 2)["quota: ml.g5.8xlarge (on-demand)"]["facts"].startswith("used 3 / needed 2 / quota 4")
