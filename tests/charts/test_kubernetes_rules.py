"""The rule checks the render tests rely on accept valid input and catch invalid input."""
from __future__ import annotations

from . import kubernetes_rules as rules


def test_labels():
    assert rules.labels({"app.kubernetes.io/name": "x", "empty": ""}, "l") == []
    assert rules.labels({"a": "v" * 64}, "l") and rules.labels({"Bad_Prefix/x": "v"}, "l")
    assert rules.labels({"a": "-v"}, "l") and rules.labels({"a": 1}, "l")


def test_names():
    assert rules.dns1123_label("job-worker-7", "n") == []
    assert rules.dns1123_label("j" * 64, "n") and rules.dns1123_label("Job", "n")
    assert rules.dns1035_label("7job", "n") and rules.dns1035_label("job", "n") == []


def test_admission_catches_operator_refusals():
    pod = {"spec": {"containers": [{"name": "pytorch", "image": "i"}]}}
    job = {"metadata": {"name": "j" * 52}, "spec": {"pytorchReplicaSpecs": {
        "Master": {"replicas": 1, "template": pod}, "Worker": {"replicas": 10, "template": pod}}}}
    assert rules.pytorchjob_admission(job) == []
    job["spec"]["pytorchReplicaSpecs"]["Worker"]["replicas"] = 10000   # <job>-worker-9999 exceeds 63 characters
    job["spec"]["pytorchReplicaSpecs"]["Master"]["replicas"] = 2
    job["spec"]["pytorchReplicaSpecs"]["Launcher"] = {"template": pod}
    problems = rules.pytorchjob_admission(job)
    assert len(problems) == 3, problems


def test_pod_template_catches_unmounted_volumes_and_long_port_names():
    template = {"spec": {"volumes": [{"name": "a"}], "containers": [{
        "name": "pytorch", "ports": [{"name": "a-very-long-port-name"}], "volumeMounts": [{"name": "b"}]}]}}
    assert len(rules.pod_template(template, "t")) == 2


def test_hyperpod_admission_catches_bad_names_and_missing_containers():
    pod = {"spec": {"containers": [{"name": "pytorch", "image": "i"}]}}
    job = {"metadata": {"name": "j" * 52}, "spec": {"replicaSpecs": [
        {"name": "worker", "replicas": 8, "maxReplicas": 16, "template": pod}]}}
    assert rules.hyperpodpytorchjob_admission(job) == []
    job["spec"]["replicaSpecs"].append({"name": "worker", "template": {"spec": {"containers": [{"name": "main"}]}}})
    job["spec"]["replicaSpecs"][0]["maxReplicas"] = 10000   # <job>-worker-9999 exceeds 63 characters
    problems = rules.hyperpodpytorchjob_admission(job)
    assert len(problems) == 3, problems
