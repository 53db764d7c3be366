"""hyperpod-status shows each group's provisioning (current, target, min) and the autoscaling state, read from
DescribeCluster on a real moto server. moto 5.2.5 drops MinCount, NodeProvisioningMode and AutoScaling: the
launcher's hook 4 puts them back (see moto_launcher.py), so these tests exercise the real client and parsing."""

from tests.status.conftest import REGION, healthy_kubernetes
from tests.status.test_sagemaker_side import check, run, status_json


def test_group_min_count_provisioning_mode_and_autoscaling_are_shown(clusters, kube, capsys):
    groups = {"worker": 2, "burst": 0}
    cluster = clusters.create(groups, min_counts={"worker": 1}, tags={
        "test:NodeProvisioningMode": "Continuous", "test:AutoScaling:Mode": "Enable",
        "test:AutoScaling:Status": "InService"})
    healthy_kubernetes(kube, cluster, groups)

    code, out, err = run(capsys, cluster, "--region", REGION, "--kubeconfig", kube.kubeconfig)
    assert code == 0, out + err
    assert "2 of 2 instances (ml.g5.8xlarge), InService from 1" in out
    assert "sagemaker: provisioning" in out and "Continuous" in out
    assert "sagemaker: autoscaling" in out and "Enable (Karpenter), InService" in out

    code, report, _ = status_json(capsys, cluster, kube)
    groups_out = {g["name"]: g for g in report["sagemaker"]["instance_groups"]}
    assert groups_out["worker"]["min"] == 1 and groups_out["worker"]["current"] == 2
    assert "min" not in groups_out["burst"]
    assert report["sagemaker"]["provisioning_mode"] == "Continuous"
    assert report["sagemaker"]["autoscaling"] == {"mode": "Enable", "autoscaler": "Karpenter",
                                                  "status": "InService", "failure_message": None}


def test_autoscaling_failure_fails_the_status(clusters, kube, capsys):
    groups = {"worker": 1}
    cluster = clusters.create(groups, tags={"test:AutoScaling:Mode": "Enable", "test:AutoScaling:Status": "Failed",
                                            "test:AutoScaling:FailureMessage": "cluster role cannot be assumed"})
    healthy_kubernetes(kube, cluster, groups)
    code, report, _ = status_json(capsys, cluster, kube)
    assert code != 0
    assert check(report, "sagemaker: autoscaling")["status"] == "fail"
    assert "cluster role cannot be assumed" in check(report, "sagemaker: autoscaling")["detail"]


def test_standard_cluster_without_autoscaling_shows_neither(clusters, kube, capsys):
    groups = {"worker": 1}
    cluster = clusters.create(groups)
    healthy_kubernetes(kube, cluster, groups)
    code, report, _ = status_json(capsys, cluster, kube)
    assert code == 0
    names = {c["name"] for c in report["checks"]}
    assert "sagemaker: autoscaling" not in names and "sagemaker: provisioning" not in names
    assert "autoscaling" not in report["sagemaker"] and "provisioning_mode" not in report["sagemaker"]
