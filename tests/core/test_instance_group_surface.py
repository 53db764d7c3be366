"""The newer awscc_sagemaker_cluster surface of an instance group (docs/instance-groups-advanced.md): every rule passes
one input and refuses another with its path, the value and what is allowed; the synthesized group carries exactly
what the config sets."""

from __future__ import annotations

import json

import pytest

from hyperpod.config import parse_config
from tests.conftest import minimal_config
from tests.core.test_config import assert_problem

P5 = "ml.p5.48xlarge"


def group(**overrides) -> dict:
    base = {"name": "gpu", "instance_type": "ml.g5.48xlarge", "instance_count": 2}
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


def flexible(*types: str, **overrides) -> dict:
    return group(instance_type=None, instance_requirements={"instance_types": list(types)}, **overrides)


def patch(**deployment) -> dict:
    return {"patching_strategy": "WhenIdle", "deployment_config": {"batch_size": 25, **deployment}}


def with_groups(*groups, **top) -> dict:
    return minimal_config(hyperpod_instance_groups=list(groups), **top)


KEY = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DNS = "fs-0123456789abcdef0.fsx.us-west-2.amazonaws.com"
LUSTRE = {"fsx_lustre_config": {"dns_name": DNS, "mount_name": "abcdefgh", "mount_path": "/fsx"}}
ZFS = {"fsx_open_zfs_config": {"dns_name": DNS.replace("0123", "0456"), "mount_path": "/home"}}
ROOT = {"ebs_volume_config": {"root_volume": True, "volume_kms_key_id": KEY}}
STACK_FSX = {"fsx_lustre_config": {"stack_file_system": True, "mount_path": "/fsx"}}
FSX_ON = {"enabled": True, "deployment_type": "PERSISTENT_2", "storage_capacity_gib": 1200}

