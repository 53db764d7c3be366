"""The change guard on FSx for Lustre: a change that would delete or replace the file system the stack created (and
every file on it) is refused with its explanation; growing it, new throughput and leaving out a computed setting
pass."""

from __future__ import annotations

import copy

import pytest

from hyperpod.change_guard import dangerous_changes
from tests.conftest import example_config, main_in_process
from tests.core.test_cli import STACK_JSON, write_config

BASE = example_config("addons.tfvars.json")
KEY = BASE["hyperpod_fsx_lustre"]["kms_key_id"]
OTHER_SUBNET = BASE["hyperpod_subnet_ids"][0]


def fsx(**overrides) -> dict:
    config = copy.deepcopy(BASE)
    for key, value in overrides.items():
        if value is None:
            config["hyperpod_fsx_lustre"].pop(key, None)
        else:
            config["hyperpod_fsx_lustre"][key] = value
    return config


DANGEROUS = [
    ("another subnet", fsx(subnet_id=OTHER_SUBNET), "subnet_ids"),
    ("another key", fsx(kms_key_id=KEY.replace("1234abcd", "9999abcd")), "kms_key_id"),
    ("another deployment type", fsx(deployment_type="PERSISTENT_1", per_unit_storage_throughput=200),
     "deployment_type"),
    ("smaller", fsx(storage_capacity_gib=2400), "storage_capacity: 4800 -> 2400 (FSx cannot shrink a file system)"),
]
SAFE = [
    ("larger", fsx(storage_capacity_gib=7200)),
    ("more throughput", fsx(per_unit_storage_throughput=500)),
    ("the key left out (the provider keeps the deployed one)", fsx(kms_key_id=None)),
]


@pytest.mark.parametrize("description, config, line", DANGEROUS, ids=[d[0] for d in DANGEROUS])
def test_replacing_the_file_system_is_refused(synth_json, description, config, line):
    (change,) = [c for c in dangerous_changes(synth_json(BASE), synth_json(config)) if "FSx" in c.what]
    assert "the FSx for Lustre file system would be replaced" in change.what and line in change.what
    assert "with every file on it" in change.why and "copy the data to a new file system first" in change.instead


@pytest.mark.parametrize("description, config", SAFE, ids=[s[0] for s in SAFE])
def test_in_place_file_system_changes_pass(synth_json, description, config):
    assert dangerous_changes(synth_json(BASE), synth_json(config)) == []


def test_dropping_the_file_system_is_refused_and_names_the_state_rm_way_out(synth_json):
    change, namespace = dangerous_changes(synth_json(BASE), synth_json(fsx(enabled=False)))
    assert "the FSx for Lustre file system would be deleted" in change.what
    assert "terraform state rm aws_fsx_lustre_file_system." in change.instead
    assert "the namespace 'ml-team' the stack created would be deleted" in namespace.what  # create_namespace: true


def test_refused_through_main_then_allowed(tmp_path):
    out = tmp_path / "out"
    assert main_in_process("--config", str(write_config(tmp_path, BASE)), "--out", str(out)).returncode == 0
    before = (out / STACK_JSON).read_bytes()
    smaller = write_config(tmp_path, fsx(storage_capacity_gib=2400))
    refused = main_in_process("--config", str(smaller), "--out", str(out))
    assert refused.returncode == 3 and "FSx cannot shrink a file system" in refused.stderr
    assert (out / STACK_JSON).read_bytes() == before
    assert main_in_process("--config", str(smaller), "--out", str(out), "--allow-replace").returncode == 0


def test_growing_the_file_system_leaves_the_claim_request_alone(synth_json):
    """Kubernetes refuses to resize a statically bound claim: the volume's capacity follows the file system, the
    claim keeps the size it was bound with."""
    document = synth_json(fsx(storage_capacity_gib=7200))
    (volume,) = document["resource"]["kubernetes_persistent_volume_v1"].values()
    (claim,) = document["resource"]["kubernetes_persistent_volume_claim_v1"].values()
    assert volume["spec"][0]["capacity"] == {"storage": "7200Gi"}
    assert claim["lifecycle"]["ignore_changes"] == ["spec[0].resources"]


@pytest.mark.parametrize("overrides", [{"namespace": "research"}, {"claim_name": "datasets"}])
def test_moving_the_claim_is_refused_because_the_volume_stays_bound_to_the_old_one(synth_json, overrides):
    (change,) = [c for c in dangerous_changes(synth_json(BASE), synth_json(fsx(**overrides))) if "claim" in c.what]
    moved_to = f"{overrides.get('namespace', 'ml-team')}/{overrides.get('claim_name', 'shared-fsx')}"
    assert change.what.endswith(f"the FSx claim moves from ml-team/shared-fsx to {moved_to}")
    assert "the new claim stays Pending" in change.why and "claimRef" in change.instead


# The namespace the stack created (create_namespace: true in BASE): deleting it deletes everything in it.
NAMESPACE_DELETED = [
    ("create_namespace switched off", fsx(create_namespace=False),
     "the namespace 'ml-team' the stack created would be deleted (hyperpod_fsx_lustre.create_namespace false, or "
     "FSx off)"),
    ("namespace renamed", fsx(namespace="research"),
     "the namespace 'ml-team' the stack created would be deleted (replaced by 'research': "
     "hyperpod_fsx_lustre.namespace changed)"),
]


@pytest.mark.parametrize("description, config, what", NAMESPACE_DELETED, ids=[n[0] for n in NAMESPACE_DELETED])
def test_deleting_the_created_namespace_is_refused(synth_json, description, config, what):
    (change,) = [c for c in dangerous_changes(synth_json(BASE), synth_json(config)) if "namespace" in c.what]
    assert change.what == f"cluster 'ml-platform-hyperpod': {what}"
    assert "Kubernetes deletes everything in it" in change.why
    assert change.instead.startswith("to keep the namespace, run `terraform state rm kubernetes_namespace_v1.hyperpod_")


def test_a_namespace_the_stack_never_created_is_not_guarded(synth_json):
    existing = fsx(create_namespace=False)
    (change,) = dangerous_changes(synth_json(existing), synth_json(fsx(create_namespace=False, namespace="research")))
    assert "the FSx claim moves" in change.what  # the claim, yes; the namespace is not the stack's to delete
