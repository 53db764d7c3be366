"""hyperpod-nodes remove against the SageMaker stand-in: deletes, lowers instance_count, refuses before deleting."""

import json
import threading
from collections import deque

import pytest

from hyperpod.nodes.cli import main
from tests.nodes.conftest import CLUSTER, Terminal, node, write_config


@pytest.fixture
def deployment(stub, tmp_path):
    """A cluster with gpu (4 nodes) and cpu (2 nodes), and the config that describes it."""
    stub.add_cluster(CLUSTER, {"gpu": 4, "cpu": 2})
    return write_config(tmp_path / "prod.tfvars.json", {"gpu": 4, "cpu": 2})


def _counts(path):
    return {g["name"]: g["instance_count"] for g in json.loads(path.read_text())["hyperpod_instance_groups"]}


def test_remove_deletes_and_lowers_the_count(stub, deployment, capsys):
    original = deployment.read_bytes()
    code = main(["remove", CLUSTER, node("gpu", 0), f"hyperpod-{node('gpu', 1)}", "--config", str(deployment),
                 "--yes"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert [body["NodeIds"] for _, body in stub.calls("BatchDeleteClusterNodes")] == [[node("gpu", 0), node("gpu", 1)]]
    assert _counts(deployment) == {"gpu": 2, "cpu": 2}
    assert deployment.read_bytes() == original.replace(b'"instance_count": 4', b'"instance_count": 2')
    assert (deployment.parent / "prod.tfvars.json.bak").read_bytes() == original
    assert "group gpu: instance_count 4 -> 2" in out
    assert "group gpu instance_count 4 -> 2 (previous file kept as prod.tfvars.json.bak)" in out


def test_partial_failure_lowers_by_what_was_deleted_and_exits_1(stub, deployment, capsys):
    stub.node_failures[node("gpu", 1)] = ("NodeIdInUse", "node is running a job")
    code = main(["remove", CLUSTER, node("gpu", 0), node("gpu", 1), "--config", str(deployment), "--yes", "--json"])
    out, err = capsys.readouterr()
    assert code == 1
    report = json.loads(out)
    assert [(n["instance_id"], n["ok"], n["code"]) for n in report["nodes"]] == [
        (node("gpu", 0), True, None), (node("gpu", 1), False, "NodeIdInUse")]
    assert report["nodes"][1]["message"] == "node is running a job"
    assert report["config"]["groups"] == [{"name": "gpu", "instance_count_before": 4, "instance_count_after": 3}]
    assert report["config"]["written"] is True
    assert _counts(deployment) == {"gpu": 3, "cpu": 2}
    assert f"1 of 2 node(s) failed: {node('gpu', 1)} NodeIdInUse" in err


def test_throttling_is_retried_with_backoff(stub, deployment, backoffs, capsys):
    stub.errors["BatchDeleteClusterNodes"] = deque(
        [(400, "ThrottlingException", "Rate exceeded")] * 2)
    code = main(["remove", CLUSTER, node("cpu", 0), "--config", str(deployment), "--yes"])
    assert code == 0, capsys.readouterr().err
    assert len(stub.calls("BatchDeleteClusterNodes")) == 3
    assert len(backoffs) == 2  # waited twice, the second time longer (0.5 s then 1 s, with jitter)
    assert 0.25 <= backoffs[0] <= 0.5 <= backoffs[1] <= 1.0
    assert _counts(deployment) == {"gpu": 4, "cpu": 1}


def test_throttling_that_never_ends_changes_nothing(stub, deployment, backoffs, capsys):
    original = deployment.read_bytes()
    stub.errors["BatchDeleteClusterNodes"] = deque(
        [(400, "ThrottlingException", "Rate exceeded")] * 10)
    code = main(["remove", CLUSTER, node("cpu", 0), "--config", str(deployment), "--yes"])
    err = capsys.readouterr().err
    assert code == 3
    assert "SageMaker refused BatchDeleteClusterNodes: ThrottlingException: Rate exceeded" in err
    assert len(stub.calls("BatchDeleteClusterNodes")) == 5
    assert deployment.read_bytes() == original


def test_access_denied_deletes_nothing_and_keeps_the_config(stub, deployment, capsys):
    original = deployment.read_bytes()
    stub.errors["BatchDeleteClusterNodes"] = deque(
        [(400, "AccessDeniedException", "not authorized to perform: sagemaker:BatchDeleteClusterNodes")])
    code = main(["remove", CLUSTER, node("cpu", 0), "--config", str(deployment), "--yes", "--json"])
    out, err = capsys.readouterr()
    assert code == 3
    assert json.loads(out) == {"ok": False, "exit_code": 3, "reason": (
        "SageMaker refused BatchDeleteClusterNodes: AccessDeniedException: not authorized to perform: "
        "sagemaker:BatchDeleteClusterNodes")}
    assert deployment.read_bytes() == original
    assert len(stub.clusters[CLUSTER].nodes) == 6


@pytest.mark.parametrize("nodes, groups, extra, message", [
    (["i-0123456789abcdef0"], None, {}, "NODE: i-0123456789abcdef0 is not a node of cluster ml-cluster"),
    (["gpu0"], {"cpu": 2}, {}, "is in instance group gpu, which"),
    (["gpu0", "gpu1", "gpu2"], None,
     {"hyperpod_instance_groups": [{"name": "gpu", "instance_type": "ml.g5.8xlarge", "instance_count": 4,
                                    "min_instance_count": 2}, {"name": "cpu", "instance_type": "ml.g5.8xlarge",
                                                               "instance_count": 2}]},
     "instance group gpu: instance_count 4 - 3 = 1 is below its min_instance_count 2"),
    (["cpu0"], None, {"hyperpod_autoscaling": {"enabled": True, "instance_groups": ["cpu"]}},
     "instance group cpu is scaled by Karpenter (hyperpod_autoscaling.instance_groups)"),
    (["cpu0"], None, {"hyperpod_cluster_name": "other-cluster"},
     "describes HyperPod cluster 'other-cluster', not 'ml-cluster'; nothing was deleted"),
])
def test_refusals_delete_nothing(stub, tmp_path, capsys, nodes, groups, extra, message):
    stub.add_cluster(CLUSTER, {"gpu": 4, "cpu": 2})
    path = write_config(tmp_path / "c.json", groups or {"gpu": 4, "cpu": 2}, **extra)
    original = path.read_bytes()
    arguments = [node(n[:3], int(n[3:])) if n[:3] in ("gpu", "cpu") else n for n in nodes]
    code = main(["remove", CLUSTER, *arguments, "--config", str(path), "--yes"])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert stub.calls("BatchDeleteClusterNodes") == []
    assert path.read_bytes() == original
    assert not (tmp_path / "c.json.bak").exists()


def test_config_changed_before_the_delete_refuses(stub, deployment, monkeypatch, capsys):
    def user_edits_the_file():
        deployment.write_text(deployment.read_text().replace('"ml-platform"', '"ml-platform-2"'))
    edited = deployment.read_text().replace('"ml-platform"', '"ml-platform-2"')
    monkeypatch.setattr("sys.stdin", Terminal("y", before_answer=user_edits_the_file))
    code = main(["remove", CLUSTER, node("cpu", 0), "--config", str(deployment)])
    err = capsys.readouterr().err
    assert code == 2
    assert "changed since it was read; nothing was deleted" in err
    assert stub.calls("BatchDeleteClusterNodes") == []
    assert deployment.read_text() == edited


def test_config_changed_during_the_delete_is_not_overwritten(stub, deployment, capsys):
    edited = deployment.read_text().replace('"ml-platform"', '"ml-platform-2"')
    stub.hooks["BatchDeleteClusterNodes"] = lambda body: deployment.write_text(edited)
    code = main(["remove", CLUSTER, node("cpu", 0), node("cpu", 1), "--config", str(deployment), "--yes"])
    err = capsys.readouterr().err
    assert code == 1
    assert deployment.read_text() == edited  # the user's edit wins; the count is theirs to fix
    assert (f"the nodes were deleted but {deployment} was not updated (--config: {deployment} changed since it was "
            "read); set instance_count of group cpu to 0 before the next apply") in err


def test_dry_run_and_missing_confirmation_change_nothing(stub, deployment, capsys):
    original = deployment.read_bytes()
    assert main(["remove", CLUSTER, node("gpu", 3), "--config", str(deployment), "--dry-run", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["dry_run"] is True
    assert plan["config"]["groups"] == [{"name": "gpu", "instance_count_before": 4, "instance_count_after": 3}]
    assert main(["remove", CLUSTER, node("gpu", 3), "--config", str(deployment)]) == 2  # stdin is no terminal
    assert "stdin is not a terminal; pass --yes" in capsys.readouterr().err
    assert deployment.read_bytes() == original
    assert {op for op, _ in stub.requests} == {"DescribeCluster", "ListClusterNodes"}  # read-only calls only


def test_answering_no_at_the_prompt_changes_nothing(stub, deployment, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", Terminal("n"))
    assert main(["remove", CLUSTER, node("gpu", 3), "--config", str(deployment)]) == 1
    assert "cancelled at the prompt; nothing was done" in capsys.readouterr().err
    assert stub.calls("BatchDeleteClusterNodes") == []


def test_a_node_still_provisioning_is_deleted_by_its_logical_id(stub, tmp_path, capsys):
    stub.add_cluster(CLUSTER, {"gpu": 2}, mode="Continuous", pending={"gpu": 1})
    path = write_config(tmp_path / "c.json", {"gpu": 3})
    code = main(["remove", CLUSTER, "gpu-pending-0", node("gpu", 0), "--config", str(path), "--yes"])
    assert code == 0, capsys.readouterr().err
    [(_, body)] = stub.calls("BatchDeleteClusterNodes")
    assert body["NodeIds"] == [node("gpu", 0)] and body["NodeLogicalIds"] == ["gpu-pending-0"]
    assert _counts(path) == {"gpu": 1}


def test_a_lost_answer_is_reported_as_unknown_and_not_counted(stub, deployment, monkeypatch, capsys):
    from botocore.config import Config

    from hyperpod.nodes import actions

    original = deployment.read_bytes()
    monkeypatch.setattr(actions, "_MUTATING_CONFIG", Config(connect_timeout=5, read_timeout=0.5,
                                                            retries={"total_max_attempts": 1}))
    release = threading.Event()
    stub.hooks["BatchDeleteClusterNodes"] = lambda body: release.wait(30)  # answers only after the client gave up
    try:
        code = main(["remove", CLUSTER, node("cpu", 0), "--config", str(deployment), "--yes", "--json"])
    finally:
        release.set()
    out, err = capsys.readouterr()
    assert code == 1
    assert json.loads(out)["nodes"][0]["code"] == "OutcomeUnknown"
    assert len(stub.calls("BatchDeleteClusterNodes")) == 1  # sent once, never again
    assert deployment.read_bytes() == original
    assert (f"whether {node('cpu', 0)} was deleted is unknown and {deployment} does not count it: check with "
            f"`hyperpod-nodes list {CLUSTER}`") in err


def test_ctrl_c_while_writing_leaves_a_whole_config_and_says_what_to_check(stub, deployment, monkeypatch, capsys):
    from hyperpod.nodes import config_file

    original = deployment.read_bytes()

    real_replace, renames = config_file.os.replace, []

    def interrupted_at_the_config(source, target):
        renames.append(target)
        if len(renames) == 2:  # the first rename writes the .bak, the second the config
            raise KeyboardInterrupt
        real_replace(source, target)
    monkeypatch.setattr(config_file.os, "replace", interrupted_at_the_config)
    assert main(["remove", CLUSTER, node("gpu", 0), "--config", str(deployment), "--yes"]) == 130
    err = capsys.readouterr().err
    assert f"interrupted after deleting 1 node(s): make sure {deployment} sets instance_count of group gpu to 3" in err
    assert deployment.read_bytes() == original and len(stub.calls("BatchDeleteClusterNodes")) == 1
    assert sorted(p.name for p in deployment.parent.iterdir()) == ["prod.tfvars.json", "prod.tfvars.json.bak"]


def test_a_config_that_already_counts_fewer_nodes_is_refused(stub, tmp_path, capsys):
    stub.add_cluster(CLUSTER, {"gpu": 3})
    path = write_config(tmp_path / "c.json", {"gpu": 1})
    assert main(["remove", CLUSTER, node("gpu", 0), node("gpu", 1), "--config", str(path), "--yes"]) == 2
    assert ("instance group gpu: instance_count 1 - 2 = -1: the config already counts fewer nodes than the cluster "
            "has") in capsys.readouterr().err
    assert stub.calls("BatchDeleteClusterNodes") == []


def test_a_config_that_cannot_be_written_back_deletes_nothing(stub, deployment, capsys):
    (deployment.parent / "prod.tfvars.json.bak").mkdir()  # the backup cannot be written
    assert main(["remove", CLUSTER, node("gpu", 0), "--config", str(deployment), "--yes"]) == 2
    assert "--config: cannot write" in capsys.readouterr().err
    assert stub.calls("BatchDeleteClusterNodes") == []


def test_deletes_go_in_requests_of_50_and_at_most_99_in_one_run(stub, tmp_path, capsys):
    stub.add_cluster(CLUSTER, {"gpu": 100})
    path = write_config(tmp_path / "c.json", {"gpu": 100})
    everything = [node("gpu", i) for i in range(100)]
    assert main(["remove", CLUSTER, *everything, "--config", str(path), "--yes"]) == 2
    assert "100 nodes; AWS deletes at most 99 at a time (BatchDeleteClusterNodes)" in capsys.readouterr().err
    assert stub.calls("BatchDeleteClusterNodes") == []
    assert main(["remove", CLUSTER, *everything[:60], "--config", str(path), "--yes"]) == 0
    assert [len(body["NodeIds"]) for _, body in stub.calls("BatchDeleteClusterNodes")] == [50, 10]
    assert _counts(path) == {"gpu": 40}
