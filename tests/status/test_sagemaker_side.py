"""SageMaker side of hyperpod-status against a real moto server (see moto_launcher.py for its hooks)."""

import json

from hyperpod.status.cli import main
from tests.status.conftest import REGION, free_port, healthy_kubernetes
from tests.status.moto_launcher import instance_id


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def status_json(capsys, cluster, kube, *extra):
    code, out, err = run(capsys, cluster, "--region", REGION, "--kubeconfig", kube.kubeconfig,
                         "--json", *extra)
    return code, json.loads(out), err


def check(report, name):
    return next(c for c in report["checks"] if c["name"] == name)


def test_healthy_cluster_exits_zero_and_says_why(clusters, kube, capsys):
    groups = {"worker": 3, "controller": 1}
    cluster = clusters.create(groups)
    healthy_kubernetes(kube, cluster, groups)

    code, out, err = run(capsys, cluster, "--region", REGION, "--kubeconfig", kube.kubeconfig)

    assert code == 0, out + err
    assert f"HyperPod cluster {cluster} ({REGION}): HEALTHY" in out
    assert "sagemaker: group worker" in out and "3 of 3 instances (ml.g5.8xlarge)" in out
    assert "4 of 4 Running" in out
    assert "all 4 nodes known to both" in out
    assert "hyperpod-dependencies in kube-system: deployed, revision 2" in out
    assert "\033[" not in out  # captured output is not a terminal: no colour
    assert err == ""


def test_healthy_cluster_json_lists_every_check(clusters, kube, capsys):
    groups = {"worker": 2}
    cluster = clusters.create(groups)
    healthy_kubernetes(kube, cluster, groups)

    code, report, _ = status_json(capsys, cluster, kube)

    assert code == 0
    assert report["verdict"] == "healthy" and report["healthy"] is True
    assert report["schedulable_nodes"] == 2
    assert {c["status"] for c in report["checks"]} == {"pass"}
    assert report["sagemaker"]["instance_groups"] == [
        {"name": "worker", "instance_type": "ml.g5.8xlarge", "current": 2, "target": 2, "status": None}]
    assert sorted(n["instance_id"] for n in report["sagemaker"]["nodes"]) == sorted(
        instance_id(cluster, "worker", i) for i in range(2))


def test_creating_cluster_is_progressing_not_healthy(clusters, kube, capsys):
    groups = {"worker": 2}
    cluster = clusters.create(groups, tags={"test:ClusterStatus": "Creating"})
    healthy_kubernetes(kube, cluster, groups)

    code, report, err = status_json(capsys, cluster, kube)

    assert code == 1
    assert report["verdict"] == "progressing"
    assert check(report, "sagemaker: cluster") == {
        "name": "sagemaker: cluster", "status": "pending", "detail": "Creating", "deciding": True}
    assert err.count("\n") == 1 and "sagemaker: cluster (pending: Creating)" in err


def test_failed_cluster_reports_its_failure_message(clusters, kube, capsys):
    message = "Lifecycle script on_create.sh exited with 1 on instance group worker"
    cluster = clusters.create({"worker": 1}, tags={"test:ClusterStatus": "Failed",
                                                   "test:FailureMessage": message})
    healthy_kubernetes(kube, cluster, {"worker": 1})

    code, out, err = run(capsys, cluster, "--region", REGION, "--kubeconfig", kube.kubeconfig)

    assert code == 1
    assert ": UNHEALTHY" in out
    assert f"Failed: {message}" in out
    assert f"hyperpod-status: unhealthy: sagemaker: cluster (fail: Failed: {message})" in err
    assert "Traceback" not in err


def test_missing_cluster_is_named_with_its_region(clusters, kube, capsys):
    clusters.create({"worker": 1})  # another cluster exists; the one asked for does not

    code, report, err = status_json(capsys, "no-such-cluster", kube)

    assert code == 1
    assert check(report, "sagemaker: cluster")["detail"] == f"cluster no-such-cluster in {REGION} not found"
    assert report["sagemaker"]["found"] is False
    assert "Traceback" not in err


def test_hundreds_of_nodes_are_all_read_through_pagination(clusters, kube, capsys):
    groups = {"worker": 180, "spare": 90}  # > 100 per SageMaker page, > 250 per Kubernetes page
    cluster = clusters.create(groups)
    healthy_kubernetes(kube, cluster, groups)

    code, report, _ = status_json(capsys, cluster, kube)

    assert code == 0, report
    assert len(report["sagemaker"]["nodes"]) == 270
    assert len({n["instance_id"] for n in report["sagemaker"]["nodes"]}) == 270
    assert check(report, "sagemaker: nodes")["detail"] == "270 of 270 Running"
    assert check(report, "nodes: sagemaker vs kubernetes")["detail"] == "all 270 nodes known to both"
    assert report["schedulable_nodes"] == 270
    assert any("continue=" in path for path in kube.state.requests if path.startswith("/api/v1/nodes"))


def test_nodes_sagemaker_is_still_launching_are_progress(clusters, kube, capsys):
    groups = {"worker": 3}
    cluster = clusters.create(groups, tags={"test:NodeStatus:worker-2": "Pending"})
    healthy_kubernetes(kube, cluster, {"worker": 2})  # the pending one has not joined Kubernetes

    code, report, _ = status_json(capsys, cluster, kube)

    pending = instance_id(cluster, "worker", 2)
    assert code == 1 and report["verdict"] == "progressing"
    assert check(report, "sagemaker: nodes")["detail"] == f"2 of 3 Running; {pending} Pending"
    assert check(report, "nodes: sagemaker vs kubernetes") == {
        "name": "nodes: sagemaker vs kubernetes", "status": "pending",
        "detail": f"not in Kubernetes: {pending}", "deciding": True}


def test_failed_node_in_sagemaker_fails(clusters, kube, capsys):
    groups = {"worker": 2}
    cluster = clusters.create(groups, tags={"test:NodeStatus:worker-0": "Failure"})
    healthy_kubernetes(kube, cluster, groups)

    code, report, _ = status_json(capsys, cluster, kube)

    assert code == 1 and report["verdict"] == "unhealthy"
    assert check(report, "sagemaker: nodes")["status"] == "fail"
    assert f"{instance_id(cluster, 'worker', 0)} Failure" in check(report, "sagemaker: nodes")["detail"]


def test_unreachable_sagemaker_exits_three_with_one_line(kube, aws_env, capsys):
    dead = f"http://127.0.0.1:{free_port()}"

    code, out, err = run(capsys, "ml-cluster", "--region", REGION, "--kubeconfig", kube.kubeconfig,
                         "--endpoint-url", dead)

    assert code == 3
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"hyperpod-status: could not reach SageMaker in {REGION}: ")
    assert dead in err


def test_unreachable_sagemaker_with_json_still_prints_json(kube, aws_env, capsys):
    code, out, _ = run(capsys, "ml-cluster", "--region", REGION, "--kubeconfig", kube.kubeconfig,
                       "--endpoint-url", f"http://127.0.0.1:{free_port()}", "--json")

    assert code == 3
    document = json.loads(out)
    assert document["verdict"] == "error" and document["exit_code"] == 3
    assert document["reason"].startswith("could not reach SageMaker")


def test_missing_credentials_are_a_configuration_error(kube, aws_env, monkeypatch, capsys):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    # Keep botocore from asking the EC2 metadata service, which does not exist here.
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")

    code, _, err = run(capsys, "ml-cluster", "--region", REGION, "--kubeconfig", kube.kubeconfig)

    assert code == 2
    assert err.startswith("hyperpod-status: AWS credentials: Unable to locate credentials")
