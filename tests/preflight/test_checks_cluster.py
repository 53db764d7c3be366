"""Each preflight check of the EKS cluster, quotas and placement (subnets, training plans, zones): a deployment that
passes and one that fails, the failure's message and fix asserted. Most tests run two configs (one right, one wrong)
against one account in a single run, as a user with several environments would."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from hyperpod.preflight import eks_cluster
from tests.preflight.conftest import EKS, REGION, clean_world, config
from tests.preflight.runs import GPU, pair, run, several, verdict


def test_missing_eks_cluster_fails_and_skips_what_depends_on_it(aws, tmp_path, capsys):
    aws.network()

    code, [found] = run(capsys, config(tmp_path, aws))

    assert code == 1
    assert verdict(found["eks: cluster"]) == ("fail", f"no EKS cluster {EKS} in {REGION}",
                                              "create it first, or fix eks_cluster_name / region")
    assert verdict(found["eks: kubernetes version"])[:2] == ("skipped", "no EKS cluster")


def test_eks_version_auth_mode_cni_and_endpoint(aws, tmp_path, capsys):
    aws.network()
    aws.eks_cluster(version="1.27", auth="CONFIG_MAP", public=False, cni="v1.15.0-eksbuild.1")
    aws.quotas({"ml.g5.8xlarge for cluster usage": 4})

    code, [found] = run(capsys, config(tmp_path, aws))

    assert code == 1
    assert verdict(found["eks: kubernetes version"]) == (
        "fail", "Kubernetes 1.27; HyperPod supports 1.28-1.34",
        "upgrade the EKS cluster to Kubernetes 1.28 or newer (aws eks update-cluster-version), one minor version at "
        "a time")
    assert verdict(found["eks: authentication mode"]) == (
        "fail", "CONFIG_MAP; HyperPod needs API or API_AND_CONFIG_MAP",
        f"aws eks update-cluster-config --name {EKS} --access-config authenticationMode=API_AND_CONFIG_MAP (keeps "
        "the aws-auth ConfigMap working)")
    assert verdict(found["eks: vpc-cni"])[:2] == ("fail", "add-on version v1.15.0-eksbuild.1; HyperPod needs 1.18.3 "
                                                          "or newer")
    assert verdict(found["eks: endpoint access"])[:2] == (
        "warn", "private endpoint only: Terraform's helm and kubernetes providers must run inside the VPC or a "
                "network connected to it")


def test_newer_kubernetes_and_self_managed_cni_warn():
    assert eks_cluster.kubernetes_check("1.35").verdict == "warn"
    assert eks_cluster.kubernetes_check("1.34").verdict == "ok"
    assert eks_cluster.kubernetes_check("1.28").verdict == "ok"


def test_authentication_modes_agree_with_the_stack():
    """Read from the stack's source: importing hyperpod.eks loads cdktf (seconds), which preflight must not."""
    tree = ast.parse((Path(__file__).resolve().parents[2] / "hyperpod" / "eks.py").read_text())
    stack_modes = next(ast.literal_eval(node.value) for node in ast.walk(tree) if isinstance(node, ast.Assign)
                       and any(getattr(t, "id", None) == "SUPPORTED_AUTHENTICATION_MODES" for t in node.targets))

    assert eks_cluster.SUPPORTED_AUTHENTICATION_MODES == stack_modes


def test_quotas_count_other_clusters_name_the_increase_and_know_spot(aws, tmp_path, capsys):
    clean_world(aws)
    aws.quotas({"ml.g5.8xlarge for cluster usage": 4, "ml.p5.48xlarge for cluster usage": 2},
               defaults={"ml.p5.48xlarge for spot cluster usage": 8, "ml.g5.8xlarge for cluster usage": 1})
    aws.hyperpod_cluster("neighbour", {}, {"busy": ("ml.g5.8xlarge", 3)})
    spot = {"capacity_type": "spot"}
    small = {"name": "w", "instance_type": "ml.g5.8xlarge", "instance_count": 1}

    code, (right, wrong, spot_right, spot_unknown) = several(
        aws, tmp_path, capsys, {"hyperpod_instance_groups": [GPU]}, {},
        {"hyperpod_instance_groups": [{**GPU, **spot}]}, {"hyperpod_instance_groups": [{**small, **spot}]})

    assert code == 1
    assert verdict(right["quota: ml.p5.48xlarge (on-demand)"])[:2] == (
        "ok", "used 0 / needed 2 / quota 2 ('ml.p5.48xlarge for cluster usage')")
    assert verdict(wrong["quota: ml.g5.8xlarge (on-demand)"]) == (  # the applied 4, not the default 1
        "fail", "used 3 / needed 2 / quota 4 ('ml.g5.8xlarge for cluster usage')",
        "request 'ml.g5.8xlarge for cluster usage' of at least 5: aws service-quotas request-service-quota-increase "
        f"--service-code sagemaker --quota-code L-00000000 --desired-value 5 --region {REGION}")
    assert verdict(spot_right["quota: ml.p5.48xlarge (spot)"])[:2] == (
        "ok", "used 0 / needed 2 / quota 8 ('ml.p5.48xlarge for spot cluster usage')")
    assert verdict(spot_unknown["quota: ml.g5.8xlarge (spot)"])[:2] == (
        "warn", "used 0 / needed 1 / quota unknown: Service Quotas lists no a quota named like 'ml.g5.8xlarge for "
                f"spot cluster usage' for SageMaker in {REGION}")


