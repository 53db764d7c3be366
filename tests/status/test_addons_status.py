"""hyperpod-status beyond the chart: EKS add-ons (against the local DescribeAddon stand-in, moto 5.2.5 has no EKS
add-on API), their pods and the FSx claim (against the fake Kubernetes API). The device plugin DaemonSets:
test_device_plugins_status.py."""

import json
from pathlib import Path

import pytest

from hyperpod.status import expected
from tests.status import eks_stub, fake_kubernetes
from tests.status.conftest import REGION, healthy_kubernetes
from tests.status.test_sagemaker_side import check, run

EKS = "ml-platform"
TASK_GOVERNANCE = "amazon-sagemaker-hyperpod-taskgovernance"
GROUPS = {"worker": 2}
ADDONS_EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "addons.tfvars.json"


@pytest.fixture
def cluster(clusters, kube, eks):
    name = clusters.create(GROUPS)
    healthy_kubernetes(kube, name, GROUPS)
    eks.state.clusters.add(EKS)
    return name


def install(eks, kube, name, namespace, pods, status="ACTIVE", issues=None):
    with eks.state.lock:
        eks.state.addons[(EKS, name)] = eks_stub.addon(name, EKS, status, issues=issues)
    with kube.state.lock:
        kube.state.pods += [fake_kubernetes.pod(pod, namespace, **options) for pod, options in pods.items()]


def status(capsys, cluster, kube, *extra):
    """Both renderings of one state: the human report and the --json document."""
    argv = [cluster, "--region", REGION, "--kubeconfig", kube.kubeconfig, *extra]
    code, out, err = run(capsys, *argv)
    json_code, report, _ = run(capsys, *argv, "--json")
    assert json_code == code
    return code, out, err, json.loads(report)


def line(out, name):
    return " ".join(next(row for row in out.splitlines() if row.strip().startswith(name + " ")).split())


def test_active_addon_with_ready_pods_passes(cluster, kube, eks, capsys):
    install(eks, kube, TASK_GOVERNANCE, "kueue-system", {"kueue-controller-manager-6d5c7b9f4-abcde": {}})

    code, out, err, report = status(capsys, cluster, kube, "--addon", TASK_GOVERNANCE, "--eks-cluster", EKS)

    assert code == 0, out + err
    assert line(out, f"eks: addon {TASK_GOVERNANCE}") == (
        f"eks: addon {TASK_GOVERNANCE} pass ACTIVE, version v1.0.0-eksbuild.1")
    assert check(report, f"kubernetes: addon {TASK_GOVERNANCE} pods") == {
        "name": f"kubernetes: addon {TASK_GOVERNANCE} pods", "status": "pass",
        "detail": "1 of 1 pod ready in kueue-system", "deciding": True}
    assert eks.state.requests == [f"/clusters/{EKS}/addons/{TASK_GOVERNANCE}"] * 2


def test_degraded_addon_fails_with_its_health_issue(cluster, kube, eks, capsys):
    install(eks, kube, TASK_GOVERNANCE, "kueue-system", {"kueue-controller-manager-6d5c7b9f4-abcde": {}},
            status="DEGRADED", issues=[{"code": "InsufficientNumberOfReplicas",
                                        "message": "The add-on is unhealthy because it doesn't have the desired "
                                                   "number of replicas.", "resourceIds": []}])

    code, out, err, report = status(capsys, cluster, kube, "--addon", TASK_GOVERNANCE, "--eks-cluster", EKS)

    assert code == 1
    detail = ("DEGRADED, version v1.0.0-eksbuild.1; InsufficientNumberOfReplicas: The add-on is unhealthy because "
              "it doesn't have the desired number of replicas.")
    assert line(out, f"eks: addon {TASK_GOVERNANCE}") == f"eks: addon {TASK_GOVERNANCE} fail {detail}"
    assert report["verdict"] == "unhealthy"
    assert check(report, f"eks: addon {TASK_GOVERNANCE}")["detail"] == detail
    assert err == f"hyperpod-status: unhealthy: eks: addon {TASK_GOVERNANCE} (fail: {detail})\n"


