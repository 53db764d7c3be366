"""The change guard on the newer instance group surface (hyperpod/change_guard/instance_group_surface.py): a
create-only change, a removal the provider would silently ignore, or a shrinking file system is refused (exit 3)
with its explanation, unless --allow-replace; the settings AWS updates in place pass."""

from __future__ import annotations

import copy
import json

import pytest

from hyperpod.change_guard import dangerous_changes
from tests.conftest import main_in_process, minimal_config
from tests.core.test_cli import STACK_JSON, write_config

KEY = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROOT = {"ebs_volume_config": {"root_volume": True, "volume_kms_key_id": KEY}}
ZFS = {"fsx_open_zfs_config": {"dns_name": "fs-0123456789abcdef0.fsx.us-west-2.amazonaws.com", "mount_path": "/home"}}
PATCH = {"patching_strategy": "WhenIdle", "deployment_config": {"batch_size": 25}}
BASE = minimal_config(hyperpod_instance_groups=[
    {"name": "flex", "instance_requirements": {"instance_types": ["ml.p5.48xlarge", "ml.p4d.24xlarge"]},
     "instance_count": 2, "network_interface": {"interface_type": "efa"}, "auto_patch_config": PATCH,
     "instance_storage_configs": [ROOT]},
    {"name": "single", "instance_type": "ml.g5.48xlarge", "instance_count": 1},
])


def changed(group: int, **overrides) -> dict:
    config = copy.deepcopy(BASE)
    target = config["hyperpod_instance_groups"][group]
    for key, value in overrides.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    return config


DANGEROUS = [
    ("a single-type group becomes flexible", changed(1, instance_type=None, instance_requirements={
        "instance_types": ["ml.g5.48xlarge", "ml.g6.48xlarge"]}),
     "group 'single': instance_type changes", "refuses to change instance_type"),
    ("a flexible group becomes single-type", changed(0, instance_requirements=None, instance_type="ml.p5.48xlarge"),
     "group 'flex': instance_type changes", "refuses to change instance_type"),
    ("auto-patching dropped from the config", changed(0, auto_patch_config=None),
     "group 'flex': auto_patch_config", "the deployed automatic patching stays"),
    ("EFA interface dropped from the config", changed(0, network_interface=None),
     "group 'flex': network_interface", "the deployed network interface type stays"),
    ("another root volume key", changed(0, instance_storage_configs=[
        {"ebs_volume_config": {"root_volume": True, "volume_kms_key_id": KEY.replace("1234abcd", "9999abcd")}}]),
     "group 'flex': EBS volume_kms_key_id changes", "cannot move a group's volumes to another KMS key"),
    ("a root volume key on a running group", changed(1, instance_storage_configs=[ROOT]),
     "group 'single': EBS volume_kms_key_id changes", "cannot move a group's volumes to another KMS key"),
]
SAFE = [
    ("flexible types reordered and extended", changed(0, instance_requirements={
        "instance_types": ["ml.p4d.24xlarge", "ml.p5.48xlarge", "ml.p5en.48xlarge"]})),
    ("another patching strategy", changed(0, auto_patch_config={"patching_strategy": "WhenAllIdle"})),
    ("auto-patching added", changed(1, auto_patch_config=PATCH)),
    ("EFA interface added", changed(1, network_interface={"interface_type": "efa-only"})),
    ("an OpenZFS mount added", changed(0, instance_storage_configs=[ROOT, ZFS])),
]


@pytest.mark.parametrize("name,config,what,why", DANGEROUS, ids=[d[0] for d in DANGEROUS])
def test_dangerous_change_is_explained(synth_json, name, config, what, why):
    changes = dangerous_changes(synth_json(BASE), synth_json(config))
    text = "\n".join(str(c) for c in changes)
    assert what in text and why in text, text
    assert all(c.instead for c in changes)


@pytest.mark.parametrize("name,config", SAFE, ids=[s[0] for s in SAFE])
def test_safe_change_passes(synth_json, name, config):
    assert dangerous_changes(synth_json(BASE), synth_json(config)) == []


def test_refusal_exits_3_and_allow_replace_overrides(tmp_path):
    out = tmp_path / "out"
    assert main_in_process("--config", str(write_config(tmp_path, BASE)), "--out", str(out)).returncode == 0
    before = (out / STACK_JSON).read_text()
    dropped = write_config(tmp_path, changed(0, auto_patch_config=None))
    refused = main_in_process("--config", str(dropped), "--out", str(out))
    assert refused.returncode == 3, refused.stderr
    assert "auto_patch_config" in refused.stderr and (out / STACK_JSON).read_text() == before
    allowed = main_in_process("--config", str(dropped), "--out", str(out), "--allow-replace")
    assert allowed.returncode == 0, allowed.stderr
    (cluster,) = json.loads((out / STACK_JSON).read_text())["resource"]["awscc_sagemaker_cluster"].values()
    assert "auto_patch_config" not in cluster["instance_groups"][0]