# (description, config that passes, config that fails, path, fragments of the message)
RULES = [
    ("instance_type and instance_requirements are mutually exclusive",
     with_groups(flexible(P5, "ml.p4d.24xlarge")),
     with_groups(group(instance_type=P5, instance_requirements={"instance_types": [P5]})),
     "hyperpod_instance_groups[0].instance_requirements", ["got both", "one of them"]),
    ("a group needs instance_type or instance_requirements",
     with_groups(flexible(P5)),
     with_groups(group(instance_type=None)),
     "hyperpod_instance_groups[0].instance_type", ["required key is missing", "instance_requirements"]),
    ("at most 20 flexible types",
     with_groups(flexible(*[f"ml.c5.{s}" for s in "large xlarge 2xlarge 4xlarge 9xlarge 12xlarge".split()],
                          *[f"ml.m5.{s}" for s in "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge".split()],
                          *[f"ml.r6i.{s}" for s in "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge".split()])),
     with_groups(flexible(*[f"ml.c5.{s}" for s in "large xlarge 2xlarge 4xlarge 9xlarge 12xlarge".split()],
                          *[f"ml.m5.{s}" for s in "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge".split()],
                          *[f"ml.r6i.{s}" for s in "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge"
                          .split()])),
     "hyperpod_instance_groups[0].instance_requirements.instance_types", ["at most 20"]),
    ("at least one flexible type",
     with_groups(flexible("ml.c5.large")),
     with_groups(flexible()),
     "hyperpod_instance_groups[0].instance_requirements.instance_types", ["at least 1"]),
    ("flexible types are HyperPod types",
     with_groups(flexible("g5.48xlarge", "ml.g6.48xlarge")),
     with_groups(flexible("ml.g5.48xlarge", "ml.x9.huge")),
     "hyperpod_instance_groups[0].instance_requirements.instance_types[1]", ['got "ml.x9.huge"',
                                                                             "an instance type the SageMaker API accepts"]),
    ("deep health checks on a flexible group need accelerators on every type",
     with_groups(flexible(P5, "ml.g5.48xlarge", deep_health_checks=["InstanceStress"])),
     with_groups(flexible(P5, "ml.c5.large", deep_health_checks=["InstanceStress"])),
     "hyperpod_instance_groups[0].deep_health_checks", ["ml.c5.large", "no GPU or Trainium"]),
    ("EFA interface type enum",
     with_groups(group(instance_type=P5, network_interface={"interface_type": "efa-only"})),
     with_groups(group(instance_type=P5, network_interface={"interface_type": "ena"})),
     "hyperpod_instance_groups[0].network_interface.interface_type", ['got "ena"', "'efa' or 'efa-only'"]),
    ("EFA interface only on EFA-capable types",
     with_groups(group(instance_type="ml.c5n.18xlarge", network_interface={"interface_type": "efa"})),
     with_groups(group(instance_type="ml.g5.xlarge", network_interface={"interface_type": "efa"})),
     "hyperpod_instance_groups[0].network_interface.interface_type", ['got "efa" with ml.g5.xlarge',
                                                                      "no Elastic Fabric Adapter"]),
    ("EFA interface on a flexible group: every type EFA-capable",
     with_groups(flexible(P5, "ml.trn1.32xlarge", network_interface={"interface_type": "efa"})),
     with_groups(flexible(P5, "ml.g5.2xlarge", network_interface={"interface_type": "efa"})),
     "hyperpod_instance_groups[0].network_interface.interface_type", ["ml.g5.2xlarge"]),
    ("patching strategy enum",
     with_groups(group(auto_patch_config={"patching_strategy": "WhenAllIdle"})),
     with_groups(group(auto_patch_config={"patching_strategy": "Always"})),
     "hyperpod_instance_groups[0].auto_patch_config.patching_strategy", ['got "Always"',
                                                                         "'WhenIdle' or 'WhenAllIdle'"]),
    ("patch batch as a percentage at most 100",
     with_groups(group(auto_patch_config=patch(batch_size=100))),
     with_groups(group(auto_patch_config=patch(batch_size=101))),
     "hyperpod_instance_groups[0].auto_patch_config.deployment_config.batch_size",
     ["got 101 with batch_type CAPACITY_PERCENTAGE", "1-100"]),
    ("patch batch of instances may exceed 100",
     with_groups(group(instance_count=200, auto_patch_config=patch(batch_type="INSTANCE_COUNT", batch_size=150))),
     with_groups(group(auto_patch_config=patch(batch_type="INSTANCE_COUNT", batch_size=0))),
     "hyperpod_instance_groups[0].auto_patch_config.deployment_config.batch_size", ["got 0", "at least 1"]),
    ("patch wait interval 0-3600 seconds",
     with_groups(group(auto_patch_config=patch(wait_interval_seconds=3600))),
     with_groups(group(auto_patch_config=patch(wait_interval_seconds=3601))),
     "hyperpod_instance_groups[0].auto_patch_config.deployment_config.wait_interval_seconds",
     ["got 3601", "at most 3600"]),
    ("at most 10 patch rollback alarms",
     with_groups(group(auto_patch_config=patch(rollback_alarms=[f"alarm-{i}" for i in range(10)]))),
     with_groups(group(auto_patch_config=patch(rollback_alarms=[f"alarm-{i}" for i in range(11)]))),
     "hyperpod_instance_groups[0].auto_patch_config.deployment_config.rollback_alarms", ["at most 10"]),
    ("at most 3 storage entries next to the secondary volume",
     with_groups(group(instance_storage_configs=[LUSTRE, ZFS, ROOT])),
     with_groups(group(instance_storage_configs=[LUSTRE, ZFS, ROOT, LUSTRE])),
     "hyperpod_instance_groups[0].instance_storage_configs", ["got 4 entries", "at most 3"]),
    ("one kind per storage entry",
     with_groups(group(instance_storage_configs=[LUSTRE])),
     with_groups(group(instance_storage_configs=[{**LUSTRE, **ZFS}])),
     "hyperpod_instance_groups[0].instance_storage_configs[0]", ["fsx_lustre_config, fsx_open_zfs_config",
                                                                 "exactly one of"]),
    ("one root volume",
     with_groups(group(instance_storage_configs=[ROOT])),
     with_groups(group(instance_storage_configs=[ROOT, ROOT])),
     "hyperpod_instance_groups[0].instance_storage_configs", ["got 2 ebs_volume_config entries"]),
    ("root volume entry is the root volume",
     with_groups(group(instance_storage_configs=[ROOT])),
     with_groups(group(instance_storage_configs=[{"ebs_volume_config": {"root_volume": False,
                                                                        "volume_kms_key_id": KEY}}])),
     "hyperpod_instance_groups[0].instance_storage_configs[0].ebs_volume_config.root_volume", ["got false",
                                                                                              "allowed: True"]),
    ("root volume needs a key",
     with_groups(group(instance_storage_configs=[ROOT])),
     with_groups(group(instance_storage_configs=[{"ebs_volume_config": {"root_volume": True}}])),
     "hyperpod_instance_groups[0].instance_storage_configs[0].ebs_volume_config.volume_kms_key_id",
     ["required key is missing"]),
    ("root volume key needs continuous provisioning",
     with_groups(group(instance_storage_configs=[ROOT])),
     with_groups(group(instance_storage_configs=[ROOT]), hyperpod_node_provisioning_mode=None),
     "hyperpod_instance_groups[0].instance_storage_configs", ["root volume key", "\"Continuous\""]),
    ("Lustre mount needs its DNS and mount names",
     with_groups(group(instance_storage_configs=[LUSTRE])),
     with_groups(group(instance_storage_configs=[{"fsx_lustre_config": {"dns_name": DNS}}])),
     "hyperpod_instance_groups[0].instance_storage_configs[0].fsx_lustre_config.mount_name",
     ["required key is missing", "stack_file_system true"]),
    ("FSx DNS name",
     with_groups(group(instance_storage_configs=[ZFS])),
     with_groups(group(instance_storage_configs=[{"fsx_open_zfs_config": {"dns_name": "fs-1.${var.x}.com"}}])),
     "hyperpod_instance_groups[0].instance_storage_configs[0].fsx_open_zfs_config.dns_name",
     ["an FSx DNS name"]),
    ("Lustre mount name 1-8 characters",
     with_groups(group(instance_storage_configs=[LUSTRE])),
     with_groups(group(instance_storage_configs=[{"fsx_lustre_config": {"dns_name": DNS,
                                                                        "mount_name": "abcdefghi"}}])),
     "hyperpod_instance_groups[0].instance_storage_configs[0].fsx_lustre_config.mount_name", ["1-8 letters"]),
    ("mount path is absolute",
     with_groups(group(instance_storage_configs=[ZFS])),
     with_groups(group(instance_storage_configs=[{"fsx_open_zfs_config": {"dns_name": DNS, "mount_path": "home"}}])),
     "hyperpod_instance_groups[0].instance_storage_configs[0].fsx_open_zfs_config.mount_path",
     ['got "home"', "an absolute path"]),
    ("the stack's file system needs hyperpod_fsx_lustre",
     with_groups(group(instance_storage_configs=[STACK_FSX]), hyperpod_fsx_lustre=FSX_ON),
     with_groups(group(instance_storage_configs=[STACK_FSX])),
     "hyperpod_instance_groups[0].instance_storage_configs[0].fsx_lustre_config.stack_file_system",
     ["without hyperpod_fsx_lustre.enabled"]),
    ("the stack's file system is not named again",
     with_groups(group(instance_storage_configs=[STACK_FSX]), hyperpod_fsx_lustre=FSX_ON),
     with_groups(group(instance_storage_configs=[{"fsx_lustre_config": {"stack_file_system": True,
                                                                        "dns_name": DNS}}]),
                 hyperpod_fsx_lustre=FSX_ON),
     "hyperpod_instance_groups[0].instance_storage_configs[0].fsx_lustre_config.dns_name",
     ["with stack_file_system true", "leave it out"]),
]


