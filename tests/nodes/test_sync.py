"""The sync property end to end: synthesize a config, remove nodes with hyperpod-nodes, synthesize again. The group's
instance_count is lower by the number removed (in the cluster resource and the output that reports the groups) and
nothing else in the Terraform JSON changed, and the change guard (which compares the second synthesis with the first)
accepts it."""

import json
import shutil

import pytest

from hyperpod.change_guard import dangerous_changes
from hyperpod.nodes.cli import main
from tests.conftest import EXAMPLES, main_in_process
from tests.status.moto_launcher import instance_id


def _differences(before, after, path=""):
    """Every leaf path whose value differs (added and removed keys included)."""
    if isinstance(before, dict) and isinstance(after, dict):
        return [d for key in sorted(set(before) | set(after), key=str)
                for d in _differences(before.get(key), after.get(key), f"{path}.{key}")]
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [d for index, (b, a) in enumerate(zip(before, after)) for d in _differences(b, a, f"{path}[{index}]")]
    return [] if before == after else [(path, before, after)]


@pytest.mark.parametrize("example, group, count", [
    ("production.tfvars.json", "training-gpu", 4),
    ("capacity.tfvars.json", "reserved-p5", 4),  # min_instance_count 2: down to exactly 2 is allowed
])
def test_remove_then_synthesize_changes_only_that_count(stub, tmp_path, capsys, example, group, count):
    config = tmp_path / example
    shutil.copy(EXAMPLES / example, config)
    document = json.loads(config.read_text())
    cluster = document["hyperpod_cluster_name"]
    stub.add_cluster(cluster, {g["name"]: g["instance_count"] for g in document["hyperpod_instance_groups"]},
                     mode=document.get("hyperpod_node_provisioning_mode", "Continuous"))
    out = tmp_path / "out"
    first = main_in_process("--config", str(config), "--out", str(out))
    assert first.returncode == 0, first.stderr
    [stack_json] = out.glob("stacks/*/cdk.tf.json")
    before = json.loads(stack_json.read_text())

    removed = [instance_id(cluster, group, 0), instance_id(cluster, group, 3)]
    assert main(["remove", cluster, *removed, "--config", str(config), "--yes"]) == 0, capsys.readouterr().err

    second = main_in_process("--config", str(config), "--out", str(out))
    assert second.returncode == 0, second.stderr  # the change guard ran against the first synthesis
    assert "change guard skipped" not in second.stderr  # it compared with the first synthesis...
    assert "refused" not in second.stderr and "warning" not in second.stderr  # ...and found nothing dangerous
    after = json.loads(stack_json.read_text())
    assert dangerous_changes(before, after) == []
    index = [g["name"] for g in document["hyperpod_instance_groups"]].index(group)
    [resource] = before["resource"]["awscc_sagemaker_cluster"]
    # The cluster resource's count, and the stack output that reports the groups: nothing else.
    assert _differences(before, after) == [
        (f".output.hyperpod_instance_groups.value[{index}].instance_count", count, count - 2),
        (f".resource.awscc_sagemaker_cluster.{resource}.instance_groups[{index}].instance_count", count, count - 2)]
    # The config file itself: that one number (the first instance_count in both examples), every other byte kept.
    assert config.read_bytes() == (EXAMPLES / example).read_bytes().replace(
        f'"instance_count": {count}'.encode(), f'"instance_count": {count - 2}'.encode(), 1)


def test_a_third_node_would_go_under_the_minimum_and_is_refused(stub, tmp_path, capsys):
    config = tmp_path / "capacity.tfvars.json"
    shutil.copy(EXAMPLES / "capacity.tfvars.json", config)
    cluster = json.loads(config.read_text())["hyperpod_cluster_name"]
    stub.add_cluster(cluster, {"reserved-p5": 4, "spot-g5": 2, "burst-cpu": 0}, mode="Continuous")
    removed = [instance_id(cluster, "reserved-p5", i) for i in range(3)]
    assert main(["remove", cluster, *removed, "--config", str(config), "--yes"]) == 2
    assert "instance_count 4 - 3 = 1 is below its min_instance_count 2" in capsys.readouterr().err
    assert config.read_bytes() == (EXAMPLES / "capacity.tfvars.json").read_bytes()
