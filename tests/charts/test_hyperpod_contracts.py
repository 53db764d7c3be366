"""HyperPod mode follows AWS's documented contracts (shared/reference/HYPERPOD.md); without it, no trace of HyperPod."""
from __future__ import annotations

import pytest

from .cases import CHARTS, values_for

HEALTH = "sagemaker.amazonaws.com/node-health-status"
DEEP_HEALTH = "sagemaker.amazonaws.com/deep-health-check-status"
AUTO_RESUME = "sagemaker.amazonaws.com/enable-job-auto-resume"
MAX_RETRY = "sagemaker.amazonaws.com/job-max-retry-count"


def pods(job: dict) -> list[dict]:
    return [r["template"]["spec"] for r in job["spec"]["pytorchReplicaSpecs"].values()]


def render_ok(helm, chart, *values):
    result = helm.template(chart, *values)
    assert result.returncode == 0, result.stderr
    return result


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("node_type", ["p4d.24xlarge", "ml.p4d.24xlarge"])
def test_hyperpod_selects_ml_instance_type_without_doubling_the_prefix(helm, chart, node_type):
    values = values_for("hyperpod", 2, "image-only")
    values["resources"]["node_type"] = node_type
    for pod in pods(render_ok(helm, chart, values).job):
        assert pod["nodeSelector"]["node.kubernetes.io/instance-type"] == "ml.p4d.24xlarge"


@pytest.mark.parametrize("chart", CHARTS)
def test_hyperpod_requires_schedulable_nodes_and_prefers_passed_deep_health_checks(helm, chart):
    for pod in pods(render_ok(helm, chart, values_for("hyperpod", 2, "git-volumes")).job):
        affinity = pod["affinity"]["nodeAffinity"]
        (term,) = affinity["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
        assert term["matchExpressions"] == [{"key": HEALTH, "operator": "In", "values": ["Schedulable"]}]
        (preferred,) = affinity["preferredDuringSchedulingIgnoredDuringExecution"]
        assert preferred["preference"]["matchExpressions"] == [
            {"key": DEEP_HEALTH, "operator": "In", "values": ["Passed"]}]
        assert 1 <= preferred["weight"] <= 100
        assert all(t.get("key") != HEALTH for t in pod.get("tolerations", []))


@pytest.mark.parametrize("chart", CHARTS)
def test_auto_resume_annotations_carry_the_retry_count_as_a_string(helm, chart):
    values = values_for("hyperpod-resume", 2, "image-only")
    values["hyperpod"]["max_retry_count"] = 7   # arrives as float64 from the -f file: must not render as 7.0 or 7e+00
    result = render_ok(helm, chart, values)
    annotations = result.job["metadata"]["annotations"]
    assert annotations == {AUTO_RESUME: "true", MAX_RETRY: "7"}
    assert all(r["restartPolicy"] == "OnFailure" for r in result.job["spec"]["pytorchReplicaSpecs"].values())
    assert "enable-job-auto-restart" not in result.stdout   # the undocumented key of the seed's upstream


@pytest.mark.parametrize("chart", CHARTS)
def test_hyperpod_without_auto_resume_has_no_resume_annotations(helm, chart):
    job = render_ok(helm, chart, values_for("hyperpod", 2, "image-only")).job
    assert "annotations" not in job["metadata"]
    assert all(p["nodeSelector"]["node.kubernetes.io/instance-type"] == "ml.p4d.24xlarge" for p in pods(job))


@pytest.mark.parametrize("chart", CHARTS)
def test_without_hyperpod_the_same_job_runs_on_ordinary_nodes(helm, chart):
    values = values_for("plain", 2, "git-volumes")
    values["resources"]["node_type"] = "ml.p4d.24xlarge"   # a HyperPod-style type still selects the EC2 type
    result = render_ok(helm, chart, values)
    assert "sagemaker.amazonaws.com" not in result.stdout
    for pod in pods(result.job):
        assert pod["nodeSelector"] == {"node.kubernetes.io/instance-type": "p4d.24xlarge"}
        assert "affinity" not in pod


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("mode", ["plain", "hyperpod-resume"])
def test_gpu_efa_and_neuron_resources_pass_through(helm, chart, mode):
    values = values_for(mode, 2, "image-only")
    values["resources"].update(
        node_type="trn1.32xlarge", nproc_per_node=32,
        requests={"aws.amazon.com/neuron": 16, "vpc.amazonaws.com/efa": 8, "memory": "480Gi"},
        limits={"aws.amazon.com/neuron": 16, "vpc.amazonaws.com/efa": 8, "nvidia.com/gpu": 0})
    for pod in pods(render_ok(helm, chart, values).job):
        resources = pod["containers"][0]["resources"]
        assert resources["requests"] == {"aws.amazon.com/neuron": 16, "vpc.amazonaws.com/efa": 8, "memory": "480Gi"}
        assert resources["limits"] == {"aws.amazon.com/neuron": 16, "vpc.amazonaws.com/efa": 8, "nvidia.com/gpu": 0}


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("mode", ["plain", "hyperpod"])
def test_tolerating_the_node_health_taint_fails_the_render(helm, chart, mode):
    values = values_for(mode, 2, "image-only")
    values["tolerations"].append({"key": HEALTH, "operator": "Equal", "value": "Unschedulable",
                                  "effect": "NoSchedule"})
    result = helm.template(chart, values)
    assert result.returncode != 0 and result.stdout == ""
    assert f'tolerations[1]: key "{HEALTH}" is not allowed' in result.stderr


@pytest.mark.parametrize("chart", CHARTS)
def test_wildcard_toleration_fails_in_hyperpod_mode_only(helm, chart):
    wildcard = {"operator": "Exists"}
    on = values_for("hyperpod", 2, "image-only")
    on["tolerations"] = [wildcard]
    result = helm.template(chart, on)
    assert result.returncode != 0
    assert "tolerations[0]: a toleration with operator Exists and no key tolerates every taint" in result.stderr
    off = values_for("plain", 2, "image-only")
    off["tolerations"] = [wildcard]
    assert all(p["tolerations"] == [wildcard] for p in pods(render_ok(helm, chart, off).job))


@pytest.mark.parametrize("chart", CHARTS)
def test_auto_resume_needs_hyperpod_mode(helm, chart):
    values = values_for("plain", 2, "image-only")
    values["hyperpod"]["auto_restart"] = True
    result = helm.template(chart, values)
    assert result.returncode != 0
    assert "hyperpod.auto_restart: true needs hyperpod.enabled: true" in result.stderr


@pytest.mark.parametrize("chart", CHARTS)
def test_hyperpod_mode_needs_a_node_type(helm, chart):
    values = values_for("hyperpod", 2, "image-only")
    values["resources"]["node_type"] = ""
    result = helm.template(chart, values)
    assert result.returncode != 0
    assert "resources.node_type: is empty; HyperPod mode needs the instance type" in result.stderr