def test_creating_addon_without_pods_is_progress(cluster, kube, eks, capsys):
    install(eks, kube, TASK_GOVERNANCE, "kueue-system", {}, status="CREATING")

    code, _, err, report = status(capsys, cluster, kube, "--addon", TASK_GOVERNANCE, "--eks-cluster", EKS)

    assert code == 1 and report["verdict"] == "progressing"
    assert check(report, f"kubernetes: addon {TASK_GOVERNANCE} pods")["status"] == "pending"
    assert check(report, f"kubernetes: addon {TASK_GOVERNANCE} pods")["detail"] == "no pods in kueue-system"
    assert err.startswith(f"hyperpod-status: progressing: eks: addon {TASK_GOVERNANCE} (pending: CREATING, ")


def test_missing_addon_fails_naming_the_eks_cluster(cluster, kube, eks, capsys):
    code, out, _, report = status(capsys, cluster, kube, "--addon", TASK_GOVERNANCE, "--eks-cluster", EKS)

    assert code == 1
    assert line(out, f"eks: addon {TASK_GOVERNANCE}") == (
        f"eks: addon {TASK_GOVERNANCE} fail not installed on EKS cluster {EKS}")
    assert check(report, f"kubernetes: addon {TASK_GOVERNANCE} pods")["detail"] == "no pods in kueue-system"


def test_crash_looping_addon_pod_fails_naming_it(cluster, kube, eks, capsys):
    operator = "amazon-sagemaker-hyperpod-training-operator"
    install(eks, kube, operator, "aws-hyperpod", {
        "hp-training-operator-controller-manager-7f9c-x2v4q": {"ready": False, "waiting": "CrashLoopBackOff"},
        # The chart's agent shares the namespace: not the add-on's pod, so not counted.
        "health-monitoring-agent-abcde": {"ready": False, "phase": "Pending"}})

    code, out, _, report = status(capsys, cluster, kube, "--addon", operator, "--eks-cluster", EKS)

    assert code == 1 and report["verdict"] == "unhealthy"
    detail = ("0 of 1 pod ready in aws-hyperpod (hp-training-operator-*); not ready: "
              "hp-training-operator-controller-manager-7f9c-x2v4q (CrashLoopBackOff)")
    assert line(out, f"kubernetes: addon {operator} pods") == f"kubernetes: addon {operator} pods fail {detail}"
    assert check(report, f"kubernetes: addon {operator} pods")["detail"] == detail


def test_starting_addon_pod_is_progress(cluster, kube, eks, capsys):
    install(eks, kube, TASK_GOVERNANCE, "kueue-system", {"kueue-controller-manager-1": {},
                                                        "kueue-controller-manager-2": {"ready": False}})

    code, _, _, report = status(capsys, cluster, kube, "--addon", TASK_GOVERNANCE, "--eks-cluster", EKS)

    assert code == 1 and report["verdict"] == "progressing"
    assert check(report, f"kubernetes: addon {TASK_GOVERNANCE} pods")["detail"] == (
        "1 of 2 pods ready in kueue-system; not ready: kueue-controller-manager-2 (Running)")


def test_unknown_addon_is_checked_on_eks_only(cluster, kube, eks, capsys):
    install(eks, kube, "vpc-cni", "kube-system", {})

    code, _, _, report = status(capsys, cluster, kube, "--addon", "vpc-cni", "--eks-cluster", EKS)

    assert code == 0, report
    assert check(report, "eks: addon vpc-cni")["status"] == "pass"
    assert not any(c["name"] == "kubernetes: addon vpc-cni pods" for c in report["checks"])



@pytest.fixture
def config_cluster(clusters, kube, eks, tmp_path):
    """The all-on example's add-ons, every one ACTIVE with a ready pod, and its claim Bound."""
    name = clusters.create(GROUPS)
    healthy_kubernetes(kube, name, GROUPS)
    eks.state.clusters.add(EKS)
    for addon, (namespace, prefix) in expected.ADDON_PODS.items():
        install(eks, kube, addon, namespace, {f"{prefix or addon + '-'}pod-1": {}})
    with kube.state.lock:
        kube.state.claims = [fake_kubernetes.claim("shared-fsx", "ml-team")]
    return name