@pytest.mark.parametrize("description, passing, failing, path, fragments", RULES, ids=[r[0] for r in RULES])
def test_rule(description, passing, failing, path, fragments):
    parse_config(passing)
    assert_problem(failing, path, *fragments)


def _cluster(document: dict) -> dict:
    (cluster,) = document["resource"]["awscc_sagemaker_cluster"].values()
    return cluster


def test_flexible_group_synthesizes_its_types_in_priority_order(synth_json):
    config = with_groups(group(name="single"), flexible("p5.48xlarge", "ml.p4d.24xlarge", name="flex",
                                                        network_interface={"interface_type": "efa"}))
    document = synth_json(config)
    single, flex = _cluster(document)["instance_groups"]
    assert "instance_requirements" not in single and "network_interface" not in single
    assert single["instance_type"] == "ml.g5.48xlarge"
    assert "instance_type" not in flex
    assert flex["instance_requirements"] == {"instance_types": ["ml.p5.48xlarge", "ml.p4d.24xlarge"]}
    assert flex["network_interface"] == {"interface_type": "efa"}
    outputs = document["output"]["hyperpod_instance_groups"]["value"]
    assert outputs[0] == {"name": "single", "instance_type": "ml.g5.48xlarge", "instance_count": 2,
                          "deep_health_checks": []}
    assert "instance_type" not in outputs[1]  # Terraform JSON leaves a null attribute out
    assert outputs[1]["instance_types"] == ["ml.p5.48xlarge", "ml.p4d.24xlarge"]


def test_device_plugins_come_from_every_flexible_type(synth_json):
    """A CPU type first and a Trainium type second: the Neuron plugin is still needed, the NVIDIA one is not."""
    document = synth_json(with_groups(flexible("ml.m5.large", "ml.trn1.32xlarge", name="flex")))
    (release,) = document["resource"]["helm_release"].values()
    values = json.loads(release["values"][0])
    assert values["neuron-device-plugin"]["devicePlugin"]["enabled"] is True
    assert values["nvidia-device-plugin"]["devicePlugin"]["enabled"] is False


