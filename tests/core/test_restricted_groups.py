"""Restricted instance groups (hyperpod/config/restricted.py): each rule passes one input and refuses another with
its path and message; the cluster carries the groups and their shared environment, runs no lifecycle scripts (no
bucket); the change guard refuses their create-only changes, removal and shrinking file systems."""

from __future__ import annotations

import copy

import pytest

from hyperpod.change_guard import dangerous_changes
from hyperpod.config import parse_config
from tests.conftest import example_config
from tests.core.test_config import assert_problem

BASE = example_config("restricted.tfvars.json")


def changed(*path_and_value, group: dict | None = None, **top) -> dict:
    config = copy.deepcopy(BASE)
    if group is not None:
        config["restricted_instance_groups"][0].update(group)
    for key, value in top.items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    return config


def fsx(size: int, throughput: int = 250) -> dict:
    return {"fsx_lustre_config": {"size_in_gib": size, "per_unit_storage_throughput": throughput}}


SHARED = {"shared_environment_config": {**fsx(1200, 125), "fsx_lustre_deletion_policy": "Keep"}}
STANDARD = [{"name": "gpu", "instance_type": "ml.g5.48xlarge", "instance_count": 1}]

RULES = [
    ("no standard instance groups next to restricted ones",
     changed(hyperpod_instance_groups=[]), changed(hyperpod_instance_groups=STANDARD),
     "hyperpod_instance_groups", ["with restricted_instance_groups", "not supported"]),
    ("no continuous provisioning",
     BASE, changed(hyperpod_node_provisioning_mode="Continuous"),
     "hyperpod_node_provisioning_mode", ['got "Continuous"', "allowed: null"]),
    ("no Karpenter autoscaling",
     changed(hyperpod_autoscaling={"enabled": False}),
     changed(hyperpod_autoscaling={"enabled": True, "instance_groups": ["rig-p5"]}),
     "hyperpod_autoscaling.enabled", ["not supported on a cluster with restricted instance groups"]),
    ("no training operator add-on",
     changed(hyperpod_addons={"training_operator": {"enabled": False}}),
     changed(hyperpod_addons={"training_operator": {"enabled": True}}),
     "hyperpod_addons.training_operator.enabled", ["got true with restricted_instance_groups"]),
    ("no observability add-on",
     BASE, changed(hyperpod_addons={"observability": {"enabled": True}}),
     "hyperpod_addons.observability.enabled", ["allowed: false"]),
    ("no task governance add-on",
     BASE, changed(hyperpod_addons={"task_governance": {"enabled": True}}),
     "hyperpod_addons.task_governance.enabled", ["allowed: false"]),
    ("no stack FSx for Lustre",
     BASE, changed(hyperpod_fsx_lustre={"enabled": True}),
     "hyperpod_fsx_lustre.enabled", ["service-managed FSx for Lustre"]),
    ("names unique across standard and restricted groups",
     changed(restricted_instance_groups=[BASE["restricted_instance_groups"][0],
                                         {**BASE["restricted_instance_groups"][0], "name": "rig-2"}]),
     changed(restricted_instance_groups=[BASE["restricted_instance_groups"][0]] * 2),
     "restricted_instance_groups[1].name", ['got "rig-p5", already the name of restricted_instance_groups[0]']),
    ("FSx size steps",
     changed(group={"environment_config": fsx(7200)}), changed(group={"environment_config": fsx(3600)}),
     "restricted_instance_groups[0].environment_config.fsx_lustre_config.size_in_gib",
     ["got 3600", "1200, 2400 or a multiple of 2400"]),
    ("FSx size at most 100800 GiB",
     changed(group={"environment_config": fsx(100800)}), changed(group={"environment_config": fsx(103200)}),
     "restricted_instance_groups[0].environment_config.fsx_lustre_config.size_in_gib", ["at most 100800"]),
    ("FSx throughput tiers",
     changed(group={"environment_config": fsx(1200, 1000)}), changed(group={"environment_config": fsx(1200, 200)}),
     "restricted_instance_groups[0].environment_config.fsx_lustre_config.per_unit_storage_throughput",
     ["got 200", "125, 250, 500 or 1000"]),
    ("shared environment deletion policy",
     changed(restricted_instance_groups_config=SHARED),
     changed(restricted_instance_groups_config={"shared_environment_config": {
         **fsx(1200), "fsx_lustre_deletion_policy": "Delete"}}),
     "restricted_instance_groups_config.shared_environment_config.fsx_lustre_deletion_policy",
     ['got "Delete"', "'Keep' or 'DeleteIfNotUsed'"]),
    ("shared environment needs restricted groups",
     changed(restricted_instance_groups_config=SHARED),
     changed(restricted_instance_groups=[], restricted_instance_groups_config=SHARED,
             hyperpod_instance_groups=STANDARD, hyperpod_node_provisioning_mode="Continuous"),
     "restricted_instance_groups_config", ["without restricted_instance_groups"]),
    ("environment_config required",
     BASE, changed(restricted_instance_groups=[{"name": "rig", "instance_type": "ml.p5.48xlarge",
                                                "instance_count": 1}]),
     "restricted_instance_groups[0].environment_config", ["required key is missing"]),
]


