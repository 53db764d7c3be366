"""The HyperPod-side values: instance groups, task-governance queues, the hyperpod operator's recovery settings, and
the combinations the charts refuse because they would silently do nothing."""
from __future__ import annotations

import pytest
import yaml

from .cases import CHARTS, OPERATORS, pod_templates, values_for
from .helm_runner import CHARTS as CHARTS_DIR

HEALTH = "sagemaker.amazonaws.com/node-health-status"
INSTANCE_GROUP = "sagemaker.amazonaws.com/instance-group-name"
GROUP_TAINT = {"key": "sagemaker.amazonaws.com/team", "operator": "Equal", "value": "research",
               "effect": "NoSchedule"}


def render_ok(helm, chart, *values, **kwargs):
    result = helm.template(chart, *values, **kwargs)
    assert result.returncode == 0, result.stderr
    return result


def render_fails(helm, chart, *values):
    result = helm.template(chart, *values)
    assert result.returncode != 0 and result.stdout == ""
    return result.stderr


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("operator", OPERATORS)
def test_instance_group_selects_its_nodes_and_its_taints_can_be_tolerated(helm, chart, operator):
    values = values_for("hyperpod", 2, "image-only", operator)
    values["hyperpod"]["instance_group"] = "research-p4d"
    values["tolerations"].append(GROUP_TAINT)
    for template in pod_templates(render_ok(helm, chart, values).workload).values():
        pod = template["spec"]
        assert pod["nodeSelector"] == {"node.kubernetes.io/instance-type": "ml.p4d.24xlarge",
                                       INSTANCE_GROUP: "research-p4d"}
        assert GROUP_TAINT in pod["tolerations"]
        assert all(t.get("key") != HEALTH for t in pod["tolerations"])


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("toleration, message", [
    ({"key": HEALTH, "operator": "Exists"}, f'tolerations[1]: key "{HEALTH}" is not allowed'),
    ({"operator": "Exists"}, "tolerations[1]: a toleration with operator Exists and no key tolerates every taint"),
])
def test_hyperpod_operator_refuses_the_health_taint_too(helm, chart, toleration, message):
    values = values_for("hyperpod-resume", 2, "image-only", "hyperpod")
    values["hyperpod"]["instance_group"] = "research-p4d"
    values["tolerations"].append(toleration)
    assert message in render_fails(helm, chart, values)


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("operator", OPERATORS)
def test_team_and_priority_become_kueue_labels(helm, chart, operator):
    values = values_for("hyperpod", 2, "image-only", operator)
    values["hyperpod"].update(team="vision", priority="inference")
    job = render_ok(helm, chart, values, namespace="hyperpod-ns-vision").workload
    assert job["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "hyperpod-ns-vision-localqueue"
    assert job["metadata"]["labels"]["kueue.x-k8s.io/priority-class"] == "inference-priority"
    assert job["metadata"]["namespace"] == "hyperpod-ns-vision"


def notes(helm, chart, values_file, namespace):
    result = helm.run("install", "rel", str(CHARTS_DIR / chart), "-n", namespace, "--dry-run=client",
                      "-f", str(values_file))
    assert result.returncode == 0, result.stderr
    return result.stdout.split("NOTES:", 1)[1]


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("operator", OPERATORS)
def test_notes_warn_when_the_namespace_is_not_the_teams(helm, chart, operator, tmp_path):
    values = values_for("hyperpod", 2, "image-only", operator)
    values["hyperpod"].update(team="vision", priority="training")
    path = tmp_path / "values.yaml"
    path.write_text(yaml.safe_dump(values))
    outside = notes(helm, chart, path, "kubeflow")
    assert "Task governance: queued in hyperpod-ns-vision-localqueue with priority class training-priority" in outside
    assert "WARNING: the release namespace is kubeflow, not hyperpod-ns-vision" in outside
    inside = notes(helm, chart, path, "hyperpod-ns-vision")
    assert "hyperpod-ns-vision-localqueue" in inside and "WARNING" not in inside


@pytest.mark.parametrize("chart", CHARTS)
def test_hyperpod_operator_notes_follow_the_job_by_its_pod_labels(helm, chart, tmp_path):
    path = tmp_path / "values.yaml"
    path.write_text(yaml.safe_dump(values_for("hyperpod-resume", 2, "image-only", "hyperpod")))
    text = notes(helm, chart, path, "training")
    assert "HyperPodPyTorchJob rel submitted to namespace training for the HyperPod training operator" in text
    assert "kubectl get hyperpodpytorchjob rel -n training -w" in text
    assert "kubectl logs -n training -f -l app.kubernetes.io/instance=rel --prefix" in text
    assert "at most 5 times" in text and "pytorchjob" not in text.replace("hyperpodpytorchjob", "")


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("hyperpod, message", [
    ({"instance_group": "gpu"}, 'hyperpod.instance_group: "gpu" needs hyperpod.enabled: true'),
    ({"team": "vision"}, 'hyperpod.team: "vision" needs hyperpod.enabled: true'),
    ({"operator": "hyperpod"}, 'hyperpod.operator: "hyperpod" needs hyperpod.enabled: true'),
])
def test_hyperpod_settings_need_hyperpod_mode(helm, chart, hyperpod, message):
    values = values_for("plain", 2, "image-only")
    values["hyperpod"].update(hyperpod)
    assert message in render_fails(helm, chart, values)


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("operator, hyperpod, message", [
    ("kubeflow", {"priority": "training"}, 'hyperpod.priority: "training" needs hyperpod.team'),
    ("kubeflow", {"log_monitoring": [{"name": "a", "log_pattern": "b"}]},
     'hyperpod.log_monitoring: needs hyperpod.operator: "hyperpod"'),
    ("kubeflow", {"auto_restart": True, "restart_policy": {"eval_period_seconds": 60}},
     'hyperpod.restart_policy: needs hyperpod.operator: "hyperpod"'),
    ("hyperpod", {"restart_policy": {"eval_period_seconds": 60}},
     "hyperpod.restart_policy: needs hyperpod.auto_restart"),
    ("hyperpod", {"auto_restart": True, "restart_policy": {"max_full_job_restarts": 1}},
     "hyperpod.restart_policy.eval_period_seconds: is 0"),
    ("hyperpod", {"log_monitoring": [{"name": "a", "log_pattern": "(\\d+)", "metric_threshold": 1}]},
     "hyperpod.log_monitoring[0]: metric_threshold and operator go together"),
])
def test_settings_that_would_do_nothing_fail(helm, chart, operator, hyperpod, message):
    values = values_for("hyperpod", 2, "image-only", operator)
    values["hyperpod"].update(hyperpod)
    assert message in render_fails(helm, chart, values)


@pytest.mark.parametrize("chart", CHARTS)
def test_restart_policy_without_optional_settings_renders_only_the_period(helm, chart):
    values = values_for("hyperpod-resume", 2, "image-only", "hyperpod")
    values["hyperpod"]["restart_policy"] = {"eval_period_seconds": 3600}
    del values["hyperpod"]["log_monitoring"]
    run_policy = render_ok(helm, chart, values).hyperpod_job["spec"]["runPolicy"]
    assert run_policy == {"cleanPodPolicy": "None", "jobMaxRetryCount": 5,
                          "restartPolicy": {"evalPeriodSeconds": 3600}}


def test_elastic_hyperpod_policy_carries_the_scaling_settings(helm):
    values = values_for("hyperpod-resume", 4, "image-only", "hyperpod")
    override = {"elastic": {"min_nodes": 2, "max_nodes": 8, "replica_increment_step": 2,
                            "graceful_shutdown_timeout_seconds": 600, "scaling_timeout_seconds": 60,
                            "faulty_scale_down_timeout_seconds": 30}}
    spec = render_ok(helm, "pytorchjob-elastic", values, override).hyperpod_job["spec"]
    assert spec["elasticPolicy"] == {"minReplicas": 2, "maxReplicas": 8, "replicaIncrementStep": 2,
                                     "gracefulShutdownTimeoutInSeconds": 600, "scalingTimeoutInSeconds": 60,
                                     "faultyScaleDownTimeoutInSeconds": 30}
    (replica,) = spec["replicaSpecs"]
    assert (replica["replicas"], replica["maxReplicas"]) == (4, 8)
    env = {e["name"]: e["value"] for e in replica["template"]["spec"]["containers"][0]["env"]}
    assert env["PYTORCHJOB_NNODES"] == "2:8"


@pytest.mark.parametrize("operator, override, message", [
    ("hyperpod", {"elastic": {"min_nodes": 1, "max_nodes": 4, "replica_increment_step": 2}},
     "elastic.replica_increment_step: 2 does not lead from elastic.min_nodes (1) to the maximum (4)"),
    ("kubeflow", {"elastic": {"replica_increment_step": 2}}, 'need hyperpod.operator: "hyperpod"'),
    ("kubeflow", {"elastic": {"scaling_timeout_seconds": 60}}, 'need hyperpod.operator: "hyperpod"'),
])
def test_elastic_scaling_settings_are_checked(helm, operator, override, message):
    values = values_for("hyperpod", 2, "image-only", operator)
    assert message in render_fails(helm, "pytorchjob-elastic", values, override)