def test_summary_counts_flexible_accelerators_as_a_range():
    from pathlib import Path

    from hyperpod.app.summary import summary

    config, _ = parse_config(with_groups(flexible(P5, "ml.g5.12xlarge", name="flex", instance_count=3),
                                         group(name="trn", instance_type="ml.trn1.32xlarge", instance_count=1)))
    text = summary(config, Path("cdk.tf.json"))
    assert "group flex: 3 x one of ml.p5.48xlarge > ml.g5.12xlarge" in text
    assert "12-24 GPUs" in text and "16 Trainium chips" in text


def test_auto_patching_with_a_scheduled_update_warns():
    update = {"schedule_expression": "cron(0 3 ? * SUN *)", "batch_size": 25}
    _, warnings = parse_config(with_groups(group(auto_patch_config=patch(), scheduled_update=update)))
    (warning,) = [str(w) for w in warnings if "auto_patch_config" in str(w)]
    assert warning.startswith("warning: hyperpod_instance_groups[0].auto_patch_config: set together with "
                              "scheduled_update")
    _, warnings = parse_config(with_groups(group(auto_patch_config=patch())))
    assert not [w for w in warnings if "auto_patch_config" in str(w)]


def test_auto_patch_config_synthesizes_per_group(synth_json):
    config = with_groups(group(name="plain"), group(name="patched", auto_patch_config=patch(
        wait_interval_seconds=600, rollback_alarms=["gpu-${errors}"])), group(name="idle", auto_patch_config={
            "patching_strategy": "WhenAllIdle"}))
    plain, patched, idle = _cluster(synth_json(config))["instance_groups"]
    assert "auto_patch_config" not in plain
    assert patched["auto_patch_config"] == {
        "patching_strategy": "WhenIdle",
        "deployment_config": {"rolling_update_policy": {"maximum_batch_size": {"type": "CAPACITY_PERCENTAGE",
                                                                               "value": 25}},
                              "wait_interval_in_seconds": 600,
                              # `${` is escaped: Terraform reads the alarm name as text, not a template.
                              "auto_rollback_configuration": [{"alarm_name": "gpu-$${errors}"}]}}
    assert idle["auto_patch_config"] == {"patching_strategy": "WhenAllIdle"}


def test_storage_entries_follow_the_secondary_volume(synth_json):
    config = with_groups(group(name="plain"), group(name="mounts", instance_storage_configs=[LUSTRE, ZFS, ROOT]))
    document = synth_json(config)
    plain, mounts = _cluster(document)["instance_groups"]
    assert plain["instance_storage_configs"] == [{"ebs_volume_config": {"volume_size_in_gb": 500}}]
    assert mounts["instance_storage_configs"] == [
        {"ebs_volume_config": {"volume_size_in_gb": 500}},
        {"fsx_lustre_config": {"dns_name": DNS, "mount_name": "abcdefgh", "mount_path": "/fsx"}},
        {"fsx_open_zfs_config": {"dns_name": DNS.replace("0123", "0456"), "mount_path": "/home"}},
        {"ebs_volume_config": {"root_volume": True, "volume_kms_key_id": KEY}}]
    # The execution role may create grants on the root volume's key for EC2 (as for the secondary volume's).
    (policy,) = [p for p in document["data"]["aws_iam_policy_document"].values()
                 if any(s.get("sid") == "GrantEbsVolumeKeys" for s in p.get("statement", []))]
    (grant,) = [s for s in policy["statement"] if s.get("sid") == "GrantEbsVolumeKeys"]
    assert grant["resources"] == [KEY]


def test_the_stack_file_system_is_mounted_by_reference(synth_json):
    document = synth_json(with_groups(group(instance_storage_configs=[STACK_FSX]), hyperpod_fsx_lustre=FSX_ON))
    (file_system,) = document["resource"]["aws_fsx_lustre_file_system"]
    mount = _cluster(document)["instance_groups"][0]["instance_storage_configs"][1]["fsx_lustre_config"]
    assert mount == {"dns_name": f"${{aws_fsx_lustre_file_system.{file_system}.dns_name}}",
                     "mount_name": f"${{aws_fsx_lustre_file_system.{file_system}.mount_name}}", "mount_path": "/fsx"}
    existing = {"enabled": True, "file_system_id": "fs-0123456789abcdef0", "dns_name": DNS, "mount_name": "abcdefgh"}
    document = synth_json(with_groups(group(instance_storage_configs=[STACK_FSX]), hyperpod_fsx_lustre=existing))
    mount = _cluster(document)["instance_groups"][0]["instance_storage_configs"][1]["fsx_lustre_config"]
    assert mount == {"dns_name": DNS, "mount_name": "abcdefgh", "mount_path": "/fsx"}
