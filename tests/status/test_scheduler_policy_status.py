"""hyperpod-status and task governance's cluster policy (the scheduler config the stack creates): SageMaker
ListClusterSchedulerConfigs and DescribeClusterSchedulerConfig against the local stand-in in front of moto
(tests/status/sagemaker_stub.py), with the add-ons of examples/addons.tfvars.json all healthy."""

import json

import pytest

from hyperpod.status import expected
from tests.status import sagemaker_stub
from tests.status.conftest import REGION
from tests.status.sagemaker_stub import DESCRIBE, LIST
from tests.status.test_addons_status import ADDONS_EXAMPLE, config_cluster, line, status  # noqa: F401 (fixture)
from tests.status.test_sagemaker_side import check, run

POLICY = "team-policy"
CHECK = f"sagemaker: cluster policy {POLICY}"


@pytest.fixture
def policy_config(tmp_path):
    raw = json.loads(ADDONS_EXAMPLE.read_text())
    raw["hyperpod_addons"]["task_governance"]["scheduler_config"] = {
        "name": POLICY, "priority_classes": [{"name": "inference", "weight": 90}]}
    path = tmp_path / "config.json"
    path.write_text(json.dumps(raw))
    return str(path)


@pytest.fixture
def cluster_arn(config_cluster, clusters):  # noqa: F811
    return clusters.client.describe_cluster(ClusterName=config_cluster)["ClusterArn"]


def add_policy(sagemaker, cluster_arn, **options):
    with sagemaker.state.lock:
        sagemaker.state.policies.append(sagemaker_stub.policy(cluster_arn, **options))


def policy_status(capsys, cluster, kube, config):
    return status(capsys, cluster, kube, "--config", config)


def test_created_policy_passes_and_json_carries_it(config_cluster, cluster_arn, kube, sagemaker, policy_config,
                                                     capsys):  # noqa: F811
    add_policy(sagemaker, cluster_arn, name=POLICY, status="Created", version=3)

    code, out, err, report = policy_status(capsys, config_cluster, kube, policy_config)

    assert code == 0, out + err
    assert line(out, CHECK) == f"{CHECK} pass Created, version 3"
    assert check(report, CHECK) == {"name": CHECK, "status": "pass", "detail": "Created, version 3", "deciding": True}
    assert report["sagemaker"]["scheduler_config"] == {"name": POLICY, "found": True, "id": "a1b2c3d4e5f6",
                                                       "status": "Created", "version": 3, "failure_reason": None}


def test_updated_policy_passes(config_cluster, cluster_arn, kube, sagemaker, policy_config, capsys):  # noqa: F811
    add_policy(sagemaker, cluster_arn, name=POLICY, status="Updated")

    code, _, _, report = policy_status(capsys, config_cluster, kube, policy_config)

    assert code == 0 and check(report, CHECK)["status"] == "pass"


@pytest.mark.parametrize("state", ["Creating", "Updating"])
def test_policy_being_applied_is_progress(config_cluster, cluster_arn, kube, sagemaker, policy_config, capsys,
                                          state):  # noqa: F811
    add_policy(sagemaker, cluster_arn, name=POLICY, status=state)

    code, _, err, report = policy_status(capsys, config_cluster, kube, policy_config)

    assert code == 1 and report["verdict"] == "progressing"
    assert check(report, CHECK)["status"] == "pending"
    assert err == f"hyperpod-status: progressing: {CHECK} (pending: {state}, version 1)\n"


@pytest.mark.parametrize("state", ["CreateFailed", "UpdateFailed", "UpdateRollbackFailed", "Deleting"])
def test_failed_policy_fails_with_its_reason(config_cluster, cluster_arn, kube, sagemaker, policy_config, capsys,
                                             state):  # noqa: F811
    add_policy(sagemaker, cluster_arn, name=POLICY, status=state, failure_reason="Task governance add-on not found")

    code, out, err, report = policy_status(capsys, config_cluster, kube, policy_config)

    assert code == 1 and report["verdict"] == "unhealthy"
    detail = f"{state}, version 1: Task governance add-on not found"
    assert line(out, CHECK) == f"{CHECK} fail {detail}"
    assert err == f"hyperpod-status: unhealthy: {CHECK} (fail: {detail})\n"
    assert report["sagemaker"]["scheduler_config"]["failure_reason"] == "Task governance add-on not found"


