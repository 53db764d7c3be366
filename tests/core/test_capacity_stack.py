"""The capacity API in synthesized Terraform JSON: what each key becomes on awscc_sagemaker_cluster and the roles."""

from __future__ import annotations

import json

from hyperpod.app.previous import keep_provisioning_mode
from hyperpod.config import parse_config
from tests.conftest import minimal_config
from tests.core.test_capacity_config import KEY, PLAN, cpu, group, update, with_groups


def cluster_of(document: dict) -> dict:
    (cluster,) = document["resource"]["awscc_sagemaker_cluster"].values()
    return cluster


def groups_of(document: dict) -> dict[str, dict]:
    return {g["instance_group_name"]: g for g in cluster_of(document)["instance_groups"]}


def policy_statements(document: dict, sid_prefix: str = "") -> dict[str, dict]:
    statements = {}
    for data in document["data"]["aws_iam_policy_document"].values():
        for statement in data.get("statement", []):
            if statement.get("sid", "").startswith(sid_prefix):
                statements[statement["sid"]] = statement
    return statements


NEW_GROUP_KEYS = {"kubernetes_config", "training_plan_arn", "image_id", "override_vpc_config",
                  "capacity_requirements", "min_instance_count", "scheduled_update_config"}


def test_group_without_capacity_keys_synthesizes_none_of_them(synth_json):
    cluster = cluster_of(synth_json(minimal_config()))
    assert not NEW_GROUP_KEYS & set(cluster["instance_groups"][0])
    assert "volume_kms_key_id" not in json.dumps(cluster)
    assert not {"auto_scaling", "cluster_role", "tiered_storage_config"} & set(cluster)
    assert cluster["node_provisioning_mode"] == "Continuous"


def test_provisioning_mode_null_is_left_out(synth_json):
    assert "node_provisioning_mode" not in cluster_of(synth_json(minimal_config(hyperpod_node_provisioning_mode=None)))


def test_emptied_labels_and_taints_are_sent_empty_to_clear_them(synth_json):
    config = with_groups(group(labels={}, taints=[]), cpu(labels={"team": "ml"}), group(name="t", taints=[
        {"key": "dedicated", "value": "training", "effect": "NoSchedule"}]))
    groups = groups_of(synth_json(config))
    assert groups["gpu"]["kubernetes_config"] == {"labels": {}, "taints": []}
    # Setting one sends the other as empty: the API reads the pair as one desired state.
    assert groups["cpu"]["kubernetes_config"] == {"labels": {"team": "ml"}, "taints": []}
    assert groups["t"]["kubernetes_config"] == {
        "labels": {}, "taints": [{"effect": "NoSchedule", "key": "dedicated", "value": "training"}]}


def test_taint_without_value_leaves_value_out(synth_json):
    groups = groups_of(synth_json(with_groups(group(taints=[{"key": "gpu", "effect": "NoExecute"}]))))
    assert groups["gpu"]["kubernetes_config"]["taints"] == [{"effect": "NoExecute", "key": "gpu"}]


def test_capacity_keys_map_to_awscc_attributes(synth_json):
    config = with_groups(group(training_plan_arn=PLAN, image_id="ami-0123456789abcdef0", capacity_type="spot",
                               min_instance_count=1, scheduled_update=update(
                                   batch_type="INSTANCE_COUNT", batch_size=1, wait_interval_seconds=600,
                                   rollback_alarms=["gpu-xid-errors"])),
                         cpu(capacity_type="on-demand"))
    groups = groups_of(synth_json(config))
    gpu = groups["gpu"]
    assert gpu["training_plan_arn"] == PLAN
    assert gpu["image_id"] == "ami-0123456789abcdef0"
    assert gpu["capacity_requirements"] == {"spot": "{}"}
    assert groups["cpu"]["capacity_requirements"] == {"on_demand": "{}"}
    assert gpu["min_instance_count"] == 1
    assert gpu["scheduled_update_config"] == {
        "schedule_expression": "cron(0 3 ? * SUN *)",
        "deployment_config": {
            "rolling_update_policy": {"maximum_batch_size": {"type": "INSTANCE_COUNT", "value": 1}},
            "wait_interval_in_seconds": 600,
            "auto_rollback_configuration": [{"alarm_name": "gpu-xid-errors"}],
        },
    }