@pytest.mark.parametrize("description, passing, failing, path, fragments", RULES, ids=[r[0] for r in RULES])
def test_rule(description, passing, failing, path, fragments):
    parse_config(passing)
    assert_problem(failing, path, *fragments)


def _cluster(document: dict) -> dict:
    (cluster,) = document["resource"]["awscc_sagemaker_cluster"].values()
    return cluster


def test_restricted_cluster_has_no_instance_groups_and_no_lifecycle_bucket(synth_json):
    document = synth_json(BASE)
    cluster = _cluster(document)
    assert "instance_groups" not in cluster
    (group,) = cluster["restricted_instance_groups"]
    assert group["instance_group_name"] == "rig-p5" and group["instance_type"] == "ml.p5.48xlarge"
    assert group["environment_config"] == {"fsx_lustre_config": {"size_in_gi_b": 4800,
                                                                 "per_unit_storage_throughput": 250}}
    assert "life_cycle_config" not in group
    assert cluster["restricted_instance_groups_config"]["shared_environment_config"]["fsx_lustre_deletion_policy"] \
        == "Keep"
    assert "aws_s3_bucket" not in document["resource"] and "lifecycle_scripts_bucket" not in document["output"]
    (policy,) = [p for p in document["data"]["aws_iam_policy_document"].values()
                 if any(s.get("sid") == "DescribeNetwork" for s in p.get("statement", []))]
    assert not [s for s in policy["statement"] if s.get("sid") in ("ListLifecycleBucket", "ReadLifecycleScripts")]


GUARDED = [
    ("another instance type", changed(group={"instance_type": "ml.p5en.48xlarge"}),
     "restricted group 'rig-p5': instance_type changes", "fixed at creation"),
    ("another threads per core", changed(group={"threads_per_core": 1}),
     "restricted group 'rig-p5': threads_per_core changes", "fixed at creation"),
    ("removed", changed(restricted_instance_groups=[{**BASE["restricted_instance_groups"][0], "name": "rig-new"}]),
     "restricted instance group 'rig-p5' would be removed", "instances are terminated"),
    ("a smaller group file system", changed(group={"environment_config": fsx(2400)}),
     "environment_config FSx for Lustre size_in_gi_b 4800 -> 2400", "can only grow"),

]


@pytest.mark.parametrize("name,config,what,why", GUARDED, ids=[g[0] for g in GUARDED])
def test_dangerous_restricted_change_is_refused(synth_json, name, config, what, why):
    text = "\n".join(str(c) for c in dangerous_changes(synth_json(BASE), synth_json(config)))
    assert what in text and why in text, text


def test_shared_environment_shrinking_or_dropped_is_refused(synth_json):
    larger = changed(restricted_instance_groups_config={"shared_environment_config": {
        **fsx(2400, 125), "fsx_lustre_deletion_policy": "Keep"}})
    text = "\n".join(str(c) for c in dangerous_changes(synth_json(larger), synth_json(BASE)))
    assert "shared_environment_config FSx for Lustre size_in_gi_b 2400 -> 1200" in text
    text = "\n".join(str(c) for c in dangerous_changes(synth_json(BASE),
                                                       synth_json(changed(restricted_instance_groups_config=None))))
    assert "restricted_instance_groups_config" in text and "is no longer set" in text


def test_growing_and_scaling_restricted_groups_pass(synth_json):
    grown = changed(group={"environment_config": fsx(7200, 500), "instance_count": 4})
    assert dangerous_changes(synth_json(BASE), synth_json(grown)) == []
