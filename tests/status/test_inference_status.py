"""hyperpod-status with the inference operator on: the add-ons it expects, and a running operator checked against
the local DescribeAddon stand-in and the fake Kubernetes API."""

import json
from pathlib import Path

from hyperpod.status import expected
from tests.status.test_addons_status import EKS, cluster, install, line, status  # noqa: F401 (fixture)
from tests.status.test_sagemaker_side import check

INFERENCE_EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "inference.tfvars.json"
OPERATOR = "amazon-sagemaker-hyperpod-inference"


def test_the_inference_example_expects_the_operator_and_its_dependencies():
    names = [a.name for a in expected.expectations(None, str(INFERENCE_EXAMPLE)).addons]
    assert names == ["cert-manager", "amazon-sagemaker-hyperpod-taskgovernance", "aws-fsx-csi-driver", OPERATOR,
                     "aws-mountpoint-s3-csi-driver", "metrics-server"]
    assert "eks-pod-identity-agent" not in names  # its roles are IRSA roles


def test_dependencies_the_cluster_already_runs_are_not_expected(tmp_path):
    raw = json.loads(INFERENCE_EXAMPLE.read_text())
    operator = raw["hyperpod_addons"]["inference_operator"]
    for key in ("s3_csi_driver", "fsx_csi_driver", "metrics_server"):
        operator[key] = {"already_installed": True}
    raw["hyperpod_addons"]["cert_manager"] = {"already_installed": True}
    config = tmp_path / "config.json"
    config.write_text(json.dumps(raw))
    names = [a.name for a in expected.expectations(None, str(config)).addons]
    assert names == ["amazon-sagemaker-hyperpod-taskgovernance", OPERATOR]


def test_a_running_operator_passes_and_a_missing_one_fails(cluster, kube, eks, capsys):  # noqa: F811
    install(eks, kube, OPERATOR, "hyperpod-inference-system",
            {"hyperpod-inference-controller-manager-7f9c8d6b5-abcde": {}, "keda-operator-5d8f7c9b6-fghij": {}})

    code, out, err, report = status(capsys, cluster, kube, "--addon", OPERATOR, "--addon", "metrics-server",
                                    "--eks-cluster", EKS)

    assert code == 1  # metrics-server was never installed
    assert line(out, f"eks: addon {OPERATOR}") == f"eks: addon {OPERATOR} pass ACTIVE, version v1.0.0-eksbuild.1"
    assert check(report, f"kubernetes: addon {OPERATOR} pods")["detail"] == (
        "2 of 2 pods ready in hyperpod-inference-system")
    assert check(report, "eks: addon metrics-server")["status"] == "fail"


def test_status_names_match_what_the_stack_deploys():
    from hyperpod.addons import inference_operator

    assert expected.INFERENCE_OPERATOR == inference_operator.ADDON_NAME
    assert expected.ADDON_PODS[expected.INFERENCE_OPERATOR][0] == inference_operator.NAMESPACE
    assert expected.S3_CSI_DRIVER == inference_operator.S3_CSI_DRIVER
    assert expected.ADDON_PODS[expected.S3_CSI_DRIVER][0] == inference_operator.S3_CSI_NAMESPACE
    assert expected.METRICS_SERVER == inference_operator.METRICS_SERVER
    assert expected.FSX_CSI_DRIVER == inference_operator.FSX_CSI_DRIVER
