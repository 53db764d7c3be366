"""hyperpod-nodes reboot and replace against the SageMaker stand-in: per-node results, batches, refusals."""

import json
from collections import deque

import pytest

from hyperpod.nodes.cli import main
from tests.nodes.conftest import CLUSTER, Terminal, node


@pytest.fixture
def cluster(stub):
    stub.add_cluster(CLUSTER, {"gpu": 30, "cpu": 2})
    return stub


def test_reboot_reports_each_node(cluster, capsys):
    code = main(["reboot", CLUSTER, node("gpu", 0), node("cpu", 1), "--yes"])
    out, err = capsys.readouterr()
    assert code == 0, err
    [(_, body)] = cluster.calls("BatchRebootClusterNodes")
    assert body == {"ClusterName": CLUSTER, "NodeIds": [node("gpu", 0), node("cpu", 1)]}
    assert f"{CLUSTER}: reboot 2 of 2 nodes accepted" in out
    assert f"{node('gpu', 0)}  gpu    rebooting" in out


def test_partial_failure_names_each_failed_node_and_exits_1(cluster, capsys):
    cluster.node_failures[node("gpu", 1)] = ("InstanceIdInUse", "another operation holds the instance")
    cluster.node_failures[node("gpu", 2)] = ("InvalidInstanceStatus", "instance is Pending")
    code = main(["reboot", CLUSTER, node("gpu", 0), node("gpu", 1), node("gpu", 2), "--yes", "--json"])
    out, err = capsys.readouterr()
    assert code == 1
    report = json.loads(out)
    assert (report["succeeded"], report["failed"]) == (1, 2)
    assert [(n["instance_id"], n["code"], n["message"]) for n in report["nodes"]] == [
        (node("gpu", 0), None, None),
        (node("gpu", 1), "InstanceIdInUse", "another operation holds the instance"),
        (node("gpu", 2), "InvalidInstanceStatus", "instance is Pending")]
    assert (f"hyperpod-nodes: 2 of 3 node(s) failed: {node('gpu', 1)} InstanceIdInUse; {node('gpu', 2)} "
            "InvalidInstanceStatus") in err


def test_more_than_25_nodes_go_in_batches_of_25(cluster, capsys):
    nodes = [node("gpu", i) for i in range(30)]
    assert main(["reboot", CLUSTER, *nodes, "--yes"]) == 0, capsys.readouterr().err
    assert [len(body["NodeIds"]) for _, body in cluster.calls("BatchRebootClusterNodes")] == [25, 5]


def test_a_failed_second_batch_keeps_the_first_batch_results(cluster, capsys):
    nodes = [node("gpu", i) for i in range(30)]
    cluster.errors["BatchRebootClusterNodes"] = deque([None, (400, "AccessDeniedException", "denied")])
    code = main(["reboot", CLUSTER, *nodes, "--yes", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["succeeded"] == 25 and report["failed"] == 5
    assert {n["code"] for n in report["nodes"][25:]} == {"AccessDeniedException"}


def test_replace_states_the_data_loss_and_asks(cluster, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", Terminal("yes"))
    code = main(["replace", CLUSTER, node("cpu", 0)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("WARNING: Replacing a node destroys all of its instance volumes, the root volume and the "
                          "secondary one")
    assert "Replace these 1 node(s)? [y/N]" in err
    assert len(cluster.calls("BatchReplaceClusterNodes")) == 1


def test_replace_without_yes_or_a_terminal_is_refused(cluster, capsys):
    assert main(["replace", CLUSTER, node("cpu", 0)]) == 2
    assert "stdin is not a terminal; pass --yes" in capsys.readouterr().err
    assert cluster.calls("BatchReplaceClusterNodes") == []


def test_access_denied_exits_3_with_the_reason(cluster, capsys):
    cluster.errors["BatchReplaceClusterNodes"] = deque([(400, "AccessDeniedException", "User is not authorized")])
    assert main(["replace", CLUSTER, node("cpu", 0), "--yes"]) == 3
    assert capsys.readouterr().err == ("hyperpod-nodes: SageMaker refused BatchReplaceClusterNodes: "
                                       "AccessDeniedException: User is not authorized\n")


def test_throttled_reboot_is_retried(cluster, backoffs, capsys):
    cluster.errors["BatchRebootClusterNodes"] = deque([(400, "ThrottlingException", "Rate exceeded")])
    assert main(["reboot", CLUSTER, node("cpu", 0), "--yes"]) == 0, capsys.readouterr().err
    assert len(cluster.calls("BatchRebootClusterNodes")) == 2 and len(backoffs) == 1


def test_unknown_nodes_refuse_the_whole_command(cluster, capsys):
    code = main(["reboot", CLUSTER, node("cpu", 0), "i-0123456789abcdef0", "i-0fedcba9876543210", "--yes"])
    assert code == 2
    assert capsys.readouterr().err == (
        f"hyperpod-nodes: NODE: i-0123456789abcdef0, i-0fedcba9876543210 are not nodes of cluster {CLUSTER} (see "
        f"hyperpod-nodes list {CLUSTER}); nothing was done\n")
    assert cluster.calls("BatchRebootClusterNodes") == []


def test_dry_run_makes_read_only_calls(cluster, capsys):
    assert main(["replace", CLUSTER, node("cpu", 0), "--dry-run", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["dry_run"] is True and plan["nodes"][0]["instance_id"] == node("cpu", 0)
    assert {op for op, _ in cluster.requests} == {"DescribeCluster", "ListClusterNodes"}


def test_unknown_cluster_is_a_usage_error(stub, capsys):
    assert main(["reboot", "no-such-cluster", "i-0123456789abcdef0", "--yes"]) == 2
    assert "CLUSTER: no HyperPod cluster 'no-such-cluster' in us-west-2" in capsys.readouterr().err
