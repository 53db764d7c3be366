"""Every chart x operator x values combination renders objects the Kubernetes API and the operator would accept;
the combinations the charts refuse fail with their message."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import jsonschema
import pytest

from . import kubernetes_rules as rules
from .cases import HYPERPODRUN_ARGS, INVALID, MATRIX, case_id, pod_templates, values_for

HEALTH = "sagemaker.amazonaws.com/node-health-status"
DEEP_HEALTH = "sagemaker.amazonaws.com/deep-health-check-status"
INSTANCE_GROUP = "sagemaker.amazonaws.com/instance-group-name"


def render(helm, case):
    chart, operator, mode, nnodes, source = case
    return helm.template(chart, values_for(mode, nnodes, source, operator), release=f"job-{nnodes}")


@pytest.fixture(scope="module")
def rendered(helm) -> dict:
    """All matrix renders, valid and invalid, run in parallel (each helm call is a separate process)."""
    cases = MATRIX + INVALID
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(cases, pool.map(lambda c: render(helm, c), cases)))


@pytest.fixture(params=MATRIX, ids=case_id)
def case(request, rendered):
    result = rendered[request.param]
    assert result.returncode == 0, result.stderr
    return request.param, result


@pytest.mark.parametrize("invalid", INVALID, ids=case_id)
def test_hyperpod_operator_without_hyperpod_mode_fails_naming_the_value(rendered, invalid):
    result = rendered[invalid]
    assert result.returncode != 0 and result.stdout == ""
    assert 'hyperpod.operator: "hyperpod" needs hyperpod.enabled: true' in result.stderr, result.stderr


def test_renders_one_job_of_the_operators_kind_and_its_scripts_configmap(case):
    (_, operator, *_), result = case
    kind, api = {"kubeflow": ("PyTorchJob", "kubeflow.org/v1"),
                 "hyperpod": ("HyperPodPyTorchJob", "sagemaker.amazonaws.com/v1")}[operator]
    assert sorted(d["kind"] for d in result.docs) == sorted(["ConfigMap", kind])
    assert result.workload["apiVersion"] == api


def test_no_value_left_undefined(case):
    """helm lint --strict does not catch a template reading an undefined value; the rendered text shows it."""
    _, result = case
    assert "<no value>" not in result.stdout and "%!" not in result.stdout


def test_job_matches_its_schema(case, pytorchjob_schema, hyperpodpytorchjob_schema):
    """PyTorchJob: the Kubeflow CRD. HyperPodPyTorchJob: the fields AWS documents (tests/charts/data/SOURCE.md)."""
    (_, operator, *_), result = case
    schema = pytorchjob_schema if operator == "kubeflow" else hyperpodpytorchjob_schema
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(result.workload), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_objects_meet_kubernetes_naming_and_label_rules(case):
    _, result = case
    problems = []
    for obj in result.docs:
        problems += rules.object_meta(obj)
    for name, template in pod_templates(result.workload).items():
        problems += rules.pod_template(template, name)
    assert not problems, "\n".join(problems)


def test_the_operator_would_admit_the_job(case):
    (_, operator, *_), result = case
    if operator == "kubeflow":
        assert rules.pytorchjob_admission(result.job) == []
    else:
        assert rules.hyperpodpytorchjob_admission(result.hyperpod_job) == []


def test_replica_counts_follow_nnodes(case):
    (chart, operator, _, nnodes, _), result = case
    spec = result.workload["spec"]
    if operator == "hyperpod":
        assert spec["nprocPerNode"] == "8"
        (replica,) = spec["replicaSpecs"]
        assert (replica["name"], replica["replicas"]) == ("worker", nnodes)
        if chart == "pytorchjob-distributed":
            assert "elasticPolicy" not in spec and "maxReplicas" not in replica
        else:
            assert spec["elasticPolicy"] == {"minReplicas": 1, "maxReplicas": nnodes, "replicaIncrementStep": 1}
            assert replica["maxReplicas"] == nnodes
        return
    replicas = {rtype: r["replicas"] for rtype, r in spec["pytorchReplicaSpecs"].items()}
    if chart == "pytorchjob-distributed":
        assert replicas == ({"Master": 1} if nnodes == 1 else {"Master": 1, "Worker": nnodes - 1})
        assert spec["nprocPerNode"] == "8"
    else:
        policy = spec["elasticPolicy"]
        assert replicas == {"Worker": nnodes}
        assert (policy["minReplicas"], policy["maxReplicas"]) == (1, nnodes)
        assert policy["rdzvBackend"] == "c10d" and policy["nProcPerNode"] == 8
        assert {"key": "join_timeout", "value": "1800"} in policy["rdzvConf"]


def test_recovery_follows_auto_resume(case):
    """kubeflow: HyperPod's job auto-resume annotations; hyperpod: the operator's runPolicy, never the annotations."""
    (_, operator, mode, _, _), result = case
    job = result.workload
    annotations = job["metadata"].get("annotations", {})
    if operator == "kubeflow":
        resumes = mode == "hyperpod-resume"
        assert (annotations.get("sagemaker.amazonaws.com/enable-job-auto-resume") == "true") == resumes
        return
    assert annotations == {}
    run_policy = job["spec"]["runPolicy"]
    assert run_policy["cleanPodPolicy"] == "None"
    if mode == "hyperpod-resume":
        assert run_policy["jobMaxRetryCount"] == 5
        assert run_policy["restartPolicy"] == {"evalPeriodSeconds": 21600, "numRestartBeforeFullJobRestart": 3,
                                               "maxFullJobRestarts": 1}
        rules_by_name = {r["name"]: r for r in run_policy["logMonitoringConfiguration"]}
        assert rules_by_name["LossSpike"] == {"name": "LossSpike", "logPattern": ".*'loss': (\\d+(\\.\\d+)?).*",
                                              "metricThreshold": 2.5, "operator": "gt",
                                              "metricEvaluationDataPoints": 5}
        assert rules_by_name["OOM"]["faultOnMatch"] is True
        assert rules_by_name["JobStart"]["expectedStartCutOffInSeconds"] == 600
    else:
        assert run_policy == {"cleanPodPolicy": "None"}


def test_hyperpod_contracts_hold_for_both_kinds(case):
    (_, operator, mode, _, source), result = case
    for template in pod_templates(result.workload).values():
        pod = template["spec"]
        assert all(t.get("key") != HEALTH for t in pod.get("tolerations", []))
        if mode == "plain":
            assert pod["nodeSelector"] == {"node.kubernetes.io/instance-type": "p4d.24xlarge"}
            assert "affinity" not in pod
            continue
        assert pod["nodeSelector"]["node.kubernetes.io/instance-type"] == "ml.p4d.24xlarge"
        grouped = operator == "hyperpod" and source == "git-volumes"
        assert pod["nodeSelector"].get(INSTANCE_GROUP) == ("gpu-p4d" if grouped else None)
        affinity = pod["affinity"]["nodeAffinity"]
        (term,) = affinity["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
        assert term["matchExpressions"] == [{"key": HEALTH, "operator": "In", "values": ["Schedulable"]}]
        (preferred,) = affinity["preferredDuringSchedulingIgnoredDuringExecution"]
        assert preferred["preference"]["matchExpressions"] == [
            {"key": DEEP_HEALTH, "operator": "In", "values": ["Passed"]}]


def test_launcher_port_and_variables_follow_the_operator(case):
    (chart, operator, _, nnodes, _), result = case
    for template in pod_templates(result.workload).values():
        (pytorch,) = template["spec"]["containers"]
        env = {e["name"]: e.get("value") for e in pytorch.get("env", [])}
        if operator == "kubeflow":
            assert pytorch["ports"] == [{"name": "pytorchjob-port", "containerPort": 23456, "protocol": "TCP"}]
            assert not any(name.startswith("PYTORCHJOB_") for name in env)
        else:
            assert pytorch["ports"] == [{"containerPort": 8080, "protocol": "TCP"}]
            expected = str(nnodes) if chart == "pytorchjob-distributed" else f"1:{nnodes}"
            assert env["PYTORCHJOB_NNODES"] == expected and env["PYTORCHJOB_NPROC_PER_NODE"] == "8"
        assert env["NCCL_DEBUG"] == "INFO"


def test_task_governance_labels(case):
    (_, operator, mode, _, source), result = case
    labels = result.workload["metadata"]["labels"]
    kueue = {k: v for k, v in labels.items() if k.startswith("kueue.x-k8s.io/")}
    if operator == "hyperpod" and mode != "plain" and source == "git-volumes":
        assert kueue == {"kueue.x-k8s.io/queue-name": "hyperpod-ns-ml-research-localqueue",
                         "kueue.x-k8s.io/priority-class": "training-priority"}
    else:
        assert kueue == {}


def test_configmap_mounted_by_every_replica_is_the_rendered_one(case):
    (_, operator, _, _, source), result = case
    (configmap,) = result.of_kind("ConfigMap")
    assert ("clone.sh" in configmap["data"]) == (source == "git-volumes")
    launcher = ["torchrun"] if operator == "kubeflow" else ["hyperpodrun", *HYPERPODRUN_ARGS]
    for template in pod_templates(result.workload).values():
        pod = template["spec"]
        (scripts,) = [v for v in pod["volumes"] if v["name"] == "scripts"]
        assert scripts["configMap"]["name"] == configmap["metadata"]["name"]
        pytorch = pod["containers"][0]
        assert pytorch["command"] == ["bash", "/etc/pytorchjob/entrypoint.sh"]
        assert pytorch["args"] == [*launcher, "train.py", "--epochs", "1"]


def test_git_source_and_volumes_reach_every_replica(case):
    (*_, source), result = case
    for template in pod_templates(result.workload).values():
        pod = template["spec"]
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
    """Guards the schema test: a typo in a rendered job must be caught, not pruned silently."""
    job = helm.template("pytorchjob-distributed", values_for("plain", 2, "image-only")).job
    job["spec"]["pytorchReplicaSpecs"]["Master"]["restart_policy"] = "OnFailure"
    job["spec"]["runPolicy"]["backoffLimit"] = "3"
    messages = [e.message for e in jsonschema.Draft7Validator(pytorchjob_schema).iter_errors(job)]
    assert any("restart_policy" in m for m in messages) and any("'3' is not of type 'integer'" in m for m in messages)


@pytest.mark.parametrize("breakage, message", [
    (lambda s: s.update(nprocPerNode=8), "8 is not of type 'string'"),
    (lambda s: s["runPolicy"].update(jobMaxRetryCount="5"), "'5' is not of type 'integer'"),
    (lambda s: s["runPolicy"].update(restartPolicy={"maxFullJobRestarts": 1}), "'evalPeriodSeconds' is a required"),
    (lambda s: s["runPolicy"].update(cleanPodPolicy="Running"), "'Running' is not one of"),
    (lambda s: s["runPolicy"]["logMonitoringConfiguration"][0].update(operator="ge"), "'ge' is not one of"),
    (lambda s: s["runPolicy"].update(log_monitoring=[]), "'log_monitoring' was unexpected"),
    (lambda s: s["elasticPolicy"].update(replicaDiscreteValues=[2, 4]), "should not be valid"),
    (lambda s: s["replicaSpecs"][0]["template"]["spec"]["containers"][0].update(image_name="x"),
     "'image_name' was unexpected"),
    (lambda s: s["replicaSpecs"][0].pop("name"), "'name' is a required property"),
])
def test_hyperpod_schema_catches_what_the_operator_would_refuse(helm, hyperpodpytorchjob_schema, breakage, message):
    """Guards the schema test for the kind whose schema is hand-written: each of these mistakes must be caught."""
    values = values_for("hyperpod-resume", 2, "image-only", "hyperpod")
    result = helm.template("pytorchjob-elastic", values)
    assert result.returncode == 0, result.stderr
    job = result.hyperpod_job
    assert list(jsonschema.Draft7Validator(hyperpodpytorchjob_schema).iter_errors(job)) == []
    breakage(job["spec"])
    messages = [e.message for e in jsonschema.Draft7Validator(hyperpodpytorchjob_schema).iter_errors(job)]
    assert any(message in m for m in messages), messages
