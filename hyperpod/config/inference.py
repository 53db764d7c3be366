"""The HyperPod inference operator (`amazon-sagemaker-hyperpod-inference`) and the add-ons it stands on.

SageMaker AI developer guide, "Setting up your HyperPod clusters for model deployment": the operator needs
cert-manager, the Mountpoint for Amazon S3 CSI driver, the FSx for Lustre CSI driver ("Inference add-on installation
failed due to missing CSI drivers": the add-on refuses to install without both), metrics-server, the AWS Load
Balancer Controller and KEDA (both bundled with the add-on and switched on through its configuration), an S3 bucket
for TLS certificates, and IAM roles for the operator, the load balancer controller, KEDA and gated JumpStart models.
Every version is a pin of hyperpod/config/addon_pins.py, with where it came from (checked 2026-12-06).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

from hyperpod.config.addon_pins import ADDON_PINS, FSX_CSI_DRIVER, INFERENCE_OPERATOR, METRICS_SERVER, S3_CSI_DRIVER
from hyperpod.config.errors import Problem, value_repr
from hyperpod.config.fields import AddonVersion, Strict, matching, s3_bucket_rule_broken


# The pinned versions (sources and Kubernetes ranges in addon_pins.ADDON_PINS). The FSx CSI driver's pin is the one
# hyperpod_fsx_lustre.csi_driver_version uses: one pin per add-on name.
INFERENCE_OPERATOR_VERSION = ADDON_PINS[INFERENCE_OPERATOR].version
S3_CSI_DRIVER_VERSION = ADDON_PINS[S3_CSI_DRIVER].version
FSX_CSI_DRIVER_VERSION = ADDON_PINS[FSX_CSI_DRIVER].version
METRICS_SERVER_VERSION = ADDON_PINS[METRICS_SERVER].version

# Kubernetes namespace names are DNS-1123 labels (Kubernetes "Object Names and IDs"): 1-63 lowercase letters,
# digits and hyphens, starting and ending with a letter or digit.
_NAMESPACE = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
Namespace = Annotated[str, matching(_NAMESPACE, "a Kubernetes namespace: 1-63 lowercase letters, digits and hyphens, "
                                                "starting and ending with a letter or digit", tokens=False)]
# IAM API reference, CreateOpenIDConnectProvider / arnType; an EKS cluster's issuer is
# oidc.eks.<region>.amazonaws.com/id/<ID> (EKS user guide, "Create an IAM OIDC provider for your cluster").
OIDC_PROVIDER_ARN = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/oidc\.eks\.[a-z0-9-]+\.amazonaws\.com"
                               r"(\.cn)?/id/[0-9A-Z]{8,64}")


def _model_bucket(value: str) -> str:
    # S3 user guide, "General purpose bucket naming rules" (the same rules as every other bucket name here).
    broken = s3_bucket_rule_broken(value)
    if broken:
        raise ValueError(f"got {value_repr(value)}; allowed: an S3 bucket name, {broken}")
    return value


ModelBucket = Annotated[str, AfterValidator(_model_bucket)]


class S3CsiDriverAddon(Strict):
    """Mountpoint for Amazon S3 CSI driver (`aws-mountpoint-s3-csi-driver`)."""

    already_installed: bool = Field(False, description="The cluster already runs this add-on: the stack does not "
                                                       "install it (nor its role).")
    version: AddonVersion = Field(S3_CSI_DRIVER_VERSION, description="Add-on version (pinned).")


class FsxCsiDriverAddon(Strict):
    """FSx for Lustre CSI driver (`aws-fsx-csi-driver`); with hyperpod_fsx_lustre on, that one is used."""

    already_installed: bool = Field(False, description="The cluster already runs this add-on: the stack does not "
                                                       "install it.")
    version: AddonVersion = Field(FSX_CSI_DRIVER_VERSION, description="Add-on version (pinned).")


class MetricsServerAddon(Strict):
    """Kubernetes metrics-server (`metrics-server`)."""

    already_installed: bool = Field(False, description="The cluster already runs this add-on: the stack does not "
                                                       "install it.")
    version: AddonVersion = Field(METRICS_SERVER_VERSION, description="Add-on version (pinned).")


class InferenceOperatorAddon(Strict):
    """The SageMaker HyperPod inference operator (`amazon-sagemaker-hyperpod-inference`) and what it needs."""

    enabled: bool = Field(False, description="Install the inference operator add-on with its dependencies "
                                             "(cert-manager, the S3 and FSx CSI drivers, metrics-server, the AWS "
                                             "Load Balancer Controller, KEDA), its TLS certificate bucket and IAM "
                                             "roles.")
    version: AddonVersion = Field(INFERENCE_OPERATOR_VERSION, description="Add-on version (pinned).")
    oidc_provider_arn: Annotated[str, matching(
        OIDC_PROVIDER_ARN, "the ARN of the EKS cluster's IAM OIDC provider, such as arn:aws:iam::111122223333:"
        "oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE")] | None = Field(
        None, description="The EKS cluster's existing IAM OIDC provider (an account holds one per issuer). Default: "
                          "the stack creates it.")
    endpoint_namespaces: list[Namespace] = Field(
        ["default"], min_length=1, max_length=20,
        description="Namespaces model endpoints are deployed to: the gated JumpStart model role trusts the "
                    "operator's service accounts there only.")
    model_buckets: list[ModelBucket] = Field(
        [], max_length=20, description="S3 buckets holding model weights: the S3 CSI driver may read these only.")
    s3_csi_driver: S3CsiDriverAddon = Field(default_factory=S3CsiDriverAddon,
                                            description="Mountpoint for Amazon S3 CSI driver.")
    fsx_csi_driver: FsxCsiDriverAddon = Field(default_factory=FsxCsiDriverAddon, description="FSx for Lustre CSI "
                                                                                               "driver.")
    metrics_server: MetricsServerAddon = Field(default_factory=MetricsServerAddon,
                                               description="Kubernetes metrics-server.")


def inference_problems(raw: dict) -> list[Problem]:
    """Rules that span the inference operator and the rest of the config; works on raw (possibly invalid) data."""
    addons = raw.get("hyperpod_addons")
    inference = addons.get("inference_operator") if isinstance(addons, dict) else None
    if not isinstance(inference, dict) or inference.get("enabled") is not True:
        return []
    problems = []
    if raw.get("hyperpod_enabled") is False:
        problems.append(Problem("hyperpod_addons.inference_operator.enabled", "true with hyperpod_enabled false: the "
                                "add-on's configuration names the HyperPod cluster (hyperpodClusterArn); allowed: "
                                "turn hyperpod_enabled on or the inference operator off"))
    if inference.get("model_buckets", []) == []:
        problems.append(Problem("hyperpod_addons.inference_operator.model_buckets", "empty: the S3 CSI driver may "
                                "read no bucket, so endpoints with modelSourceType s3 cannot load weights (FSx and "
                                "JumpStart models still work)", severity="warning"))
    return problems