def test_group_subnets_take_the_cluster_security_groups(synth_json):
    document = synth_json(with_groups(group(subnet_ids=["subnet-0a1b2c3d"]),
                                      cpu(security_group_ids=["sg-0123456789abcdef0"])))
    cluster = cluster_of(document)
    groups = groups_of(document)
    assert groups["gpu"]["override_vpc_config"] == {
        "subnets": ["subnet-0a1b2c3d"], "security_group_ids": cluster["vpc_config"]["security_group_ids"]}
    # The cluster's subnets are one list token from the EKS lookup: passed on whole, not split into characters.
    assert groups["cpu"]["override_vpc_config"] == {
        "subnets": cluster["vpc_config"]["subnets"], "security_group_ids": ["sg-0123456789abcdef0"]}
    assert isinstance(cluster["vpc_config"]["subnets"], str)


def test_customer_managed_key_reaches_the_volume_and_a_scoped_grant(synth_json):
    document = synth_json(with_groups(group(ebs_kms_key_id=KEY), cpu(ebs_kms_key_id=KEY), group(name="plain")))
    groups = groups_of(document)
    assert groups["gpu"]["instance_storage_configs"] == [
        {"ebs_volume_config": {"volume_size_in_gb": 500, "volume_kms_key_id": KEY}}]
    assert "volume_kms_key_id" not in json.dumps(groups["plain"])
    statements = policy_statements(document, "")
    grant, describe = statements["GrantEbsVolumeKeys"], statements["DescribeEbsVolumeKeys"]
    assert grant["actions"] == ["kms:CreateGrant"] and grant["resources"] == [KEY]
    assert grant["condition"] == [{"test": "Bool", "variable": "kms:GrantIsForAWSResource", "values": ["true"]}]
    assert describe["actions"] == ["kms:DescribeKey"] and describe["resources"] == [KEY]


def test_no_key_no_kms_statement(synth_json):
    assert not [sid for sid in policy_statements(synth_json(minimal_config())) if "Key" in sid]


def test_tiered_storage_enabled_disabled_and_unset(synth_json):
    enabled = cluster_of(synth_json(minimal_config(hyperpod_tiered_storage={
        "enabled": True, "instance_memory_allocation_percentage": 20})))
    assert enabled["tiered_storage_config"] == {"mode": "Enable", "instance_memory_allocation_percentage": 20}
    # Written false: sent as Disable (an omitted attribute would keep the deployed Enable).
    disabled = cluster_of(synth_json(minimal_config(hyperpod_tiered_storage={"enabled": False})))
    assert disabled["tiered_storage_config"] == {"mode": "Disable"}
    assert "tiered_storage_config" not in cluster_of(synth_json(minimal_config()))


def test_autoscaling_enables_karpenter_and_leaves_counts_to_it(synth_json):
    role = "arn:aws:iam::123456789012:role/hyperpod-autoscaler"
    cluster = cluster_of(synth_json(with_groups(group(), cpu(), cpu(name="cpu-b"), hyperpod_autoscaling={
        "enabled": True, "instance_groups": ["cpu-b", "cpu"], "cluster_role_arn": role})))
    assert cluster["auto_scaling"] == {"mode": "Enable", "auto_scaler_type": "Karpenter"}
    assert cluster["cluster_role"] == role
    assert cluster["lifecycle"]["ignore_changes"] == ["instance_groups[1].instance_count",
                                                      "instance_groups[2].instance_count"]


def test_autoscaling_written_false_sends_disable(synth_json):
    cluster = cluster_of(synth_json(minimal_config(hyperpod_autoscaling={"enabled": False})))
    assert cluster["auto_scaling"] == {"mode": "Disable"}
    assert "cluster_role" not in cluster and "ignore_changes" not in cluster["lifecycle"]


PREVIOUS_STANDARD = {"resource": {"awscc_sagemaker_cluster": {"c": {"cluster_name": "test-cluster"}}}}
PREVIOUS_CONTINUOUS = {"resource": {"awscc_sagemaker_cluster": {"c": {"node_provisioning_mode": "Continuous"}}}}


def test_deployed_standard_cluster_keeps_its_mode_under_the_new_default():
    config, _ = parse_config(minimal_config())
    assert keep_provisioning_mode(config, PREVIOUS_STANDARD).hyperpod_node_provisioning_mode is None
    assert keep_provisioning_mode(config, None).hyperpod_node_provisioning_mode == "Continuous"
    assert keep_provisioning_mode(config, PREVIOUS_CONTINUOUS).hyperpod_node_provisioning_mode == "Continuous"


def test_explicit_continuous_or_a_feature_needing_it_switches_a_deployed_cluster():
    explicit, _ = parse_config(minimal_config(hyperpod_node_provisioning_mode="Continuous"))
    assert keep_provisioning_mode(explicit, PREVIOUS_STANDARD).hyperpod_node_provisioning_mode == "Continuous"
    spot, _ = parse_config(with_groups(group(capacity_type="spot")))
    assert keep_provisioning_mode(spot, PREVIOUS_STANDARD).hyperpod_node_provisioning_mode == "Continuous"
