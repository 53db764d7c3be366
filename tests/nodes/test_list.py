"""hyperpod-nodes list against moto's real server (which implements DescribeCluster and ListClusterNodes) and the fake
Kubernetes API of the status tests for the health labels."""

import json
from collections import deque

from hyperpod.nodes.cli import main
from tests.nodes.conftest import CLUSTER
from tests.status.conftest import REGION, healthy_kubernetes
from tests.status.moto_launcher import instance_id


def test_nodes_with_their_health_labels(clusters, kube, capsys):
    name = clusters.create({"gpu": 2, "cpu": 1}, tags={"test:NodeStatus:gpu-1": "Pending"})
    healthy_kubernetes(kube, name, {"gpu": 2, "cpu": 1},
                       node_overrides={("gpu", 0): {"health": "UnschedulablePendingReboot", "deep": "Failed"}})
    assert main(["list", name, "--region", REGION, "--kubeconfig", str(kube.kubeconfig), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    rows = {n["instance_id"]: n for n in document["nodes"]}
    assert len(rows) == 3 and document["kubernetes"] == {"read": True, "reason": None}
    gpu0 = rows[instance_id(name, "gpu", 0)]
    assert (gpu0["group"], gpu0["status"], gpu0["node_health_status"], gpu0["deep_health_check_status"]) == (
        "gpu", "Running", "UnschedulablePendingReboot", "Failed")
    assert rows[instance_id(name, "gpu", 1)]["status"] == "Pending"
    assert rows[instance_id(name, "cpu", 0)]["node_health_status"] == "Schedulable"


def test_table_and_group_filter(clusters, kube, capsys):
    name = clusters.create({"gpu": 2, "cpu": 1})
    healthy_kubernetes(kube, name, {"gpu": 2, "cpu": 1})
    assert main(["list", name, "--region", REGION, "--group", "cpu", "--kubeconfig", str(kube.kubeconfig)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"HyperPod cluster {name} ({REGION}): InService, 1 node"
    assert lines[1].split() == ["INSTANCE", "GROUP", "TYPE", "HEALTH", "DEEP", "CHECK", "STATUS"]
    assert lines[2].split() == [instance_id(name, "cpu", 0), "cpu", "ml.g5.8xlarge", "Schedulable", "Passed",
                                "Running"]


def test_without_kubernetes_the_sagemaker_view_stands(clusters, tmp_path, capsys, monkeypatch):
    name = clusters.create({"gpu": 1})
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    assert main(["list", name, "--region", REGION]) == 0
    out = capsys.readouterr().out
    assert instance_id(name, "gpu", 0) in out
    assert "Health labels not shown: kubeconfig" in out


def test_unknown_group_and_cluster(clusters, capsys):
    name = clusters.create({"gpu": 1})
    assert main(["list", name, "--region", REGION, "--group", "cpu"]) == 2
    assert f"--group: 'cpu' is not an instance group of {name}; it has: gpu" in capsys.readouterr().err
    assert main(["list", "no-such-cluster", "--region", REGION, "--json"]) == 2
    reason = json.loads(capsys.readouterr().out)["reason"]
    assert reason == "CLUSTER: no HyperPod cluster 'no-such-cluster' in us-west-2"


def test_logical_ids_of_nodes_still_provisioning(stub, capsys, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", "/nonexistent")
    stub.add_cluster(CLUSTER, {"gpu": 4}, mode="Continuous", pending={"gpu": 1})
    assert main(["list", CLUSTER, "--json"]) == 0
    nodes = json.loads(capsys.readouterr().out)["nodes"]
    assert len(nodes) == 5  # across the stub's pages of 3
    assert {"instance_id": None, "logical_id": "gpu-pending-0", "status": "Pending"}.items() <= nodes[-1].items()
    [request] = [body for op, body in stub.calls("ListClusterNodes")][:1]
    assert request["IncludeNodeLogicalIds"] is True


def test_list_is_read_only_and_throttling_is_retried_by_botocore(stub, capsys, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", "/nonexistent")
    stub.add_cluster(CLUSTER, {"gpu": 1})
    stub.errors["ListClusterNodes"] = deque([(400, "ThrottlingException", "Rate exceeded")])
    assert main(["list", CLUSTER]) == 0
    assert [op for op, _ in stub.requests] == ["DescribeCluster", "ListClusterNodes", "ListClusterNodes"]
