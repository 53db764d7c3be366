"""hyperpod-nodes health-check: the StartClusterHealthCheck request it builds, and what it refuses."""

import json

import pytest

from hyperpod.nodes.cli import main
from tests.nodes.conftest import CLUSTER, node


@pytest.fixture
def cluster(stub):
    stub.add_cluster(CLUSTER, {"gpu": 3, "single": 1})
    return stub


def _requests(stub):
    return [body["DeepHealthCheckConfigurations"] for _, body in stub.calls("StartClusterHealthCheck")]


def test_a_group(cluster, capsys):
    assert main(["health-check", CLUSTER, "--group", "gpu", "--checks", "InstanceStress,InstanceConnectivity",
                 "--yes"]) == 0
    assert _requests(cluster) == [[{"InstanceGroupName": "gpu",
                                    "DeepHealthChecks": ["InstanceStress", "InstanceConnectivity"]}]]
    out = capsys.readouterr().out
    assert "group gpu: all 3 nodes" in out and "deep health checks started" in out


def test_named_nodes_grouped_by_their_group(cluster, capsys):
    assert main(["health-check", CLUSTER, node("gpu", 2), node("single", 0), node("gpu", 0), "--checks",
                 "InstanceStress", "--yes"]) == 0
    assert _requests(cluster) == [[
        {"InstanceGroupName": "gpu", "InstanceIds": [node("gpu", 2), node("gpu", 0)],
         "DeepHealthChecks": ["InstanceStress"]},
        {"InstanceGroupName": "single", "InstanceIds": [node("single", 0)], "DeepHealthChecks": ["InstanceStress"]}]]


def test_every_group_by_default_with_a_note_on_connectivity(cluster, capsys):
    assert main(["health-check", CLUSTER, "--checks", "InstanceConnectivity", "--dry-run", "--json"]) == 0
    captured = capsys.readouterr()
    plan = json.loads(captured.out)
    assert [c["InstanceGroupName"] for c in plan["configurations"]] == ["gpu", "single"]
    assert "note: InstanceConnectivity needs 2 or more instances; group single has 1 here" in captured.err
    assert cluster.calls("StartClusterHealthCheck") == []


def test_groups_without_gpu_or_trainium_are_refused(stub, capsys):
    stub.add_cluster(CLUSTER, {"cpu": 2}, instance_type="ml.m5.2xlarge")
    assert main(["health-check", CLUSTER, "--group", "cpu", "--checks", "InstanceStress", "--yes"]) == 2
    assert ("health-check refused, nothing started: group cpu runs ml.m5.2xlarge, which has no GPU or Trainium"
            in capsys.readouterr().err)
    assert stub.calls("StartClusterHealthCheck") == []


@pytest.mark.parametrize("argv, message", [
    (["--checks", "InstanceStres"], "--checks: 'InstanceStres' is not a list of deep health checks; allowed: one or "
                                    "more of InstanceStress, InstanceConnectivity, MultiNodeTrainingValidation"),
    (["--checks", ","], "--checks: ',' is not a list of deep health checks"),
    (["--group", "gpu", "i-0123456789abcdef0", "--checks", "InstanceStress"],
     "--group: give either --group or NODE..., not both"),
    (["--group", "nope", "--checks", "InstanceStress"], "--group: 'nope' is not an instance group of ml-cluster; "
                                                        "it has: gpu, single"),
])
def test_bad_requests(cluster, capsys, argv, message):
    assert main(["health-check", CLUSTER, *argv, "--yes"]) == 2
    assert message in capsys.readouterr().err
    assert cluster.calls("StartClusterHealthCheck") == []
