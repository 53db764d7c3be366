"""The change guard on the capacity API: what AWS refuses in place (or silently ignores) is refused with its
explanation; labels, taints, counts, training plan, image id, scheduled updates and tiered storage pass."""

from __future__ import annotations

import copy
import json

import pytest

from hyperpod.change_guard import dangerous_changes
from tests.conftest import main_in_process, minimal_config
from tests.core.test_capacity_config import KEY, PLAN, update
from tests.core.test_cli import STACK_JSON, write_config

ROLE = "arn:aws:iam::123456789012:role/hyperpod-autoscaler"
BASE = minimal_config(
    hyperpod_instance_groups=[
        {"name": "train", "instance_type": "ml.p5.48xlarge", "instance_count": 4, "labels": {"team": "ml"},
         "taints": [{"key": "dedicated", "value": "training", "effect": "NoSchedule"}],
         "subnet_ids": ["subnet-0a1b2c3d"], "ebs_kms_key_id": KEY, "scheduled_update": update()},
        {"name": "cpu", "instance_type": "ml.c5.2xlarge", "instance_count": 0},
    ],
    hyperpod_autoscaling={"enabled": True, "instance_groups": ["cpu"], "cluster_role_arn": ROLE},
    hyperpod_tiered_storage={"enabled": True, "instance_memory_allocation_percentage": 20},
)


def changed(group: int | None = None, **overrides) -> dict:
    config = copy.deepcopy(BASE)
    target = config if group is None else config["hyperpod_instance_groups"][group]
    for key, value in overrides.items():
        if value is None and group is not None:
            target.pop(key, None)
        else:
            target[key] = value
    return config


OTHER_KEY = KEY.replace("1234abcd", "9999abcd")
DANGEROUS = [
    ("group subnets", changed(0, subnet_ids=["subnet-0e1f2a3b"]), "group 'train': override_vpc_config changes",
     "refuses to change override_vpc_config"),
    ("group security groups", changed(0, security_group_ids=["sg-0123456789abcdef0"]),
     "group 'train': override_vpc_config changes", "refuses to change override_vpc_config"),
    ("group subnets removed", changed(0, subnet_ids=None), "override_vpc_config changes", "refuses to change"),
    ("cluster role while autoscaling", changed(hyperpod_autoscaling={
        "enabled": True, "instance_groups": ["cpu"], "cluster_role_arn": ROLE + "-2"}),
     "cluster_role changes", "refuses to change the cluster role while autoscaling is enabled"),
    ("EBS key", changed(0, ebs_kms_key_id=OTHER_KEY), "EBS volume_kms_key_id changes",
     "cannot move a group's volumes to another KMS key"),
    ("labels and taints dropped from the config", changed(0, labels=None, taints=None),
     "group 'train': kubernetes_config", "deployed labels and taints stay"),
    ("tiered storage dropped from the config", changed(hyperpod_tiered_storage={}),
     "tiered_storage_config", "the deployed setting stays, silently"),
    ("autoscaling dropped from the config", changed(hyperpod_autoscaling={}),
     "auto_scaling", "the deployed setting stays, silently"),
    ("scheduled update removed", changed(0, scheduled_update=None),
     "group 'train': scheduled_update_config", "the deployed update schedule stays in force"),
    ("autoscaling switched off", changed(hyperpod_autoscaling={"enabled": False, "cluster_role_arn": ROLE}),
     "group 'cpu': Karpenter stops scaling it", "from now on it applies the configured count"),
]

SAFE = [
    ("labels changed", changed(0, labels={"team": "research", "tier": "gold"})),
    ("labels emptied", changed(0, labels={})),
    ("taints emptied", changed(0, taints=[])),
    ("instance count", changed(0, instance_count=8)),
    ("min instance count", changed(0, min_instance_count=2)),
    ("training plan", changed(0, training_plan_arn=PLAN)),
    ("image id", changed(0, image_id="ami-0123456789abcdef0")),
    ("scheduled update", changed(0, scheduled_update=update(batch_type="INSTANCE_COUNT", batch_size=1))),
    ("tiered storage percentage", changed(hyperpod_tiered_storage={
        "enabled": True, "instance_memory_allocation_percentage": 40})),
    ("tiered storage switched off", changed(hyperpod_tiered_storage={"enabled": False})),
]