def test_config_expects_enabled_addons_their_prerequisites_and_the_claim(config_cluster, kube, eks, capsys):
    code, out, err, report = status(capsys, config_cluster, kube, "--config", str(ADDONS_EXAMPLE))

    assert code == 0, out + err
    addons = [c["name"].removeprefix("eks: addon ") for c in report["checks"] if c["name"].startswith("eks: addon")]
    assert addons == ["amazon-sagemaker-hyperpod-training-operator", "cert-manager",
                      "amazon-sagemaker-hyperpod-taskgovernance", "amazon-sagemaker-hyperpod-observability",
                      "aws-fsx-csi-driver", "eks-pod-identity-agent"]
    # The EKS cluster comes from the config's eks_cluster_name (moto reports no orchestrator).
    assert all(path.startswith(f"/clusters/{EKS}/") for path in eks.state.requests)
    assert line(out, "kubernetes: pvc ml-team/shared-fsx") == (
        "kubernetes: pvc ml-team/shared-fsx pass Bound to volume ml-cluster-fsx-lustre")


def test_pending_claim_is_progress(config_cluster, kube, capsys):
    with kube.state.lock:
        kube.state.claims = [fake_kubernetes.claim("shared-fsx", "ml-team", phase="Pending", volume=None)]

    code, out, err, report = status(capsys, config_cluster, kube, "--config", str(ADDONS_EXAMPLE))

    assert code == 1 and report["verdict"] == "progressing"
    assert line(out, "kubernetes: pvc ml-team/shared-fsx") == "kubernetes: pvc ml-team/shared-fsx pending Pending"
    assert err == "hyperpod-status: progressing: kubernetes: pvc ml-team/shared-fsx (pending: Pending)\n"


def test_missing_claim_fails(config_cluster, kube, capsys):
    with kube.state.lock:
        kube.state.claims = [fake_kubernetes.claim("shared-fsx", "default")]

    code, _, _, report = status(capsys, config_cluster, kube, "--config", str(ADDONS_EXAMPLE))

    assert code == 1 and report["verdict"] == "unhealthy"
    assert check(report, "kubernetes: pvc ml-team/shared-fsx") == {
        "name": "kubernetes: pvc ml-team/shared-fsx", "status": "fail",
        "detail": "PersistentVolumeClaim shared-fsx not found in namespace ml-team", "deciding": True}


def test_lost_claim_fails(config_cluster, kube, capsys):
    with kube.state.lock:
        kube.state.claims = [fake_kubernetes.claim("shared-fsx", "ml-team", phase="Lost")]

    code, _, _, report = status(capsys, config_cluster, kube, "--config", str(ADDONS_EXAMPLE))

    assert code == 1
    assert check(report, "kubernetes: pvc ml-team/shared-fsx")["status"] == "fail"


def test_already_installed_prerequisites_are_not_expected(tmp_path):
    raw = json.loads(ADDONS_EXAMPLE.read_text())
    raw["hyperpod_addons"]["cert_manager"] = {"already_installed": True}
    raw["hyperpod_addons"]["pod_identity_agent"] = {"already_installed": True}
    config = tmp_path / "config.json"
    config.write_text(json.dumps(raw))

    names = [a.name for a in expected.expectations(None, str(config)).addons]

    assert names == ["amazon-sagemaker-hyperpod-training-operator", "amazon-sagemaker-hyperpod-taskgovernance",
                     "amazon-sagemaker-hyperpod-observability", "aws-fsx-csi-driver"]


