"""The awscc schema validator: one hand-broken resource per rule, each asserting the path and the message."""
from __future__ import annotations

import subprocess
import sys

import pytest

from gates.awscc_schema import check_document, main
from tests.gates.conftest import HANDWRITTEN, ROOT, write_json

CLUSTER = "resource.awscc_sagemaker_cluster.hyperpod"
GROUP = f"{CLUSTER}.instance_groups[0]"


def cluster(document: dict) -> dict:
    return document["resource"]["awscc_sagemaker_cluster"]["hyperpod"]


def group(document: dict) -> dict:
    return cluster(document)["instance_groups"][0]


def violations(document: dict) -> list[str]:
    count, found = check_document(document)
    assert count == 1
    return [str(v) for v in found]


def test_the_handwritten_stack_conforms(handwritten):
    assert violations(handwritten) == []


def _set(path: tuple, value):
    def mutate(document):
        target = cluster(document)
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return mutate


def _delete(path: tuple):
    def mutate(document):
        target = cluster(document)
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return mutate


G = ("instance_groups", 0)

BROKEN = [
    # unknown attributes, at the top and deep down
    ("unknown top-level attribute", _set(("timeouts",), {"create": "720m"}),
     f"{CLUSTER}.timeouts: attribute 'timeouts' is not in the awscc schema"),
    ("unknown nested attribute", _set(G + ("life_cycle_config", "on_start"), "x.sh"),
     f"{GROUP}.life_cycle_config.on_start: attribute 'on_start' is not in the awscc schema"),
    ("unknown attribute in a list item", _set(G + ("instance_storage_configs", 0, "ebs_volume_config", "iops"), 3000),
     f"{GROUP}.instance_storage_configs[0].ebs_volume_config.iops: attribute 'iops' is not in the awscc schema"),
    # objects and lists where the schema says so
    ("block-style list for an object", _set(("orchestrator",), [{"eks": {"cluster_arn": "arn:x"}}]),
     f"{CLUSTER}.orchestrator: must be an object, got list"),
    ("object for a list of objects", _set(("instance_groups",), {"instance_group_name": "a"}),
     f"{CLUSTER}.instance_groups: must be a list (list(object)), got dict"),
    ("string for a list of strings", _set(("vpc_config", "subnets"), "subnet-1"),
     f"{CLUSTER}.vpc_config.subnets: must be a list (list(string)), got str"),
    ("map for a set of tag objects", _set(("tags",), {"project": "x"}),
     f"{CLUSTER}.tags: must be a list (set(object)), got dict"),
    ("string for a number", _set(G + ("instance_count",), "2"),
     f"{GROUP}.instance_count: must be a number, got str"),
    # CloudFormation-required fields
    ("missing instance group name", _delete(G + ("instance_group_name",)),
     f"{GROUP}.instance_group_name: 'instance_group_name' is required by CloudFormation"),
    ("missing instance type", _delete(G + ("instance_type",)),
     f"{GROUP}.instance_type: 'instance_type' is required by CloudFormation"),
    ("missing instance count", _delete(G + ("instance_count",)),
     f"{GROUP}.instance_count: 'instance_count' is required by CloudFormation"),
    ("missing execution role", _delete(G + ("execution_role",)),
     f"{GROUP}.execution_role: 'execution_role' is required by CloudFormation"),
    ("missing lifecycle config", _delete(G + ("life_cycle_config",)),
     f"{GROUP}.life_cycle_config: 'life_cycle_config' is required by CloudFormation"),
    ("missing source_s3_uri", _delete(G + ("life_cycle_config", "source_s3_uri")),
     f"{GROUP}.life_cycle_config.source_s3_uri: 'source_s3_uri' is required by CloudFormation"),
    ("missing on_create", _delete(G + ("life_cycle_config", "on_create")),
     f"{GROUP}.life_cycle_config.on_create: 'on_create' is required by CloudFormation"),
    ("missing EKS cluster ARN", _set(("orchestrator",), {"eks": {}}),
     f"{CLUSTER}.orchestrator.eks.cluster_arn: 'cluster_arn' is required by CloudFormation"),
    ("missing orchestrator", _delete(("orchestrator",)),
     f"{CLUSTER}.orchestrator: 'orchestrator' is required: this project orchestrates HyperPod with EKS"),
    ("vpc config without subnets", _delete(("vpc_config", "subnets")),
     f"{CLUSTER}.vpc_config.subnets: 'subnets' is required by CloudFormation"),
    ("override vpc config without security groups", _set(G + ("override_vpc_config",), {"subnets": ["subnet-9"]}),
     f"{GROUP}.override_vpc_config.security_group_ids: 'security_group_ids' is required by CloudFormation"),
    ("tag without a value", _set(("tags",), [{"key": "project"}]),
     f"{CLUSTER}.tags[0].value: 'value' is required by CloudFormation"),
    # value limits
    ("threads per core 4", _set(G + ("threads_per_core",), 4),
     f"{GROUP}.threads_per_core: got 4, allowed: 1 (no SMT) or 2"),
    ("threads per core 0", _set(G + ("threads_per_core",), 0),
     f"{GROUP}.threads_per_core: got 0, allowed: 1 (no SMT) or 2"),
    ("EBS volume of 0 GB", _set(G + ("instance_storage_configs", 0, "ebs_volume_config", "volume_size_in_gb"), 0),
     f"{GROUP}.instance_storage_configs[0].ebs_volume_config.volume_size_in_gb: got 0, allowed: a whole number of GB "
     f"from 1 to 16384"),
    ("EBS volume of 16385 GB",
     _set(G + ("instance_storage_configs", 0, "ebs_volume_config", "volume_size_in_gb"), 16385),
     f"{GROUP}.instance_storage_configs[0].ebs_volume_config.volume_size_in_gb: got 16385, allowed"),
    ("five storage configs",
     _set(G + ("instance_storage_configs",), [{"ebs_volume_config": {"volume_size_in_gb": 1}}] * 5),
     f"{GROUP}.instance_storage_configs: got 5 entries, allowed: at most 4"),
    ("two kinds in one storage entry", _set(G + ("instance_storage_configs",), [{
        "ebs_volume_config": {"volume_size_in_gb": 1},
        "fsx_open_zfs_config": {"dns_name": "fs-0123456789abcdef0.fsx.us-west-2.amazonaws.com"}}]),
     f"{GROUP}.instance_storage_configs[0]: got ebs_volume_config, fsx_open_zfs_config, allowed: exactly one of"),
    ("a root volume with a size", _set(G + ("instance_storage_configs", 0, "ebs_volume_config", "root_volume"), True),
     f"{GROUP}.instance_storage_configs[0].ebs_volume_config.volume_size_in_gb: a root volume takes no size"),
    ("a root volume without a key", _set(G + ("instance_storage_configs",), [
        {"ebs_volume_config": {"volume_size_in_gb": 100}}, {"ebs_volume_config": {"root_volume": True}}]),
     f"{GROUP}.instance_storage_configs[1].ebs_volume_config.volume_kms_key_id: a root volume needs its KMS key"),
    ("node recovery spelled like the API's boolean", _set(("node_recovery",), "true"),
     f"{CLUSTER}.node_recovery: got 'true', allowed: Automatic | None"),
    ("unknown deep health check", _set(G + ("on_start_deep_health_checks",), ["InstanceStress", "GpuBurn"]),
     f"{GROUP}.on_start_deep_health_checks[1]: got 'GpuBurn', allowed: InstanceStress | InstanceConnectivity"),
    ("negative instance count", _set(G + ("instance_count",), -1),
     f"{GROUP}.instance_count: got -1, allowed: a whole number >= 0"),
    ("both lifecycle entry points", _set(G + ("life_cycle_config", "on_init_complete"), "init.sh"),
     f"{GROUP}.life_cycle_config: 'on_create' and 'on_init_complete' are mutually exclusive"),
    ("literal lifecycle URI outside sagemaker-*", _set(G + ("life_cycle_config", "source_s3_uri"), "s3://my-scripts/lc"),
     f"{GROUP}.life_cycle_config.source_s3_uri: got 's3://my-scripts/lc', must start with 's3://sagemaker-'"),
    ("empty label value", _set(G + ("kubernetes_config",), {"labels": {"team": ""}}),
     f"{GROUP}.kubernetes_config.labels['team']: got '', allowed: 1 to 63 characters"),
    ("empty taint value", _set(G + ("kubernetes_config",), {"taints": [{"key": "gpu", "value": "",
                                                                          "effect": "NoSchedule"}]}),
     f"{GROUP}.kubernetes_config.taints[0].value: got '', allowed: 1 to 63 characters"),
    ("eleven rollback alarms", _set(G + ("scheduled_update_config",), {
        "schedule_expression": "cron(0 3 ? * SUN *)",
        "deployment_config": {"auto_rollback_configuration": [{"alarm_name": f"a{i}"} for i in range(11)]}}),
     f"{GROUP}.scheduled_update_config.deployment_config.auto_rollback_configuration: got 11 alarms, allowed: 1 to 10"),
    # computed-only attributes
    ("computed cluster_arn", _set(("cluster_arn",), "arn:aws:sagemaker:us-west-2:1:cluster/x"),
     f"{CLUSTER}.cluster_arn: 'cluster_arn' is computed by the provider and must not be set"),
    ("computed cluster_status", _set(("cluster_status",), "InService"),
     f"{CLUSTER}.cluster_status: 'cluster_status' is computed by the provider and must not be set"),
    ("read-only current_count", _set(G + ("current_count",), 2),
     f"{GROUP}.current_count: 'current_count' is read-only in CloudFormation"),
    # a flexible group: instance_requirements instead of instance_type, never both
    ("instance_type and instance_requirements together",
     _set(G + ("instance_requirements",), {"instance_types": ["ml.p5.48xlarge"]}),
     f"{GROUP}.instance_type: 'instance_type' and 'instance_requirements' are mutually exclusive"),
]


