"""Each preflight check of the network, add-ons, name collisions, keys and referenced resources: a deployment that
passes and one that fails, the failure's message and fix asserted (two configs against one account per run)."""

from __future__ import annotations

from hyperpod.config.addons import POD_IDENTITY_AGENT_VERSION  # the stack's pin; the stub offers only .3
from hyperpod.preflight import eks_cluster
from tests.preflight.conftest import ACCOUNT, EKS, REGION, clean_world
from tests.preflight.runs import pair, several, verdict


def test_security_groups_and_efa_rule(aws, tmp_path, capsys):
    clean_world(aws)
    members = aws.security_group("members")
    for direction in (aws.ec2.authorize_security_group_ingress, aws.ec2.authorize_security_group_egress):
        direction(GroupId=members, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": members}]}])
    other_vpc = aws.ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    foreign = aws.security_group("foreign", vpc=other_vpc)
    mine = {"hyperpod_create_security_group": False}

    code, right, wrong = pair(aws, tmp_path, capsys, {**mine, "hyperpod_security_group_ids": [members]},
                              {**mine, "hyperpod_security_group_ids": [foreign, "sg-0000000000000dead"]})

    assert code == 1
    assert verdict(right["network: efa traffic"])[:2] == (
        "ok", "every EFA group carries a self-referencing all-traffic security group")
    assert verdict(right[f"security group: {members}"])[:2] == ("ok", f"members, {aws.vpc}")
    assert verdict(wrong["network: efa traffic"]) == (
        "fail", f"EFA groups without a security group allowing all traffic to and from itself: workers "
                f"({aws.cluster_sg}, {foreign}, sg-0000000000000dead)",
        "add to one of their security groups an inbound and an outbound rule: all traffic, source/destination the "
        "security group itself (or set hyperpod_create_security_group true)")
    assert verdict(wrong[f"security group: {foreign}"])[:2] == (
        "fail", f"in {other_vpc}, not the EKS cluster's VPC {aws.vpc}")
    assert verdict(wrong["security group: sg-0000000000000dead"])[:2] == (
        "fail", f"no security group sg-0000000000000dead in {REGION}")


def test_existing_fsx_needs_lustre_ports_open(aws, tmp_path, capsys):
    clean_world(aws)
    closed = aws.security_group("closed")
    aws.ec2.revoke_security_group_egress(GroupId=closed, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    fsx = {"hyperpod_fsx_lustre": {"enabled": True, "file_system_id": "fs-0123456789abcdef0", "mount_name": "abcdef",
                                   "dns_name": "fs-0123456789abcdef0.fsx.us-west-2.amazonaws.com"}}
    group = {"name": "workers", "instance_type": "ml.g5.8xlarge", "instance_count": 2}

    code, right, wrong = pair(aws, tmp_path, capsys, fsx, {**fsx, "hyperpod_instance_groups": [
        {**group, "subnet_ids": aws.subnets, "security_group_ids": [closed]}]})

    assert verdict(right["network: fsx lustre ports"])[:2] == (
        "ok", "outbound TCP 988 and 1018-1023 allowed (the inbound rules of fs-0123456789abcdef0's security group are "
              "not checked)")
    assert verdict(wrong["network: fsx lustre ports"]) == (
        "fail", "groups workers cannot reach TCP 988 and 1018-1023 of fs-0123456789abcdef0",
        "allow outbound TCP 988 and 1018-1023 to the file system's security group")


def test_closed_network_needs_its_vpc_endpoints(aws, tmp_path, capsys):
    aws.network(egress=False)
    aws.eks_cluster()
    aws.quotas({"ml.g5.8xlarge for cluster usage": 8})
    for service in ("ec2", "ecr.api", "ecr.dkr", "logs", "sts"):
        aws.ec2.create_vpc_endpoint(VpcId=aws.vpc, ServiceName=f"com.amazonaws.{REGION}.{service}",
                                    VpcEndpointType="Interface", SubnetIds=aws.subnets[:1])
    aws.ec2.create_vpc_endpoint(VpcId=aws.vpc, ServiceName=f"com.amazonaws.{REGION}.s3", VpcEndpointType="Gateway",
                                RouteTableIds=[aws.route_table])

    code, right, wrong = pair(aws, tmp_path, capsys, {}, {"hyperpod_addons": {"training_operator": {"enabled": True}}})

    assert verdict(right["network: vpc endpoints"])[0] == "ok"
    prefix = f"com.amazonaws.{REGION}."
    assert verdict(wrong["network: vpc endpoints"]) == (
        "fail", f"no route to a NAT or internet gateway from {', '.join(sorted(aws.subnets))}; missing: "
                f"{prefix}sagemaker.api (Interface, for training operator); {prefix}eks-auth (Interface, for EKS Pod "
                "Identity)",
        "add the missing VPC endpoints (their security groups must allow HTTPS from the instances)")


def test_addon_pins_must_be_offered_and_existing_addons_must_be_the_stacks(aws, tmp_path, capsys):
    clean_world(aws)
    operator = "amazon-sagemaker-hyperpod-training-operator"
    aws.addon_versions(operator, ["v1.2.1-eksbuild.1", "v1.2.0-eksbuild.1"])
    aws.addon_versions("cert-manager", ["v1.18.2-eksbuild.2"])
    aws.addon_versions("eks-pod-identity-agent", ["v1.3.10-eksbuild.3"])
    aws.addon("cert-manager", "v1.18.2-eksbuild.2", tags={"managed-by": "hyperpod-cdktf"})
    aws.addon("eks-pod-identity-agent", "v1.3.10-eksbuild.3")

    code, right, wrong = pair(aws, tmp_path, capsys, {"hyperpod_addons": {"training_operator": {"enabled": True},
                                                                          "pod_identity_agent": {
                                                                              "already_installed": True}}},
                              {"hyperpod_addons": {"training_operator": {"enabled": True,
                                                                         "version": "v1.1.0-eksbuild.1"}}})

    assert code == 1
    assert verdict(right[f"addon: {operator} version"])[:2] == ("ok", "v1.2.1-eksbuild.1 is offered for Kubernetes "
                                                                      "1.31")
    assert verdict(right["addon: cert-manager not taken"])[:2] == (
        "ok", "installed (v1.18.2-eksbuild.2) with this stack's tags: apply updates it")
    assert verdict(wrong[f"addon: {operator} version"]) == (
        "fail", "v1.1.0-eksbuild.1 is not offered for Kubernetes 1.31; offered: v1.2.1-eksbuild.1, v1.2.0-eksbuild.1",
        "set hyperpod_addons.training_operator.version to v1.2.1-eksbuild.1 (the newest EKS offers for Kubernetes "
        "1.31)")
    assert verdict(wrong["addon: eks-pod-identity-agent version"])[:2] == (
        "fail", f"{POD_IDENTITY_AGENT_VERSION} is not offered for Kubernetes 1.31; offered: v1.3.10-eksbuild.3")
    assert verdict(wrong["addon: eks-pod-identity-agent not taken"])[:2] == (
        "fail", "installed (v1.3.10-eksbuild.3, ACTIVE) without this stack's tags (managed-by=hyperpod-cdktf): "
                "CreateAddon would fail with ResourceInUseException")


def test_collisions_cluster_name_by_the_stacks_tags_and_bucket_by_owner(aws, tmp_path, capsys):
    clean_world(aws)
    aws.hyperpod_cluster("cluster-0", {"team": "ml"}, {"w": ("ml.g5.8xlarge", 1)})
    aws.hyperpod_cluster("cluster-1", {"team": "web"}, {"w": ("ml.g5.8xlarge", 1)})
    aws.hyperpod_cluster("cluster-2", {}, {"w": ("ml.g5.8xlarge", 1)})
    aws.bucket_of_other_account("sagemaker-taken")
    aws.s3.create_bucket(Bucket="sagemaker-mine", CreateBucketConfiguration={"LocationConstraint": REGION})

    code, (right, wrong, untagged, mine) = several(
        aws, tmp_path, capsys, {"tags": {"team": "ml"}, "lifecycle_scripts_bucket_name": "sagemaker-free"},
        {"tags": {"team": "ml"}, "lifecycle_scripts_bucket_name": "sagemaker-taken"}, {},
        {"hyperpod_cluster_name": "cluster-new", "lifecycle_scripts_bucket_name": "sagemaker-mine"})

    assert code == 1
    assert verdict(right["collision: hyperpod cluster"])[:2] == (
        "ok", "cluster-0 exists (InService) with this stack's tags: apply updates it")
    assert verdict(wrong["collision: hyperpod cluster"]) == (
        "fail", "cluster-1 exists (InService) without this stack's tags (team=ml): CreateCluster would fail with "
                "ResourceInUse", "choose another hyperpod_cluster_name, or import the cluster into the stack's state")
    assert verdict(untagged["collision: hyperpod cluster"])[0] == "warn"
    assert verdict(right["collision: lifecycle bucket"])[:2] == ("ok", "sagemaker-free is free")
    assert verdict(wrong["collision: lifecycle bucket"]) == (
        "fail", f"sagemaker-taken exists and is not this account's (S3 answers 403 to account {ACCOUNT}; or the "
                "caller lacks s3:ListBucket on its own bucket)",
        "choose another lifecycle_scripts_bucket_name (bucket names are global)")
    assert verdict(mine["collision: lifecycle bucket"])[:2] == (
        "warn", f"sagemaker-mine exists in account {ACCOUNT} but the cluster does not: a first apply fails "
                "(BucketAlreadyOwnedByYou) unless the bucket is in this stack's state")


def test_kms_keys_and_arns_must_be_in_scope_enabled_and_symmetric(aws, tmp_path, capsys):
    clean_world(aws)
    good, disabled = aws.kms_key(), aws.kms_key(enabled=False)
    signing = aws.kms_key(spec="RSA_2048")
    gone = good.rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"
    elsewhere, shared = good.replace(REGION, "eu-west-1"), good.replace(ACCOUNT, "210987654321")
    group = {"name": "workers", "instance_type": "ml.g5.8xlarge", "instance_count": 1}

    code, (right, wrong, foreign, borrowed) = several(
        aws, tmp_path, capsys, {"hyperpod_instance_groups": [{**group, "ebs_kms_key_id": good}]},
        {"hyperpod_instance_groups": [{**group, "ebs_kms_key_id": disabled},
                                      {**group, "name": "b", "ebs_kms_key_id": signing},
                                      {**group, "name": "c", "ebs_kms_key_id": gone}]},
        {"hyperpod_instance_groups": [{**group, "ebs_kms_key_id": elsewhere}]},
        {"hyperpod_instance_groups": [{**group, "ebs_kms_key_id": shared}]})

    assert code == 1
    key = "kms: hyperpod_instance_groups[0].ebs_kms_key_id"
    assert verdict(right[key])[:2] == ("ok", f"{good.rsplit('/', 1)[1]}: Enabled, SYMMETRIC_DEFAULT, {REGION}")
    assert verdict(right["identity: ARNs in scope"])[:2] == ("ok", f"1 ARN(s) in account {ACCOUNT}, aws, {REGION}")
    assert verdict(wrong[key]) == ("fail", f"{disabled.rsplit('/', 1)[1]}: state Disabled",
                                   f"aws kms enable-key --key-id {disabled}")
    assert verdict(wrong["kms: hyperpod_instance_groups[1].ebs_kms_key_id"])[:2] == (
        "fail", f"{signing.rsplit('/', 1)[1]}: RSA_2048 SIGN_VERIFY, not a symmetric encryption key "
                "(SYMMETRIC_DEFAULT ENCRYPT_DECRYPT)")
    assert verdict(wrong["kms: hyperpod_instance_groups[2].ebs_kms_key_id"]) == (
        "fail", f"no KMS key {gone}", "fix hyperpod_instance_groups[2].ebs_kms_key_id")
    assert verdict(foreign["identity: ARNs in scope"]) == (
        "fail", f"hyperpod_instance_groups[0].ebs_kms_key_id: region eu-west-1, the deployment's is {REGION}",
        "use resources of the deployment's partition and region (or deploy to theirs: region)")
    assert verdict(foreign[key]) == ("fail", f"{elsewhere} is in eu-west-1, the deployment in {REGION}",
                                     "use a key of the deployment's region")
    assert verdict(borrowed["identity: ARNs in scope"])[:2] == (
        "warn", f"hyperpod_instance_groups[0].ebs_kms_key_id: account 210987654321, the caller's is {ACCOUNT} "
                "(works only if that account shares it with this one)")


def test_autoscaler_role_and_rollback_alarms_must_exist(aws, tmp_path, capsys):
    clean_world(aws)
    role = aws.role("hyperpod-autoscaler")
    aws.alarm("hp-gpu-idle")
    update = {"schedule_expression": "cron(0 3 ? * SUN *)", "batch_size": 10}

    def deployment(role_arn: str, alarm: str) -> dict:
        return {"hyperpod_autoscaling": {"enabled": True, "instance_groups": ["scaled"], "cluster_role_arn": role_arn},
                "hyperpod_instance_groups": [
                    {"name": "scaled", "instance_type": "ml.g5.8xlarge", "instance_count": 0,
                     "subnet_ids": aws.subnets[:1]},
                    {"name": "steady", "instance_type": "ml.g5.8xlarge", "instance_count": 1,
                     "scheduled_update": {**update, "rollback_alarms": [alarm]}}]}

    code, right, wrong = pair(aws, tmp_path, capsys, deployment(role, "hp-gpu-idle"),
                              deployment(role.replace("hyperpod-autoscaler", "gone"), "hp-gone"))

    assert code == 1
    assert verdict(right["identity: autoscaler role"])[:2] == ("ok", f"{role} exists")
    assert verdict(right["identity: rollback alarms"])[:2] == ("ok", f"hp-gpu-idle exist in {REGION}")
    assert verdict(wrong["identity: autoscaler role"]) == (
        "fail", f"no IAM role {role.replace('hyperpod-autoscaler', 'gone')}",
        "create the role, or leave hyperpod_autoscaling.cluster_role_arn out (the stack creates one)")
    assert verdict(wrong["identity: rollback alarms"]) == (
        "fail", f"no CloudWatch alarm hp-gone in {REGION}", "create the alarms, or fix scheduled_update.rollback_alarms")
