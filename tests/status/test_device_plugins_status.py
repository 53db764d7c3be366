"""hyperpod-status beyond the chart: the device plugin DaemonSets the instance groups' types need, named as the pinned
chart renders them (against the fake Kubernetes API)."""

import pytest

from hyperpod.status import expected
from tests.status import fake_kubernetes
from tests.status.conftest import healthy_kubernetes
from tests.status.test_addons_status import cluster, line, status  # noqa: F401 (cluster is a fixture)
from tests.status.test_sagemaker_side import check


def test_device_plugin_daemonsets_pass_when_ready(cluster, kube, capsys):
    code, out, _, report = status(capsys, cluster, kube)

    assert code == 0, out
    assert line(out, "kubernetes: daemonset hyperpod-dependencies-nvidia-device-plugin") == (
        "kubernetes: daemonset hyperpod-dependencies-nvidia-device-plugin pass 2 of 2 pods ready in kube-system")
    assert check(report, "kubernetes: daemonset hyperpod-dependencies-aws-efa-k8s-device-plugin")["detail"] == (
        "2 of 2 pods ready in kube-system")


def test_missing_device_plugin_fails_naming_the_instance_type(cluster, kube, capsys):
    with kube.state.lock:
        kube.state.daemonsets = [d for d in kube.state.daemonsets if "nvidia" not in d["metadata"]["name"]]

    code, out, _, report = status(capsys, cluster, kube)

    assert code == 1 and report["verdict"] == "unhealthy"
    detail = "nvidia device plugin DaemonSet not found in kube-system (needed by ml.g5.8xlarge)"
    assert line(out, "kubernetes: daemonset hyperpod-dependencies-nvidia-device-plugin") == (
        f"kubernetes: daemonset hyperpod-dependencies-nvidia-device-plugin fail {detail}")
    assert check(report, "kubernetes: daemonset hyperpod-dependencies-nvidia-device-plugin")["detail"] == detail


def test_trainium_needs_the_neuron_plugin_and_it_must_be_ready(clusters, kube, capsys):
    groups = {"trn": 2}
    name = clusters.create(groups, instance_type="ml.trn1.32xlarge")
    healthy_kubernetes(kube, name, groups, {("trn", i): {"instance_type": "ml.trn1.32xlarge"} for i in range(2)})
    with kube.state.lock:
        kube.state.daemonsets.append(fake_kubernetes.daemonset("neuron-device-plugin-daemonset", 2, 1,
                                                               namespace="kube-system"))

    code, out, _, report = status(capsys, name, kube)

    assert code == 1
    assert line(out, "kubernetes: daemonset neuron-device-plugin-daemonset") == (
        "kubernetes: daemonset neuron-device-plugin-daemonset fail 1 of 2 pods ready in kube-system")
    # Trainium has no NVIDIA GPU: no nvidia plugin is expected.
    assert not any("nvidia-device-plugin" in c["name"] for c in report["checks"])


def test_cpu_groups_expect_no_device_plugins(clusters, kube, capsys):
    groups = {"cpu": 1}
    name = clusters.create(groups, instance_type="ml.m5.2xlarge")
    healthy_kubernetes(kube, name, groups, {("cpu", 0): {"deep": None, "instance_type": "ml.m5.2xlarge"}})
    with kube.state.lock:
        kube.state.daemonsets = [d for d in kube.state.daemonsets if d["metadata"]["namespace"] != "kube-system"]

    code, _, _, report = status(capsys, name, kube)

    assert code == 0, report
    assert not any("device-plugin" in c["name"] for c in report["checks"])


@pytest.mark.parametrize("release, nvidia", [
    ("hyperpod-dependencies", "hyperpod-dependencies-nvidia-device-plugin"),
    ("my-nvidia-device-plugin", "my-nvidia-device-plugin"),  # Helm uses the release name when it holds the chart's
    ("r" * 60, "r" * 60 + "-nv"),  # cut to 63 characters
])
def test_device_plugin_names_follow_helm_fullname(release, nvidia):
    plugins = expected.expected_device_plugins(["ml.p5.48xlarge"], release, "kube-system")

    assert [(p.plugin, p.name) for p in plugins][0] == ("nvidia", nvidia)
    assert [p.plugin for p in plugins] == ["nvidia", "efa"]
