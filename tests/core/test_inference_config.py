"""Config rules of the inference operator: for each, one config that passes and one that fails with its message."""

from __future__ import annotations

import pytest

from hyperpod.config import parse_config
from hyperpod.config.fsx_lustre import FSX_CSI_DRIVER_VERSION as FSX_VOLUME_PIN
from hyperpod.config.inference import (
    FSX_CSI_DRIVER_VERSION,
    INFERENCE_OPERATOR_VERSION,
    METRICS_SERVER_VERSION,
    S3_CSI_DRIVER_VERSION,
)
from tests.core.test_addons_config import problems_of
from tests.conftest import minimal_config

OIDC = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"


def inference(**fields) -> dict:
    return minimal_config(hyperpod_addons={"inference_operator": {"enabled": True, "model_buckets": ["models-a"],
                                                                  **fields}})


RULES = [
    # S3 user guide, "General purpose bucket naming rules".
    ("model buckets follow the S3 naming rules", inference(model_buckets=["my-models.v2"]),
     inference(model_buckets=["My_Models"]),
     'error: hyperpod_addons.inference_operator.model_buckets[0]: got "My_Models"; allowed: an S3 bucket name, 3-63 '
     'lowercase letters'),
    # Kubernetes "Object Names and IDs": namespaces are DNS-1123 labels.
    ("endpoint namespaces are DNS-1123 labels", inference(endpoint_namespaces=["team-a", "default"]),
     inference(endpoint_namespaces=["Team_A"]),
     'error: hyperpod_addons.inference_operator.endpoint_namespaces[0]: got "Team_A"; allowed: a Kubernetes '
     'namespace'),
    ("at least one endpoint namespace", inference(endpoint_namespaces=["default"]), inference(endpoint_namespaces=[]),
     "hyperpod_addons.inference_operator.endpoint_namespaces"),
    # IAM API reference, OpenIDConnectProviderArn (arnType); EKS issuers are oidc.eks.<region>.amazonaws.com/id/<ID>.
    ("an existing OIDC provider is an EKS issuer's provider ARN", inference(oidc_provider_arn=OIDC),
     inference(oidc_provider_arn="arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"),
     'error: hyperpod_addons.inference_operator.oidc_provider_arn: got "arn:aws:iam::111122223333:oidc-provider/'
     'token.actions.githubusercontent.com"; allowed: the ARN of the EKS cluster\'s IAM OIDC provider'),
    # DescribeAddonVersions: add-on versions look like v1.2.0-eksbuild.1.
    ("dependency versions are EKS add-on versions", inference(metrics_server={"version": "v0.7.2-eksbuild.3"}),
     inference(metrics_server={"version": "0.7.2"}),
     'error: hyperpod_addons.inference_operator.metrics_server.version: got "0.7.2"; allowed: an EKS add-on '
     'version'),
    ("a dependency block takes only its two keys", inference(s3_csi_driver={"already_installed": True}),
     inference(s3_csi_driver={"already_installed": True, "role_arn": "x"}),
     "hyperpod_addons.inference_operator.s3_csi_driver.role_arn"),
    # "Setting up your HyperPod clusters for model deployment": the add-on's configuration names the HyperPod cluster.
    ("the operator needs the HyperPod cluster", inference(),
     {**inference(), "hyperpod_enabled": False},
     "error: hyperpod_addons.inference_operator.enabled: true with hyperpod_enabled false"),
    # Mountpoint for S3 CSI driver: static provisioning of existing buckets only; with none, S3 models cannot load.
    ("model buckets empty is a warning", inference(), inference(model_buckets=[]),
     "warning: hyperpod_addons.inference_operator.model_buckets: empty: the S3 CSI driver may read no bucket"),
]


@pytest.mark.parametrize("description, passing, failing, fragment", RULES, ids=[r[0] for r in RULES])
def test_rule_passes_and_fails_with_its_message(description, passing, failing, fragment):
    assert problems_of(passing) == []
    found = problems_of(failing)
    assert any(fragment in problem for problem in found), f"{fragment!r} not in {found}"


def test_off_by_default_and_pinned():
    config, _ = parse_config(minimal_config())
    operator = config.hyperpod_addons.inference_operator
    assert operator.enabled is False
    assert operator.version == INFERENCE_OPERATOR_VERSION
    assert operator.s3_csi_driver.version == S3_CSI_DRIVER_VERSION
    assert operator.metrics_server.version == METRICS_SERVER_VERSION
    assert operator.endpoint_namespaces == ["default"] and operator.model_buckets == []


def test_the_fsx_csi_pin_is_the_shared_storage_pin():
    """Both paths install the same add-on: one pin, or the driver would flip between versions."""
    assert FSX_CSI_DRIVER_VERSION == FSX_VOLUME_PIN
    config, _ = parse_config(inference())
    assert config.hyperpod_addons.inference_operator.fsx_csi_driver.version == FSX_VOLUME_PIN
