"""The change guard on Karpenter autoscaling: a group handed back to Terraform (autoscaling off, or the group left out
of hyperpod_autoscaling.instance_groups) is refused, because the next apply sets its count and kills the nodes
Karpenter added; a group that runs nodes when Karpenter takes it over is warned about (Karpenter scales it to 0)."""

from __future__ import annotations

import copy
import json

import pytest

from hyperpod.change_guard import change_warnings, dangerous_changes
from tests.conftest import main_in_process, minimal_config
from tests.core.test_cli import STACK_JSON, write_config

BASE = minimal_config(
    hyperpod_instance_groups=[
        {"name": "train", "instance_type": "ml.p5.48xlarge", "instance_count": 4},
        {"name": "cpu", "instance_type": "ml.c5.2xlarge", "instance_count": 0},
        {"name": "burst", "instance_type": "ml.c5.2xlarge", "instance_count": 1},
    ],
    hyperpod_autoscaling={"enabled": True, "instance_groups": ["cpu", "burst"]},
)


def scaling(**autoscaling) -> dict:
    config = copy.deepcopy(BASE)
    config["hyperpod_autoscaling"] = autoscaling
    return config


def test_a_group_left_out_of_autoscaling_is_refused(synth_json):
    (change,) = dangerous_changes(synth_json(BASE), synth_json(scaling(enabled=True, instance_groups=["cpu"])))
    assert change.what == (
        "cluster 'test-cluster', group 'burst': Karpenter stops scaling it (hyperpod_autoscaling.enabled false, or "
        "the group left out of hyperpod_autoscaling.instance_groups): its instance_count goes back to Terraform, and "
        "the next apply sets it to 1, terminating the nodes Karpenter added above that")
    assert "Terraform ignored its count" in change.why and "Create a NodeClass" in change.why
    assert "hyperpod-status" in change.instead and "--allow-replace" in change.instead


def test_autoscaling_switched_off_is_refused_for_every_scaled_group(synth_json):
    changes = dangerous_changes(synth_json(BASE), synth_json(scaling(enabled=False)))
    assert [c.what.split(":")[0] for c in changes] == ["cluster 'test-cluster', group 'cpu'",
                                                        "cluster 'test-cluster', group 'burst'"]
    assert change_warnings(synth_json(BASE), synth_json(scaling(enabled=False))) == []


def test_autoscaling_a_group_that_runs_nodes_is_a_warning_not_a_refusal(synth_json):
    wider = scaling(enabled=True, instance_groups=["cpu", "burst", "train"])
    assert dangerous_changes(synth_json(BASE), synth_json(wider)) == []
    (warning,) = change_warnings(synth_json(BASE), synth_json(wider))
    assert warning.what == "cluster 'test-cluster', group 'train': Karpenter starts scaling a group that runs 4 node(s)"
    assert "scales a group that starts with nodes down to 0" in warning.why
    assert "instance_count to 0 first" in warning.instead


def test_autoscaling_an_empty_group_or_keeping_the_same_groups_says_nothing(synth_json):
    plain = scaling(enabled=False)
    assert change_warnings(synth_json(plain), synth_json(scaling(enabled=True, instance_groups=["cpu"]))) == []
    assert change_warnings(synth_json(BASE), synth_json(BASE)) == []
    assert dangerous_changes(synth_json(BASE), synth_json(BASE)) == []


def _with_ignore_changes(document: dict, ignored: object) -> dict:
    document = copy.deepcopy(document)
    next(iter(document["resource"]["awscc_sagemaker_cluster"].values()))["lifecycle"]["ignore_changes"] = ignored
    return document


@pytest.mark.parametrize("ignored", [
    "all", [7], None, ["instance_groups[99].instance_count"], ["instance_groups[\u0661].instance_count"],
    ["instance_groups[-1].instance_count"], [{"x": 1}],
], ids=["a string", "a number", "null", "out of range", "arabic-indic digit", "negative", "an object"])
def test_odd_ignore_changes_in_the_previous_synthesis_are_not_autoscaled_groups(synth_json, ignored):
    """The previous synthesis is untrusted: what is not this app's `instance_groups[<ASCII digits>].instance_count`
    names no autoscaled group (and raises nothing)."""
    previous = _with_ignore_changes(synth_json(BASE), ignored)
    assert dangerous_changes(previous, synth_json(scaling(enabled=False))) == []
    assert [w.what.split(":")[0] for w in change_warnings(previous, synth_json(BASE))] == [
        "cluster 'test-cluster', group 'burst'"]  # burst ran 1 node as far as that synthesis says


def test_refused_through_main_then_allowed_and_warnings_printed(tmp_path):
    out = tmp_path / "out"
    assert main_in_process("--config", str(write_config(tmp_path, BASE)), "--out", str(out)).returncode == 0
    before = (out / STACK_JSON).read_bytes()
    off = write_config(tmp_path, scaling(enabled=False))
    refused = main_in_process("--config", str(off), "--out", str(out))
    assert refused.returncode == 3 and "refused: 2 change(s)" in refused.stderr
    assert "Karpenter stops scaling it" in refused.stderr and (out / STACK_JSON).read_bytes() == before
    allowed = main_in_process("--config", str(off), "--out", str(out), "--allow-replace")
    assert allowed.returncode == 0, allowed.stderr
    (cluster,) = json.loads((out / STACK_JSON).read_text())["resource"]["awscc_sagemaker_cluster"].values()
    assert "ignore_changes" not in cluster["lifecycle"]
    wider = write_config(tmp_path, scaling(enabled=True, instance_groups=["cpu", "burst", "train"]))
    warned = main_in_process("--config", str(wider), "--out", str(out))
    assert warned.returncode == 0, warned.stderr
    assert "warning: cluster 'test-cluster', group 'train': Karpenter starts scaling a group that runs 4 node(s)" \
        in warned.stderr