def test_invalid_config_is_a_usage_error_naming_the_field(cluster, tmp_path, capsys):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({**json.loads(ADDONS_EXAMPLE.read_text()),
                                  "hyperpod_fsx_lustre": {"enabled": True, "claim_name": "Shared_FSx"}}))

    code, out, err = run(capsys, cluster, "--region", REGION, "--config", str(config), "--json")

    assert code == 2
    assert json.loads(out)["exit_code"] == 2
    assert err == (f"hyperpod-status: --config: {config}: 1 problem(s) in the configuration: error: "
                   'hyperpod_fsx_lustre.claim_name: got "Shared_FSx"; allowed: a Kubernetes name: 1-63 lowercase letters, digits and hyphens, starting '
                   "and ending with a letter or digit\n")


def test_config_that_is_not_json_is_a_usage_error(cluster, tmp_path, capsys):
    config = tmp_path / "config.json"
    config.write_text("{not json")

    code, _, err = run(capsys, cluster, "--region", REGION, "--config", str(config))

    assert code == 2
    assert err.startswith(f"hyperpod-status: --config: {config}:1:2: the config file is not valid JSON")


def test_missing_config_file_is_a_usage_error(cluster, tmp_path, capsys):
    code, _, err = run(capsys, cluster, "--region", REGION, "--config", str(tmp_path / "nope.json"))

    assert code == 2
    assert err == f"hyperpod-status: --config: '{tmp_path / 'nope.json'}' is not a file\n"


@pytest.mark.parametrize("option, value, message", [
    ("--addon", "bad name;rm", "--addon: 'bad name;rm' is not an EKS add-on name"),
    ("--eks-cluster", "eks/other", "--eks-cluster: 'eks/other' is not an EKS cluster name"),
])
def test_bad_names_are_usage_errors(cluster, capsys, option, value, message):
    code, _, err = run(capsys, cluster, "--region", REGION, option, value)

    assert code == 2
    assert err.startswith(f"hyperpod-status: {message}")


def test_addons_without_a_known_eks_cluster_are_a_usage_error(cluster, kube, capsys):
    code, _, err = run(capsys, cluster, "--region", REGION, "--kubeconfig", kube.kubeconfig,
                       "--addon", TASK_GOVERNANCE)

    assert code == 2
    assert err == ("hyperpod-status: --eks-cluster: needed to check add-ons, and SageMaker did not report the "
                   "cluster's EKS orchestrator (give --eks-cluster NAME or --config)\n")


def test_unknown_eks_cluster_exits_three(cluster, kube, eks, capsys):
    code, _, err = run(capsys, cluster, "--region", REGION, "--kubeconfig", kube.kubeconfig,
                       "--addon", TASK_GOVERNANCE, "--eks-cluster", "other-eks")

    assert code == 3
    assert err == ("hyperpod-status: EKS refused DescribeAddon: no EKS cluster 'other-eks' "
                   "(No cluster found for name: other-eks.)\n")


def test_status_names_match_what_the_stack_deploys():
    # expected.py cannot import the constructs (they load cdktf); this keeps the two from drifting apart.
    from hyperpod.addons import fsx_volume, observability, prerequisites, task_governance, training_operator

    assert expected.TRAINING_OPERATOR == training_operator.ADDON_NAME
    assert expected.ADDON_PODS[expected.TRAINING_OPERATOR][0] == training_operator.NAMESPACE
    assert expected.ADDON_PODS[expected.TRAINING_OPERATOR][1] in training_operator.SERVICE_ACCOUNT + "-"
    assert expected.TASK_GOVERNANCE == task_governance.ADDON_NAME
    assert expected.OBSERVABILITY == observability.ADDON_NAME
    assert expected.ADDON_PODS[expected.OBSERVABILITY][0] == observability.NAMESPACE
    assert expected.FSX_CSI_DRIVER == fsx_volume.ADDON_NAME
    assert expected.ADDON_PODS[expected.FSX_CSI_DRIVER][0] == fsx_volume.NAMESPACE
    assert (expected.CERT_MANAGER, expected.POD_IDENTITY_AGENT) == (prerequisites.CERT_MANAGER,
                                                                    prerequisites.POD_IDENTITY_AGENT)
