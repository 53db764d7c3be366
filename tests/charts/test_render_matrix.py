"""Every chart x values combination renders objects the Kubernetes API and the training operator would accept."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import jsonschema
import pytest

from . import kubernetes_rules as rules
from .cases import MATRIX, case_id, values_for


@pytest.fixture(scope="module")
def rendered(helm) -> dict:
    """All matrix renders, run in parallel (each helm call is a separate process)."""
    def render(case):
        chart, mode, nnodes, source = case
        return helm.template(chart, values_for(mode, nnodes, source), release=f"job-{nnodes}")

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(MATRIX, pool.map(render, MATRIX)))


@pytest.fixture(params=MATRIX, ids=case_id)
def case(request, rendered):
    result = rendered[request.param]
    assert result.returncode == 0, result.stderr
    return request.param, result


def test_renders_one_pytorchjob_and_its_scripts_configmap(case):
    _, result = case
    assert sorted(d["kind"] for d in result.docs) == ["ConfigMap", "PyTorchJob"]
    assert result.job["apiVersion"] == "kubeflow.org/v1"


def test_no_value_left_undefined(case):
    """helm lint --strict does not catch a template reading an undefined value; the rendered text shows it."""
    _, result = case
    assert "<no value>" not in result.stdout and "%!" not in result.stdout


def test_pytorchjob_matches_the_crd_schema(case, pytorchjob_schema):
    _, result = case
    errors = sorted(jsonschema.Draft7Validator(pytorchjob_schema).iter_errors(result.job), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_objects_meet_kubernetes_naming_and_label_rules(case):
    _, result = case
    problems = []
    for obj in result.docs:
        problems += rules.object_meta(obj)
    for rtype, replica in result.job["spec"]["pytorchReplicaSpecs"].items():
        problems += rules.pod_template(replica["template"], rtype)
    assert not problems, "\n".join(problems)


def test_training_operator_would_admit_the_job(case):
    _, result = case
    assert rules.pytorchjob_admission(result.job) == []


def test_replica_counts_follow_nnodes(case):
    (chart, _, nnodes, _), result = case
    replicas = {rtype: spec["replicas"] for rtype, spec in result.job["spec"]["pytorchReplicaSpecs"].items()}
    if chart == "pytorchjob-distributed":
        assert replicas == ({"Master": 1} if nnodes == 1 else {"Master": 1, "Worker": nnodes - 1})
        assert result.job["spec"]["nprocPerNode"] == "8"
    else:
        policy = result.job["spec"]["elasticPolicy"]
        assert replicas == {"Worker": nnodes}
        assert (policy["minReplicas"], policy["maxReplicas"]) == (1, nnodes)
        assert policy["rdzvBackend"] == "c10d" and policy["nProcPerNode"] == 8
        assert {"key": "join_timeout", "value": "1800"} in policy["rdzvConf"]


def test_configmap_mounted_by_every_replica_is_the_rendered_one(case):
    (_, _, _, source), result = case
    (configmap,) = result.of_kind("ConfigMap")
    assert ("clone.sh" in configmap["data"]) == (source == "git-volumes")
    for replica in result.job["spec"]["pytorchReplicaSpecs"].values():
        pod = replica["template"]["spec"]
        (scripts,) = [v for v in pod["volumes"] if v["name"] == "scripts"]
        assert scripts["configMap"]["name"] == configmap["metadata"]["name"]
        pytorch = pod["containers"][0]
        assert pytorch["command"] == ["bash", "/etc/pytorchjob/entrypoint.sh"]
        assert pytorch["args"] == ["torchrun", "train.py", "--epochs", "1"]


def test_git_source_and_volumes_reach_every_replica(case):
    (_, _, _, source), result = case
    for replica in result.job["spec"]["pytorchReplicaSpecs"].values():
        pod = replica["template"]["spec"]
        claims = {v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"] if "persistentVolumeClaim" in v}
        mounts = {m["mountPath"] for m in pod["containers"][0]["volumeMounts"]}
        if source == "git-volumes":
            (clone,) = pod["initContainers"]
            env = {e["name"]: e["value"] for e in clone["env"]}
            assert env["GIT_COMMIT"] == "0123456789abcdef0123456789abcdef01234567"
            assert env["GIT_BRANCH"] == "release-1"
            assert pod["containers"][0]["workingDir"] == "/workspace/code"
            assert claims == {"fsx-claim", "efs-claim"}
            assert {"/fsx", "/data", "/workspace", "/dev/shm"} <= mounts
        else:
            assert "initContainers" not in pod and claims == set()
            assert mounts == {"/etc/pytorchjob"}


def test_strict_crd_schema_catches_a_misspelt_field(helm, pytorchjob_schema):
    """Guards the test above: a typo in a rendered job must be caught, not pruned silently."""
    job = helm.template("pytorchjob-distributed", values_for("plain", 2, "image-only")).job
    job["spec"]["pytorchReplicaSpecs"]["Master"]["restart_policy"] = "OnFailure"
    job["spec"]["runPolicy"]["backoffLimit"] = "3"
    messages = [e.message for e in jsonschema.Draft7Validator(pytorchjob_schema).iter_errors(job)]
    assert any("restart_policy" in m for m in messages) and any("'3' is not of type 'integer'" in m for m in messages)
