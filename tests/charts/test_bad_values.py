"""Wrong values fail at template time with Helm's own schema message (or the chart's fail message), naming the field."""
from __future__ import annotations

import pytest

from .cases import CHARTS, values_for

SCHEMA_ERRORS = {
    "negative-nnodes": ({"resources": {"nnodes": -1}}, "at '/resources/nnodes': minimum: got -1, want 1"),
    "fractional-nnodes": ({"resources": {"nnodes": 2.5}}, "at '/resources/nnodes'"),
    "zero-nproc": ({"resources": {"nproc_per_node": 0}}, "at '/resources/nproc_per_node': minimum: got 0, want 1"),
    "unknown-hyperpod-key": ({"hyperpod": {"auto_resume": True}},
                             "at '/hyperpod': additional properties 'auto_resume' not allowed"),
    "string-enabled": ({"hyperpod": {"enabled": "yes"}}, "at '/hyperpod/enabled'"),
    "zero-retries": ({"hyperpod": {"max_retry_count": 0}}, "at '/hyperpod/max_retry_count': minimum: got 0, want 1"),
    "node-type-not-an-instance-type": ({"resources": {"node_type": "gpu-box"}},
                                       "at '/resources/node_type': 'gpu-box' does not match pattern"),
    "node-type-double-ml": ({"resources": {"node_type": "ml.ml.p4d.24xlarge"}}, "at '/resources/node_type'"),
    "misspelt-top-level-key": ({"hyperpd": {"enabled": True}}, "additional properties 'hyperpd' not allowed"),
    "empty-command": ({"command": []}, "at '/command': minItems"),
    "bad-commit": ({"git": {"repo": "https://github.com/a/b.git", "commit": "main"}}, "at '/git/commit'"),
    "reserved-volume-name": ({"volumes": [{"name": "scripts", "claim_name": "c", "mount_path": "/x"}]},
                             "at '/volumes/0/name'"),
    "relative-mount-path": ({"volumes": [{"name": "fsx", "claim_name": "c", "mount_path": "fsx"}]},
                            "at '/volumes/0/mount_path'"),
    "bad-quantity": ({"resources": {"limits": {"memory": "lots"}}}, "at '/resources/limits/memory'"),
    "negative-backoff": ({"backoff_limit": -1}, "at '/backoff_limit': minimum: got -1, want 0"),
    "unquoted-numeric-tag": ({"image": {"repository": "r", "tag": 2.0}}, "at '/image/tag'"),
    "bad-job-name": ({"job_name": "Qwen_SFT"}, "at '/job_name': 'Qwen_SFT' does not match pattern"),
    "unknown-operator": ({"hyperpod": {"operator": "volcano"}}, "at '/hyperpod/operator': value must be one of"),
    "bad-instance-group": ({"hyperpod": {"instance_group": "gpu_group"}}, "at '/hyperpod/instance_group'"),
    "team-not-a-label": ({"hyperpod": {"team": "ML Research"}}, "at '/hyperpod/team'"),
    "team-too-long-for-its-queue": ({"hyperpod": {"team": "t" * 41}}, "at '/hyperpod/team': maxLength"),
    "bad-priority": ({"hyperpod": {"priority": "High"}}, "at '/hyperpod/priority'"),
    "negative-restart-period": ({"hyperpod": {"restart_policy": {"eval_period_seconds": -1}}},
                                "at '/hyperpod/restart_policy/eval_period_seconds': minimum: got -1, want 0"),
    "unknown-restart-key": ({"hyperpod": {"restart_policy": {"evalPeriodSeconds": 60}}},
                            "at '/hyperpod/restart_policy': additional properties 'evalPeriodSeconds' not allowed"),
    "log-rule-without-pattern": ({"hyperpod": {"log_monitoring": [{"name": "JobStart"}]}},
                                 "at '/hyperpod/log_monitoring/0': missing property 'log_pattern'"),
    "log-rule-bad-operator": ({"hyperpod": {"log_monitoring": [{"name": "a", "log_pattern": "b", "operator": ">"}]}},
                              "at '/hyperpod/log_monitoring/0/operator'"),
}


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("name", SCHEMA_ERRORS)
def test_schema_refuses_bad_value(helm, chart, name):
    override, message = SCHEMA_ERRORS[name]
    result = helm.template(chart, values_for("plain", 2, "image-only"), override)
    assert result.returncode != 0 and result.stdout == ""
    assert "values don't meet the specifications of the schema" in result.stderr
    assert message in result.stderr, result.stderr


@pytest.mark.parametrize("chart", CHARTS)
def test_long_release_name_fails_with_the_limit(helm, chart):
    result = helm.template(chart, values_for("plain", 2, "image-only"), release="r" * 53)
    assert result.returncode != 0
    assert f'job_name: "{"r" * 53}" is 53 characters; at most 52 are allowed' in result.stderr


@pytest.mark.parametrize("override, message", [
    ({"elastic": {"min_nodes": 3}}, "elastic.min_nodes: 3 is more than resources.nnodes (2)"),
    ({"elastic": {"max_nodes": 1}}, "elastic.max_nodes: 1 is less than resources.nnodes (2)"),
    ({"elastic": {"rendezvous_timeout_seconds": 60}},
     "at '/elastic/rendezvous_timeout_seconds': minimum: got 60, want 300"),
])
def test_elastic_bounds_are_checked(helm, override, message):
    result = helm.template("pytorchjob-elastic", values_for("plain", 2, "image-only"), override)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr


def test_elastic_accepts_a_range_around_nnodes(helm):
    override = {"elastic": {"min_nodes": 2, "max_nodes": 6, "rendezvous_timeout_seconds": 3600}}
    result = helm.template("pytorchjob-elastic", values_for("hyperpod-resume", 4, "image-only"), override)
    assert result.returncode == 0, result.stderr
    policy = result.job["spec"]["elasticPolicy"]
    assert (policy["minReplicas"], policy["maxReplicas"]) == (2, 6)
    assert policy["rdzvConf"] == [{"key": "join_timeout", "value": "3600"}]
    assert result.job["spec"]["pytorchReplicaSpecs"]["Worker"]["replicas"] == 4


def test_elastic_scaling_step_is_at_least_one(helm):
    result = helm.template("pytorchjob-elastic", values_for("plain", 2, "image-only"),
                           {"elastic": {"replica_increment_step": 0}})
    assert result.returncode != 0
    assert "at '/elastic/replica_increment_step': minimum: got 0, want 1" in result.stderr, result.stderr