def test_file_systems_and_a_root_volume_next_to_the_secondary_volume_conform(handwritten):
    _set(G + ("instance_storage_configs",), [
        {"ebs_volume_config": {"volume_size_in_gb": 500}},
        {"fsx_lustre_config": {"dns_name": "fs-0123456789abcdef0.fsx.us-west-2.amazonaws.com", "mount_name": "abc",
                               "mount_path": "/fsx"}},
        {"fsx_open_zfs_config": {"dns_name": "fs-0456789abcdef0123.fsx.us-west-2.amazonaws.com"}},
        {"ebs_volume_config": {"root_volume": True, "volume_kms_key_id": "arn:aws:kms:us-west-2:1:key/x"}},
    ])(handwritten)
    assert violations(handwritten) == []


def test_a_flexible_group_needs_no_instance_type(handwritten):
    _delete(G + ("instance_type",))(handwritten)
    assert any("'instance_type' is required" in v for v in violations(handwritten))
    _set(G + ("instance_requirements",), {"instance_types": ["ml.p5.48xlarge", "ml.p4d.24xlarge"]})(handwritten)
    assert violations(handwritten) == []


@pytest.mark.parametrize("mutate,expected", [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_each_rule_reports_its_path_and_message(handwritten, mutate, expected):
    mutate(handwritten)
    found = violations(handwritten)
    assert any(v.startswith(expected) for v in found), f"expected {expected!r} among {found}"


def test_kubernetes_values_and_rollback_alarms_within_limits_pass(handwritten):
    group(handwritten)["kubernetes_config"] = {"labels": {"team": "m" * 63}, "taints": [
        {"key": "gpu", "effect": "NoSchedule"}, {"key": "pool", "value": "a", "effect": "NoExecute"}]}
    alarms = [{"alarm_name": f"a{i}"} for i in range(10)]
    group(handwritten)["scheduled_update_config"] = {"schedule_expression": "cron(0 3 ? * SUN *)",
                                                     "deployment_config": {"auto_rollback_configuration": alarms}}
    assert violations(handwritten) == []


def test_bucket_behind_the_lifecycle_uri_must_be_named_sagemaker(handwritten):
    bucket = handwritten["resource"]["aws_s3_bucket"]["lifecycle"]
    bucket["bucket_prefix"] = "hyperpod-lc-"
    found = violations(handwritten)
    assert any(v.startswith(f"{GROUP}.life_cycle_config.source_s3_uri:") and
               "aws_s3_bucket.lifecycle.bucket_prefix is 'hyperpod-lc-', which must start with 'sagemaker-'" in v
               for v in found), found
    del bucket["bucket_prefix"]
    assert any("sets neither 'bucket' nor 'bucket_prefix'" in v for v in violations(handwritten))
    bucket["bucket"] = "sagemaker-${data.aws_caller_identity.current.account_id}-lc"
    assert violations(handwritten) == []


def test_lifecycle_uri_through_an_unknown_expression_is_not_accepted(handwritten):
    group(handwritten)["life_cycle_config"]["source_s3_uri"] = "${var.lifecycle_uri}"
    assert any("must start with 's3://sagemaker-'" in v for v in violations(handwritten))
    group(handwritten)["life_cycle_config"]["source_s3_uri"] = "s3://${aws_s3_bucket.missing.bucket}/lc"
    assert any("aws_s3_bucket.missing is not defined" in v for v in violations(handwritten))


def test_expressions_skip_literal_checks(handwritten):
    g = group(handwritten)
    g["threads_per_core"] = "${var.threads}"
    g["instance_count"] = "${var.count}"
    g["on_start_deep_health_checks"] = "${var.checks}"
    cluster(handwritten)["node_recovery"] = "${var.recovery}"
    assert violations(handwritten) == []


def test_terraform_meta_arguments_are_not_schema_attributes(handwritten):
    cluster(handwritten)["lifecycle"] = {"prevent_destroy": True}
    cluster(handwritten)["provider"] = "awscc.east"
    assert violations(handwritten) == []


def test_every_violation_is_reported_not_just_the_first(handwritten):
    group(handwritten)["threads_per_core"] = 3
    cluster(handwritten)["node_recovery"] = "Always"
    del group(handwritten)["execution_role"]
    assert len(violations(handwritten)) == 3


def test_cli_passes_a_conforming_file():
    completed = subprocess.run([sys.executable, "-m", "gates.awscc_schema", str(HANDWRITTEN)], cwd=ROOT,
                               capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "1 awscc_sagemaker_cluster resource(s) conform to the awscc 1.106.0 schema" in completed.stdout


def test_cli_fails_a_broken_file_with_paths(handwritten, tmp_path, capsys):
    group(handwritten)["threads_per_core"] = 3
    assert main([str(write_json(tmp_path, handwritten))]) == 1
    assert f"{GROUP}.threads_per_core: got 3" in capsys.readouterr().out


def test_cli_refuses_a_file_with_nothing_to_check(tmp_path, capsys):
    empty = write_json(tmp_path, {"resource": {}})
    assert main([str(empty)]) == 1
    assert "no awscc_sagemaker_cluster resource found" in capsys.readouterr().out
    assert main(["--allow-empty", str(empty)]) == 0


def test_cli_reports_unreadable_input_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    completed = subprocess.run([sys.executable, "-m", "gates.awscc_schema", str(bad), str(tmp_path / "missing.json")],
                               cwd=ROOT, capture_output=True, text=True)
    assert completed.returncode == 1
    assert f"{bad}:1:2: the Terraform JSON is not valid JSON" in completed.stderr
    assert "missing.json: cannot read the Terraform JSON: No such file or directory" in completed.stderr
    assert "Traceback" not in completed.stderr