@pytest.mark.parametrize("name,config,what,why", DANGEROUS, ids=[d[0] for d in DANGEROUS])
def test_dangerous_capacity_change_is_explained(synth_json, name, config, what, why):
    changes = dangerous_changes(synth_json(BASE), synth_json(config))
    text = "\n".join(str(c) for c in changes)
    assert what in text and why in text, text
    assert all(c.instead for c in changes)


@pytest.mark.parametrize("name,config", SAFE, ids=[s[0] for s in SAFE])
def test_safe_capacity_change_passes(synth_json, name, config):
    assert dangerous_changes(synth_json(BASE), synth_json(config)) == []


def test_provisioning_mode_cannot_go_back_to_standard(synth_json):
    changes = dangerous_changes(synth_json(minimal_config()),
                                synth_json(minimal_config(hyperpod_node_provisioning_mode=None)))
    assert len(changes) == 1
    assert 'node_provisioning_mode "Continuous" is no longer set' in changes[0].what
    assert "AWS documents no way back" in changes[0].instead


# Optional + computed in the awscc schema: left out of the config, the provider keeps (and sends) the deployed value.
WITH_PLAN_AND_IMAGE = changed(0, training_plan_arn=PLAN, image_id="ami-0123456789abcdef0")
KEPT = [
    ("image id removed", "image_id", 'image_id "ami-0123456789abcdef0" is no longer set',
     "the group keeps running the deployed AMI", 'set the group\'s image_id to "default"'),
    ("training plan removed", "training_plan_arn", f'training_plan_arn "{PLAN}" is no longer set',
     "the group stays on the deployed training plan", "no value that takes a group off its training plan"),
]


@pytest.mark.parametrize("name,key,what,why,instead", KEPT, ids=[k[0] for k in KEPT])
def test_removing_a_kept_group_attribute_is_refused(synth_json, name, key, what, why, instead):
    without = copy.deepcopy(WITH_PLAN_AND_IMAGE)
    del without["hyperpod_instance_groups"][0][key]
    (change,) = dangerous_changes(synth_json(WITH_PLAN_AND_IMAGE), synth_json(without))
    assert change.what == f"cluster 'test-cluster', group 'train': {what}"
    assert why in change.why and "awscc keeps an attribute the configuration leaves out" in change.why
    assert instead in change.instead


def test_image_id_set_to_default_passes(synth_json):
    """"default" is the API's explicit value for HyperPod's own AMI: the way back from a custom AMI."""
    back = changed(0, training_plan_arn=PLAN, image_id="default")
    assert dangerous_changes(synth_json(WITH_PLAN_AND_IMAGE), synth_json(back)) == []


def test_cluster_role_may_change_while_autoscaling_stays_off(synth_json):
    off = changed(hyperpod_autoscaling={"enabled": False, "cluster_role_arn": ROLE})
    other = changed(hyperpod_autoscaling={"enabled": False, "cluster_role_arn": ROLE + "-2"})
    assert dangerous_changes(synth_json(off), synth_json(other)) == []


def test_deployed_standard_cluster_is_not_switched_by_the_new_default(tmp_path):
    """A stack synthesized before the Continuous default has no node_provisioning_mode: the next synthesis with an
    unchanged config keeps it that way (and passes the guard) instead of switching a running cluster."""
    out = tmp_path / "out"
    plain = minimal_config()
    assert main_in_process("--config", str(write_config(tmp_path, plain)), "--out", str(out)).returncode == 0
    deployed = json.loads((out / STACK_JSON).read_text())
    for cluster in deployed["resource"]["awscc_sagemaker_cluster"].values():
        del cluster["node_provisioning_mode"]  # what the previous release synthesized
    (out / STACK_JSON).write_text(json.dumps(deployed))
    result = main_in_process("--config", str(write_config(tmp_path, plain)), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "hyperpod_node_provisioning_mode kept as deployed (standard)" in result.stderr
    (cluster,) = json.loads((out / STACK_JSON).read_text())["resource"]["awscc_sagemaker_cluster"].values()
    assert "node_provisioning_mode" not in cluster