def test_subnets_must_exist_in_the_clusters_vpc_with_room(aws, tmp_path, capsys):
    clean_world(aws)
    other_vpc = aws.ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    foreign = aws.ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    small = aws.ec2.create_subnet(VpcId=aws.vpc, CidrBlock="10.0.9.0/28",
                                  AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
    crowded = {"name": "crowded", "instance_type": "ml.g5.8xlarge", "instance_count": 12}

    code, right, wrong = pair(aws, tmp_path, capsys, {"hyperpod_instance_groups": [{**crowded, "instance_count": 3}],
                                                      "hyperpod_subnet_ids": [small]},
                              {"hyperpod_instance_groups": [crowded],
                               "hyperpod_subnet_ids": [small, foreign, "subnet-0000000000000dead"]})

    assert code == 1
    assert verdict(right[f"subnet: {small}"])[:2] == ("ok", f"{REGION}a, {aws.vpc}, 11 free IPv4 addresses")
    assert verdict(right["ip addresses: crowded"])[:2] == (
        "warn", f"3 nodes on {small}: 11 free, at least 3 needed, about 180 estimated (2 x IPv4 addresses per "
                "interface per node, the VPC CNI's default warm pool); AWS documents no per-node number for HyperPod: "
                "this is an estimate")
    assert verdict(wrong[f"subnet: {foreign}"]) == ("fail", f"in {other_vpc}, not the EKS cluster's VPC {aws.vpc}",
                                                    "use subnets of the EKS cluster's VPC")
    assert verdict(wrong["subnet: subnet-0000000000000dead"])[:2] == (
        "fail", f"no subnet subnet-0000000000000dead in {REGION}")
    assert verdict(wrong["ip addresses: crowded"])[0] == "warn"  # the foreign subnet's room counts: no failure
    path = config(tmp_path, aws, "full.json", hyperpod_instance_groups=[crowded], hyperpod_subnet_ids=[small])
    _, [full] = run(capsys, path)
    assert verdict(full["ip addresses: crowded"])[0::2] == ("fail", "free addresses in these subnets or add subnets "
                                                                    "with room")
    assert full["ip addresses: crowded"]["facts"].startswith(f"12 nodes on {small}: 11 free, at least 12 needed")


def test_training_plan_must_match_the_groups_zone_type_count_and_time(aws, tmp_path, capsys):
    clean_world(aws)
    aws.quotas({"ml.p5.48xlarge for cluster usage": 16})
    good = aws.plan("good-plan", "ml.p5.48xlarge", 2, f"{REGION}a")
    far = aws.plan("far-plan", "ml.p5.48xlarge", 1, f"{REGION}c")
    later = aws.plan("later-plan", "ml.p5.48xlarge", 2, f"{REGION}a", status="Scheduled")
    jobs = aws.plan("jobs-plan", "ml.g5.8xlarge", 2, f"{REGION}a", status="Pending", targets=("training-job",))

    code, found = several(aws, tmp_path, capsys, *({"hyperpod_instance_groups": [{**GPU, "training_plan_arn": plan}]}
                                                   for plan in (good, far, later, jobs)))

    assert code == 1
    right, wrong, scheduled, expired = (f["training plan: gpu"] for f in found)
    assert verdict(right)[:2] == ("ok", f"good-plan: Active, 2 ml.p5.48xlarge in {REGION}a")
    assert verdict(wrong) == (
        "fail", f"far-plan: reserves 1 ml.p5.48xlarge, the group asks for 2; capacity in {REGION}c, the group's "
                f"subnets are in {REGION}a, {REGION}b",
        "use a plan that reserves the group's type and count in a zone of its subnets (add a subnet in the plan's "
        "zone to hyperpod_instance_groups[0].subnet_ids), active now")
    assert verdict(scheduled)[:2] == (
        "warn", "later-plan: status Scheduled, capacity from 2026-01-01 00:00:00+00:00: instances wait for the plan "
                "to start")
    assert verdict(expired)[:2] == (
        "fail", "jobs-plan: status Pending (HyperPod takes Scheduled or Active plans); serves training-job, not "
                "hyperpod-cluster; reserves ml.g5.8xlarge, the group needs ml.p5.48xlarge")


def test_autoscaled_groups_must_stay_in_one_zone(aws, tmp_path, capsys):
    clean_world(aws)
    scaled = {"hyperpod_autoscaling": {"enabled": True, "instance_groups": ["workers"]}}
    group = {"name": "workers", "instance_type": "ml.g5.8xlarge", "instance_count": 0}

    code, right, wrong = pair(aws, tmp_path, capsys,
                              {**scaled, "hyperpod_instance_groups": [{**group, "subnet_ids": aws.subnets[:1]}]},
                              {**scaled, "hyperpod_instance_groups": [group]})

    assert code == 1
    assert verdict(right["autoscaling zones: workers"])[:2] == ("ok", f"subnets in {REGION}a")
    assert verdict(wrong["autoscaling zones: workers"]) == (
        "fail", f"subnets in 2 zones ({REGION}a, {REGION}b); a Karpenter-scaled group's subnets must be in one zone",
        "give hyperpod_instance_groups[0] subnet_ids of one zone (one group per zone)")
