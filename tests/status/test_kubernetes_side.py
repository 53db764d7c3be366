"""Kubernetes side of hyperpod-status: the real kubernetes client against the fake API server."""

import json

import pytest

from tests.status import fake_kubernetes
from tests.status.conftest import REGION, free_port, healthy_kubernetes
from tests.status.moto_launcher import instance_id
from tests.status.test_sagemaker_side import check, run, status_json

GROUPS = {"worker": 3}


@pytest.fixture
def cluster(clusters, kube):
    name = clusters.create(GROUPS)
    healthy_kubernetes(kube, name, GROUPS)
    return name


def set_node(kube, cluster, index, **overrides):
    name = f"hyperpod-{instance_id(cluster, 'worker', index)}"
    with kube.state.lock:
        kube.state.nodes = [fake_kubernetes.node(name, cluster, "worker", **overrides)
                            if n["metadata"]["name"] == name else n for n in kube.state.nodes]
    return name


def unschedulable(report):
    return {n["name"]: n for n in report["unschedulable_nodes"]}


def test_unschedulable_node_running_deep_checks_is_progress(cluster, kube, capsys):
    node = set_node(kube, cluster, 1, health="Unschedulable", deep="InProgress")

    code, report, _ = status_json(capsys, cluster, kube)

    assert code == 1 and report["verdict"] == "progressing"
    assert report["schedulable_nodes"] == 2
    group = check(report, "kubernetes: group worker")
    assert group["status"] == "pending"
    assert group["detail"] == ("3 nodes, 3 Ready; 2 Schedulable, 1 Unschedulable; "
                               "deep health check 1 InProgress, 2 Passed")
    assert unschedulable(report)[node]["reasons"] == ["deep health check InProgress"]


def test_pending_replacement_is_unhealthy_and_listed(cluster, kube, capsys):
    node = set_node(kube, cluster, 0, health="UnschedulablePendingReplacement", deep="Failed")

    code, out, _ = run(capsys, cluster, "--region", REGION, "--kubeconfig", kube.kubeconfig)

    assert code == 1
    assert ": UNHEALTHY" in out
    assert "Nodes not schedulable:" in out
    row = next(line for line in out.splitlines() if line.strip().startswith(node))
    assert "UnschedulablePendingReplacement" in row and "deep health check Failed" in row


def test_pending_reboot_fails(cluster, kube, capsys):
    node = set_node(kube, cluster, 2, health="UnschedulablePendingReboot")

    code, report, _ = status_json(capsys, cluster, kube)

    assert code == 1 and report["verdict"] == "unhealthy"
    assert unschedulable(report)[node]["status"] == "fail"


def test_deep_health_check_in_progress_alone_blocks(cluster, kube, capsys):
    node = set_node(kube, cluster, 0, health="Schedulable", deep="InProgress")

    code, report, _ = status_json(capsys, cluster, kube)

    assert code == 1 and report["verdict"] == "progressing"
    assert unschedulable(report)[node]["reasons"] == ["deep health check InProgress"]


def test_deep_health_check_failed_fails(cluster, kube, capsys):
    node = set_node(kube, cluster, 0, health="Schedulable", deep="Failed")

    code, report, _ = status_json(capsys, cluster, kube)

    assert code == 1 and report["verdict"] == "unhealthy"
    assert unschedulable(report)[node]["deep_health_check_status"] == "Failed"


def test_not_ready_node_fails_with_kubelet_reason(cluster, kube, capsys):
    node = set_node(kube, cluster, 0, ready=False)

    code, report, _ = status_json(capsys, cluster, kube)

    assert code == 1 and report["verdict"] == "unhealthy"
    assert unschedulable(report)[node]["reasons"] == ["NotReady (KubeletNotReady)"]


def test_no_deep_health_label_is_fine_on_cpu_groups(clusters, kube, capsys):
    # Deep health checks only run on GPU and Trainium instances: no label must not mean unhealthy.
    groups = {"cpu": 2}
    name = clusters.create(groups, instance_type="ml.m5.2xlarge")
    healthy_kubernetes(kube, name, groups,
                       {("cpu", i): {"deep": None, "instance_type": "ml.m5.2xlarge"} for i in range(2)})

    code, report, _ = status_json(capsys, name, kube)

    assert code == 0, report
    assert check(report, "kubernetes: group cpu")["detail"] == "2 nodes, 2 Ready; 2 Schedulable"


