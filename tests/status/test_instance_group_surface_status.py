"""hyperpod-status on a flexible instance group (several instance types) and a group with automatic patching, read
from DescribeCluster on a real moto server (moto_launcher.py hook 5 adds the fields moto does not know)."""

from tests.status import fake_kubernetes
from tests.status.conftest import REGION, healthy_kubernetes
from tests.status.test_sagemaker_side import check, run, status_json

NEXT_PATCH = 1796000400  # 2026-11-30 01:00 UTC


def test_flexible_group_shows_its_types_and_expects_every_types_device_plugin(clusters, kube, capsys):
    groups = {"flex": 2}
    cluster = clusters.create(groups, tags={"test:InstanceTypes:flex": "ml.g5.8xlarge,ml.trn1.32xlarge"})
    healthy_kubernetes(kube, cluster, groups)

    code, out, err = run(capsys, cluster, "--region", REGION, "--kubeconfig", kube.kubeconfig)
    assert "2 of 2 instances (ml.g5.8xlarge, ml.trn1.32xlarge)" in out
    # Its GPU type needs the NVIDIA plugin (present); its Trainium type needs the Neuron plugin, which is missing.
    assert code == 1, out + err
    code, report, _ = status_json(capsys, cluster, kube)
    neuron = check(report, "kubernetes: daemonset neuron-device-plugin-daemonset")
    assert neuron["status"] == "fail" and "needed by ml.trn1.32xlarge" in neuron["detail"]
    assert check(report, "kubernetes: daemonset hyperpod-dependencies-nvidia-device-plugin")["status"] == "pass"

    with kube.state.lock:
        kube.state.daemonsets.append(fake_kubernetes.daemonset("neuron-device-plugin-daemonset", 2, 2,
                                                               namespace="kube-system"))
    code, report, _ = status_json(capsys, cluster, kube)
    assert code == 0, report


def test_automatic_patching_shows_the_strategy_and_next_patch(clusters, kube, capsys):
    groups = {"worker": 1, "idle": 1}
    cluster = clusters.create(groups, tags={"test:AutoPatch:worker": f"WhenIdle@{NEXT_PATCH}",
                                            "test:AutoPatch:idle": "WhenAllIdle"})
    healthy_kubernetes(kube, cluster, groups)

    code, report, _ = status_json(capsys, cluster, kube)
    assert code == 0, report
    by_name = {g["name"]: g for g in report["sagemaker"]["instance_groups"]}
    assert by_name["worker"]["patching"] == "auto-patching WhenIdle, next patch 2026-11-30 01:00 UTC"
    assert by_name["idle"]["patching"] == "auto-patching WhenAllIdle, no patch pending"
    assert "auto-patching WhenIdle" in check(report, "sagemaker: group worker")["detail"]


def test_group_without_patching_shows_none(clusters, kube, capsys):
    groups = {"worker": 1}
    cluster = clusters.create(groups)
    healthy_kubernetes(kube, cluster, groups)
    code, report, _ = status_json(capsys, cluster, kube)
    assert code == 0
    assert "patching" not in report["sagemaker"]["instance_groups"][0]
    assert "auto-patching" not in check(report, "sagemaker: group worker")["detail"]


def test_restricted_groups_are_shown_with_their_counts(clusters, kube, capsys):
    groups = {"worker": 1}
    cluster = clusters.create(groups, tags={"test:RestrictedGroup:rig-p5": "ml.p5.48xlarge,2,2,InService",
                                            "test:RestrictedGroup:rig-new": "ml.p5.48xlarge,0,2,Creating"})
    healthy_kubernetes(kube, cluster, groups)

    code, report, _ = status_json(capsys, cluster, kube)
    ready = check(report, "sagemaker: restricted group rig-p5")
    assert ready["status"] == "pass" and ready["detail"] == "2 of 2 instances (ml.p5.48xlarge), group InService"
    assert check(report, "sagemaker: restricted group rig-new")["status"] == "pending"
    assert {g["name"]: g["current"] for g in report["sagemaker"]["restricted_instance_groups"]} == {
        "rig-p5": 2, "rig-new": 0}


def test_restricted_group_failure_fails_the_status(clusters, kube, capsys):
    groups = {"worker": 1}
    cluster = clusters.create(groups, tags={"test:RestrictedGroup:rig-p5": "ml.p5.48xlarge,0,2,Failed"})
    healthy_kubernetes(kube, cluster, groups)
    code, report, _ = status_json(capsys, cluster, kube)
    assert code != 0
    assert check(report, "sagemaker: restricted group rig-p5")["status"] == "fail"
