"""hyperpod-status --events / --operations: HyperPod's own history, Continuous provisioning clusters only."""

import json
import time

import pytest

from hyperpod.status.cli import main
from tests.nodes.conftest import CLUSTER, node

HOUR = 3600


def _event(ago_hours: float, level: str, description: str, group: str | None = None, instance: str | None = None):
    return {"EventId": f"{int(ago_hours * 100):08x}-0000-4000-8000-000000000000", "ClusterName": CLUSTER,
            "ClusterArn": "arn:aws:sagemaker:us-west-2:123456789012:cluster/abcdef012345",
            "ResourceType": "Instance" if instance else "InstanceGroup" if group else "Cluster",
            "EventTime": time.time() - ago_hours * HOUR, "EventLevel": level, "Description": description,
            **({"InstanceGroupName": group} if group else {}), **({"InstanceId": instance} if instance else {})}


@pytest.fixture
def continuous(stub):
    stub.add_cluster(CLUSTER, {"gpu": 2}, mode="Continuous")
    stub.events += [
        _event(1, "Error", "Instance creation failed: insufficient capacity", "gpu", node("gpu", 1)),
        _event(2, "Info", "Scaling gpu from 1 to 2", "gpu"),
        _event(3, "Warn", "Node replaced", "cpu", "i-0fedcba9876543210"),
        _event(4, "Info", "Cluster update started"),
        _event(5, "Info", "Deep health check passed", "gpu", node("gpu", 0)),
        _event(30, "Info", "Cluster created"),
    ]
    stub.operations += [{"OperationId": "11111111-2222-4333-8444-555555555555", "Type": "Scaling", "Status": "Done",
                         "CreationTime": time.time() - 2 * HOUR},
                        {"OperationId": "66666666-7777-4888-8999-000000000000", "Type": "DeepHealthCheck",
                         "Status": "InProgress", "CreationTime": time.time() - 40 * HOUR}]
    return stub


def test_events_of_the_last_day_newest_first(continuous, capsys):
    assert main(["--events", CLUSTER, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [e["description"] for e in document["events"]] == [
        "Instance creation failed: insufficient capacity", "Scaling gpu from 1 to 2", "Node replaced",
        "Cluster update started", "Deep health check passed"]  # crosses the stub's pages of 3
    assert document["events"][0]["level"] == "Error" and document["events"][0]["instance_id"] == node("gpu", 1)
    [(_, request), *_] = continuous.calls("ListClusterEvents")
    assert request["EventTimeAfter"] == pytest.approx(time.time() - 24 * HOUR, abs=60)


def test_events_filtered_by_group_node_and_since(continuous, capsys):
    assert main(["--events", CLUSTER, "--group", "gpu", "--node", f"hyperpod-{node('gpu', 0)}", "--since", "6h"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith(f"HyperPod cluster {CLUSTER} (us-west-2): 1 events since ")
    assert "Deep health check passed" in out and "insufficient capacity" not in out
    [(_, request)] = continuous.calls("ListClusterEvents")
    assert (request["InstanceGroupName"], request["NodeId"]) == ("gpu", node("gpu", 0))


def test_operations(continuous, capsys):
    assert main(["--operations", CLUSTER, "--since", "72h"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "2 operations since" in lines[0]
    assert "Scaling" in lines[2] and "Done" in lines[2] and "DeepHealthCheck" in lines[3]


def test_standard_mode_clusters_say_so(stub, capsys):
    stub.add_cluster(CLUSTER, {"gpu": 2})
    assert main(["--events", CLUSTER]) == 2
    assert capsys.readouterr().err == (
        f"hyperpod-status: --events: cluster {CLUSTER} uses the standard node provisioning mode; HyperPod records "
        "cluster events only for clusters created with NodeProvisioningMode Continuous "
        "(hyperpod_node_provisioning_mode in the config)\n")
    assert stub.calls("ListClusterEvents") == []


def test_history_makes_read_only_calls(continuous, capsys):
    assert main(["--events", CLUSTER]) == 0
    assert main(["--operations", CLUSTER]) == 0
    assert {op for op, _ in continuous.requests} == {"DescribeCluster", "ListClusterEvents", "ListClusterOperations"}


def test_access_denied_exits_3(continuous, capsys):
    from collections import deque

    continuous.errors["ListClusterEvents"] = deque([(400, "AccessDeniedException", "no sagemaker:ListClusterEvents")])
    assert main(["--events", CLUSTER]) == 3
    assert "SageMaker refused ListClusterEvents: AccessDeniedException: no sagemaker:ListClusterEvents" in \
        capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["--since", "2h"], "--since: only with --events or --operations"),
    (["--events", "--since", "yesterday"], "--since: 'yesterday' is not a duration"),
    (["--operations", "--node", "i-0123456789abcdef0"], "--node: filters --events only"),
    (["--events", "--node", "node-7"], "--node: 'node-7' is not an instance id"),
    (["--events", "--group", "gpu_1"], "--group: 'gpu_1' is not an instance group name"),
    (["--events", "--operations"], "not allowed with argument"),
])
def test_bad_history_options(stub, capsys, argv, message):
    assert main([CLUSTER, *argv]) == 2
    assert message in capsys.readouterr().err
    assert stub.requests == []