def test_agent_daemonset_not_ready_fails(cluster, kube, capsys):
    with kube.state.lock:
        kube.state.daemonsets[0] = fake_kubernetes.daemonset("health-monitoring-agent", 3, 1)

    code, report, _ = status_json(capsys, cluster, kube)

    assert code == 1 and report["verdict"] == "unhealthy"
    assert check(report, "kubernetes: daemonset health-monitoring-agent") == {
        "name": "kubernetes: daemonset health-monitoring-agent", "status": "fail",
        "detail": "1 of 3 pods ready in aws-hyperpod", "deciding": True}


def test_missing_agent_daemonset_fails(cluster, kube, capsys):
    with kube.state.lock:
        kube.state.daemonsets = [fake_kubernetes.daemonset("health-monitoring-agent", 3, 3,
                                                           namespace="kube-system")]

    code, report, _ = status_json(capsys, cluster, kube)

    assert code == 1
    assert check(report, "kubernetes: health monitoring agent")["detail"] == (
        "no health-monitoring-agent DaemonSet in aws-hyperpod")


def test_missing_release_fails_naming_release_and_namespace(cluster, kube, capsys):
    with kube.state.lock:
        kube.state.secrets = [fake_kubernetes.helm_secret("other-release", 1)]

    code, report, _ = status_json(capsys, cluster, kube)

    assert code == 1 and report["verdict"] == "unhealthy"
    assert check(report, "kubernetes: helm release")["detail"] == (
        "release hyperpod-dependencies not found in namespace kube-system")


def test_release_name_and_namespace_are_options(cluster, kube, capsys):
    with kube.state.lock:
        kube.state.secrets = [fake_kubernetes.helm_secret("hyperpod", 4, namespace="hyperpod-system")]
        # The device plugins are named after the release; the EFA one follows it into its namespace.
        kube.state.daemonsets += [
            fake_kubernetes.daemonset("hyperpod-nvidia-device-plugin", 3, 3, namespace="kube-system"),
            fake_kubernetes.daemonset("hyperpod-aws-efa-k8s-device-plugin", 3, 3, namespace="hyperpod-system")]

    code, report, _ = status_json(capsys, cluster, kube, "--release-name", "hyperpod",
                                  "--release-namespace", "hyperpod-system")

    assert code == 0, report
    assert check(report, "kubernetes: daemonset hyperpod-aws-efa-k8s-device-plugin")["detail"] == (
        "3 of 3 pods ready in hyperpod-system")
    assert check(report, "kubernetes: helm release")["detail"] == (
        "hyperpod in hyperpod-system: deployed, revision 4")
    assert any("labelSelector=owner%3Dhelm%2Cname%3Dhyperpod" in p for p in kube.state.requests)


def test_failed_release_revision_fails(cluster, kube, capsys):
    with kube.state.lock:
        kube.state.secrets.append(fake_kubernetes.helm_secret("hyperpod-dependencies", 3, "failed"))

    code, report, _ = status_json(capsys, cluster, kube)

    assert code == 1
    assert check(report, "kubernetes: helm release")["detail"] == (
        "hyperpod-dependencies in kube-system: failed, revision 3")


def test_node_unknown_to_sagemaker_fails_the_sync_check(cluster, kube, capsys):
    stale = "hyperpod-i-0ffffffffffffffff"
    with kube.state.lock:
        kube.state.nodes.append(fake_kubernetes.node(stale, cluster, "worker", deep="Passed"))

    code, report, _ = status_json(capsys, cluster, kube)

    assert code == 1
    assert check(report, "nodes: sagemaker vs kubernetes") == {
        "name": "nodes: sagemaker vs kubernetes", "status": "fail",
        "detail": f"unknown to SageMaker: {stale}", "deciding": True}