def test_missing_policy_fails_naming_what_the_cluster_has(config_cluster, cluster_arn, kube, sagemaker,
                                                          policy_config, capsys):  # noqa: F811
    # Another cluster's policy of the same name, and this cluster's policy under another name: neither is it.
    add_policy(sagemaker, cluster_arn.replace(config_cluster, "other-cluster"), name=POLICY, policy_id="0000000000aa")
    add_policy(sagemaker, cluster_arn, name="console-policy", status="Created", policy_id="0000000000bb")
    add_policy(sagemaker, cluster_arn, name="old-policy", status="Deleted", policy_id="0000000000cc")
    sagemaker.state.page_size = 1  # one summary a page: the listing must follow NextToken

    code, out, _, report = policy_status(capsys, config_cluster, kube, policy_config)

    assert code == 1 and report["verdict"] == "unhealthy"
    detail = f"no cluster scheduler config '{POLICY}' on cluster {config_cluster}; it has console-policy (Created)"
    assert line(out, CHECK) == f"{CHECK} fail {detail}"
    assert report["sagemaker"]["scheduler_config"] == {"name": POLICY, "found": False, "id": None, "status": None,
                                                       "version": None, "failure_reason": None}
    assert DESCRIBE not in sagemaker.state.operations


def test_policy_calls_are_read_only(config_cluster, cluster_arn, kube, sagemaker, policy_config, capsys):  # noqa
    add_policy(sagemaker, cluster_arn, name=POLICY)

    policy_status(capsys, config_cluster, kube, policy_config)

    assert {LIST, DESCRIBE} <= set(sagemaker.state.operations)
    assert all(op.startswith(("Describe", "List")) for op in sagemaker.state.operations), sagemaker.state.operations


@pytest.mark.parametrize("operation", [LIST, DESCRIBE])
def test_access_denied_exits_three_with_one_line(config_cluster, cluster_arn, kube, sagemaker, policy_config,
                                                 capsys, operation):  # noqa: F811
    add_policy(sagemaker, cluster_arn, name=POLICY)
    sagemaker.state.errors[operation] = (400, "AccessDeniedException", "User is not authorized")

    code, out, err = run(capsys, config_cluster, "--region", REGION, "--kubeconfig", kube.kubeconfig,
                         "--config", policy_config)

    assert code == 3
    assert out == ""
    assert err == (f"hyperpod-status: SageMaker refused {operation}: AccessDenied "
                   f"(missing permission sagemaker:{operation})\n")


def test_nothing_is_asked_without_a_scheduler_config(config_cluster, kube, sagemaker, capsys):  # noqa: F811
    code, out, err, report = status(capsys, config_cluster, kube, "--config", str(ADDONS_EXAMPLE))

    assert code == 0, out + err
    assert sagemaker.state.operations  # the run did go through the stand-in
    assert not {LIST, DESCRIBE} & set(sagemaker.state.operations)
    assert not any(c["name"].startswith("sagemaker: cluster policy") for c in report["checks"])
    assert "scheduler_config" not in report["sagemaker"]
    assert "cluster policy" not in out


def test_the_config_names_the_policy_to_expect(policy_config, tmp_path):
    assert expected.expectations(None, policy_config).scheduler_policy == POLICY
    raw = json.loads(ADDONS_EXAMPLE.read_text())
    raw["hyperpod_addons"]["task_governance"]["scheduler_config"] = {}
    default = tmp_path / "default.json"
    default.write_text(json.dumps(raw))
    assert expected.expectations(None, str(default)).scheduler_policy == "cluster-policy"  # the config's default
    assert expected.expectations(None, str(ADDONS_EXAMPLE)).scheduler_policy is None
