"""The change guard: each dangerous change class refused with its explanation, safe changes pass."""

from __future__ import annotations

import copy
import json

import pytest

from hyperpod.change_guard import dangerous_changes, stable_group_order
from tests.conftest import minimal_config
from tests.core.test_cli import STACK_JSON, run_main, write_config


def groups(*specs) -> list[dict]:
    return [{"name": n, "instance_type": t, "instance_count": c, "deep_health_checks": []} for n, t, c in specs]


BASE = minimal_config(hyperpod_instance_groups=groups(("train", "ml.p5.48xlarge", 4), ("infer", "ml.g5.48xlarge", 2)))


def changed(**overrides) -> dict:
    config = copy.deepcopy(BASE)
    config.update(overrides)
    return config


def with_group(index: int, **overrides) -> dict:
    config = copy.deepcopy(BASE)
    config["hyperpod_instance_groups"][index].update(overrides)
    return config


DANGEROUS = [
    ("cluster renamed", changed(hyperpod_cluster_name="other-name"), "cluster_name changes", "replaces the whole"),
    ("vpc changed", changed(hyperpod_subnet_ids=["subnet-0123456789abcdef0"]), "vpc_config changes",
     "replaces the whole"),
    ("other EKS cluster", changed(eks_cluster_name="other-eks"), "orchestrator changes", "replaces the whole"),
    ("instance type", with_group(0, instance_type="ml.p5e.48xlarge"), "group 'train': instance_type changes",
     "refuses to change instance_type"),
    ("threads per core", with_group(1, threads_per_core=2), "group 'infer': threads_per_core changes",
     "refuses to change threads_per_core"),
    ("group removed", changed(hyperpod_instance_groups=BASE["hyperpod_instance_groups"][:1]),
     "instance group 'infer' would be removed", "scale its instance_count to 0"),
    ("group renamed", with_group(1, name="serve"), "'infer' would be removed (renamed to 'serve'?",
     "delete plus a create"),
    ("group reordered", changed(hyperpod_instance_groups=BASE["hyperpod_instance_groups"][::-1]),
     "group 'train': moves from position 0 to 1", "matches instance groups by position"),
    ("hyperpod disabled", changed(hyperpod_enabled=False), "would be destroyed", "hyperpod_prevent_destroy false"),
]

SAFE = [
    ("instance count", with_group(0, instance_count=16)),
    ("scale to zero", with_group(1, instance_count=0)),
    ("group appended", changed(hyperpod_instance_groups=[*BASE["hyperpod_instance_groups"],
                                                         *groups(("cpu", "ml.m5.xlarge", 1))])),
    ("deep health checks", with_group(0, deep_health_checks=["InstanceStress"])),
    ("tags", changed(tags={"team": "ml"})),
    ("ebs volume", with_group(0, ebs_volume_gb=2000)),
    ("node recovery", changed(hyperpod_node_recovery="None")),
    ("helm chart revision", changed(hyperpod_helm_chart={"git_revision": "b" * 40})),
]


@pytest.mark.parametrize("name,config,what,why", DANGEROUS, ids=[d[0] for d in DANGEROUS])
def test_dangerous_change_is_explained(synth_json, name, config, what, why):
    changes = dangerous_changes(synth_json(BASE), synth_json(config))
    assert changes, f"{name} was not caught"
    text = "\n".join(str(c) for c in changes)
    assert what in text and why in text
    assert all(c.instead for c in changes)


@pytest.mark.parametrize("name,config", SAFE, ids=[s[0] for s in SAFE])
def test_safe_change_passes(synth_json, name, config):
    assert dangerous_changes(synth_json(BASE), synth_json(config)) == []


def test_lifecycle_script_change_is_safe(synth_json):
    previous = synth_json(BASE)
    new = copy.deepcopy(previous)
    (cluster,) = new["resource"]["awscc_sagemaker_cluster"].values()
    for group in cluster["instance_groups"]:
        group["life_cycle_config"]["source_s3_uri"] = group["life_cycle_config"]["source_s3_uri"][:-4] + "beef"
    assert dangerous_changes(previous, new) == []


def test_stable_order_appends_new_groups_after_existing():
    assert stable_group_order(["new", "b", "a"], ["a", "b"]) == ["a", "b", "new"]
    assert stable_group_order(["a", "b"], []) == ["a", "b"]
    assert stable_group_order(["b"], ["a", "b"]) == ["b"]


# Whole-process behaviour: what is written, exit codes, messages.

def test_refused_then_allowed(tmp_path):
    out = tmp_path / "out"
    first = run_main("--config", str(write_config(tmp_path, BASE)), "--out", str(out))
    assert first.returncode == 0, first.stderr  # first synthesis: nothing to compare with
    before = (out / STACK_JSON).read_bytes()
    bad = write_config(tmp_path, with_group(0, instance_type="ml.p5e.48xlarge"))
    refused = run_main("--config", str(bad), "--out", str(out))
    assert refused.returncode == 3 and "Traceback" not in refused.stderr
    assert "refused: 1 change(s)" in refused.stderr and "--allow-replace" in refused.stderr
    assert (out / STACK_JSON).read_bytes() == before
    allowed = run_main("--config", str(bad), "--out", str(out), "--allow-replace")
    assert allowed.returncode == 0 and "going ahead (--allow-replace)" in allowed.stderr
    (cluster,) = json.loads((out / STACK_JSON).read_text())["resource"]["awscc_sagemaker_cluster"].values()
    assert cluster["instance_groups"][0]["instance_type"] == "ml.p5e.48xlarge"


def test_new_group_inserted_first_keeps_deployed_order(tmp_path):
    out = tmp_path / "out"
    assert run_main("--config", str(write_config(tmp_path, BASE)), "--out", str(out)).returncode == 0
    inserted = changed(hyperpod_instance_groups=[*groups(("cpu", "ml.m5.xlarge", 1)), *BASE["hyperpod_instance_groups"]])
    result = run_main("--config", str(write_config(tmp_path, inserted)), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "kept in their deployed order: train, infer, cpu" in result.stderr
    (cluster,) = json.loads((out / STACK_JSON).read_text())["resource"]["awscc_sagemaker_cluster"].values()
    assert [g["instance_group_name"] for g in cluster["instance_groups"]] == ["train", "infer", "cpu"]


@pytest.mark.parametrize("content,message", [
    ("{not json", "the previous synthesis is not valid JSON"),
    ('{"resource": {}}', "not a cdk.tf.json synthesized by CDKTF"),
    ("[1, 2]", "not a cdk.tf.json synthesized by CDKTF"),
])
def test_corrupt_or_foreign_previous_is_a_clear_error(tmp_path, content, message):
    previous = tmp_path / "previous.json"
    previous.write_text(content)
    result = run_main("--check-against", str(previous), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in result.stderr
    assert not (tmp_path / "out").exists()