def test_running_node_missing_from_kubernetes_fails(cluster, kube, capsys):
    gone = f"hyperpod-{instance_id(cluster, 'worker', 1)}"
    with kube.state.lock:
        kube.state.nodes = [n for n in kube.state.nodes if n["metadata"]["name"] != gone]

    code, report, _ = status_json(capsys, cluster, kube)

    assert code == 1
    assert check(report, "nodes: sagemaker vs kubernetes")["detail"] == (
        f"not in Kubernetes: {gone.removeprefix('hyperpod-')}")
    assert check(report, "nodes: sagemaker vs kubernetes")["status"] == "fail"


def test_nodes_of_another_hyperpod_cluster_are_ignored(cluster, kube, capsys):
    with kube.state.lock:
        kube.state.nodes.append(fake_kubernetes.node("hyperpod-i-0aaaaaaaaaaaaaaaa", "other-cluster",
                                                     "worker", ready=False))

    code, report, _ = status_json(capsys, cluster, kube)

    assert code == 0, report


def test_min_schedulable_makes_node_checks_informational(cluster, kube, capsys):
    set_node(kube, cluster, 0, health="UnschedulablePendingReplacement")

    code, report, _ = status_json(capsys, cluster, kube, "--min-schedulable", "2")

    assert code == 0, report
    assert check(report, "kubernetes: schedulable nodes")["detail"] == "2 schedulable, need 2"
    group = check(report, "kubernetes: group worker")
    assert group["status"] == "fail" and group["deciding"] is False


def test_forbidden_api_exits_three(cluster, kube, capsys):
    kube.state.fail_with = 403

    code, out, err = run(capsys, cluster, "--region", REGION, "--kubeconfig", kube.kubeconfig)

    assert code == 3 and out == ""
    assert err == "hyperpod-status: Kubernetes API refused listing nodes: HTTP 403 Forbidden\n"


def test_unreachable_api_exits_three(cluster, kube, tmp_path, capsys):
    config = tmp_path / "dead-kubeconfig"
    config.write_text(open(kube.kubeconfig).read().replace(kube.url, f"http://127.0.0.1:{free_port()}"))

    code, _, err = run(capsys, cluster, "--region", REGION, "--kubeconfig", str(config))

    assert code == 3
    assert err.startswith("hyperpod-status: could not reach the Kubernetes API at http://127.0.0.1:")
    assert err.count("\n") == 1 and "Connection refused" in err


def test_unknown_context_is_a_usage_error(cluster, kube, capsys):
    code, out, err = run(capsys, cluster, "--region", REGION, "--kubeconfig", kube.kubeconfig,
                         "--context", "nope", "--json")

    assert code == 2
    assert json.loads(out)["exit_code"] == 2
    assert err == f"hyperpod-status: --context: 'nope' is not in {kube.kubeconfig}; it has: hyperpod-test\n"


def test_malformed_kubeconfig_is_a_usage_error(cluster, tmp_path, capsys):
    config = tmp_path / "kubeconfig"
    config.write_text("apiVersion: v1\nkind: Config\nclusters: []\n")

    code, _, err = run(capsys, cluster, "--region", REGION, "--kubeconfig", str(config))

    assert code == 2
    assert err.startswith(f"hyperpod-status: kubeconfig {config}: ") and err.count("\n") == 1


def test_unschedulable_without_deep_check_and_missing_label_are_pending(cluster, kube, capsys):
    waiting = set_node(kube, cluster, 0, health="Unschedulable", deep=None)
    fresh = set_node(kube, cluster, 1, health=None, deep=None)

    code, report, err = status_json(capsys, cluster, kube)

    assert code == 1 and report["verdict"] == "progressing"
    assert unschedulable(report)[waiting]["reasons"] == ["Unschedulable"]
    assert unschedulable(report)[fresh]["reasons"] == ["no node-health-status label yet"]
    assert err.startswith("hyperpod-status: progressing: kubernetes: group worker (pending: 3 nodes, ")


def test_cordoned_node_fails(cluster, kube, capsys):
    node = set_node(kube, cluster, 2, deep="Passed", cordoned=True)

    code, report, _ = status_json(capsys, cluster, kube)

    assert code == 1 and report["verdict"] == "unhealthy"
    assert unschedulable(report)[node]["reasons"] == ["cordoned"]
