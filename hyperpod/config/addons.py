"""HyperPod's EKS add-ons (training operator, task governance, observability), the add-ons they need, and the
health monitoring agent's region coverage.

Every add-on version is pinned: EKS would otherwise install whatever is newest on the day of the apply, so two
applies of one config could run different operators. Each default names where it came from; check a new pin with
`aws eks describe-addon-versions --addon-name <name> --kubernetes-version <1.xx>`.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field

from hyperpod.config.errors import Problem, value_repr
from hyperpod.config.fields import Strict, matching

# EKS add-on versions look like v1.2.0-eksbuild.1 (DescribeAddonVersions).
ADDON_VERSION = re.compile(r"^v\d+\.\d+\.\d+-eksbuild\.\d+$")
AddonVersion = Annotated[str, matching(ADDON_VERSION, "an EKS add-on version such as v1.2.0-eksbuild.1 (see aws eks "
                                                      "describe-addon-versions)")]
# aws_prometheus_workspace ARN: arn:<partition>:aps:<region>:<account>:workspace/<ws-id>
PROMETHEUS_WORKSPACE_ARN = re.compile(r"^arn:aws[a-z-]*:aps:[a-z0-9-]+:\d{12}:workspace/ws-[0-9a-zA-Z-]+$")

# Pinned versions and where each came from (see the module docstring for how to move a pin).
# SageMaker AI developer guide, "Upgrade the task governance add-on": v1.6.0-eksbuild.1 packages Kueue v0.19.2.
TASK_GOVERNANCE_VERSION = "v1.6.0-eksbuild.1"
# SageMaker AI developer guide, observability troubleshooting ("starting from version v1.0.5-eksbuild.1"); the
# .2 build is the one public HyperPod tooling records for Kubernetes 1.30-1.35.
OBSERVABILITY_VERSION = "v1.0.5-eksbuild.2"
# Public HyperPod tooling records v1.2.0-eksbuild.1 for Kubernetes 1.28-1.34 (AWS's install page leaves the version
# to DescribeAddonVersions).
TRAINING_OPERATOR_VERSION = "v1.2.0-eksbuild.1"
# cert-manager as an EKS community add-on, the version AWS HyperPod samples pin.
CERT_MANAGER_VERSION = "v1.18.2-eksbuild.1"
# UNCONFIRMED: the EKS user guide's example pins v1.0.0-eksbuild.1, which predates current Kubernetes versions; this
# is a recent build that no AWS page lists. Confirm with describe-addon-versions before relying on the default.
POD_IDENTITY_AGENT_VERSION = "v1.3.8-eksbuild.2"

# Kubernetes minor versions the add-ons need (checked against the EKS cluster at plan time).
TASK_GOVERNANCE_MIN_KUBERNETES = (1, 30)  # SageMaker AI developer guide: task governance needs Kubernetes 1.30+
OBSERVABILITY_MIN_KUBERNETES = (1, 30)

_REGIONS_FILE = Path(__file__).resolve().parent / "data" / "health_monitoring_agent_regions.json"


@lru_cache(maxsize=1)
def health_monitoring_agent_regions() -> frozenset[str]:
    """Regions the pinned chart has a health monitoring agent image for (data file, with its source)."""
    return frozenset(json.loads(_REGIONS_FILE.read_text(encoding="utf-8"))["regions"])


class TrainingOperatorAddon(Strict):
    """The SageMaker HyperPod training operator (`amazon-sagemaker-hyperpod-training-operator`)."""

    enabled: bool = Field(False, description="Install the HyperPod training operator add-on, its IAM role and pod "
                                             "identity (needs cert-manager and the EKS Pod Identity Agent).")
    version: AddonVersion = Field(TRAINING_OPERATOR_VERSION, description="Add-on version (pinned).")


class TaskGovernanceAddon(Strict):
    """HyperPod task governance (`amazon-sagemaker-hyperpod-taskgovernance`), which installs Kueue."""

    enabled: bool = Field(False, description="Install the task governance add-on (installs Kueue: the cluster "
                                             "must not run another Kueue; Kubernetes 1.30+). Compute quotas and "
                                             "cluster policy are set in the SageMaker console or API.")
    version: AddonVersion = Field(TASK_GOVERNANCE_VERSION, description="Add-on version (pinned).")


class ObservabilityAddon(Strict):
    """HyperPod observability (`amazon-sagemaker-hyperpod-observability`): metrics to Amazon Managed Prometheus."""

    enabled: bool = Field(False, description="Install the observability add-on and its collector's pod identity "
                                             "(Kubernetes 1.30+).")
    version: AddonVersion = Field(OBSERVABILITY_VERSION, description="Add-on version (pinned).")
    prometheus_workspace_arn: Annotated[str, matching(
        PROMETHEUS_WORKSPACE_ARN, "an Amazon Managed Prometheus workspace ARN such as "
        "arn:aws:aps:us-west-2:111122223333:workspace/ws-0123abcd-...")] | None = Field(
        None, description="An existing Amazon Managed Prometheus workspace. Default: the stack creates one.")


class CertManagerAddon(Strict):
    """cert-manager (the `cert-manager` EKS add-on); the training operator needs it."""

    already_installed: bool = Field(False, description="The cluster already runs cert-manager: the stack does not "
                                                       "install it.")
    version: AddonVersion = Field(CERT_MANAGER_VERSION, description="Add-on version (pinned).")


class PodIdentityAgentAddon(Strict):
    """The EKS Pod Identity Agent (`eks-pod-identity-agent`); every pod identity association needs it."""

    already_installed: bool = Field(False, description="The cluster already runs the EKS Pod Identity Agent add-on: "
                                                       "the stack does not install it.")
    version: AddonVersion = Field(POD_IDENTITY_AGENT_VERSION, description="Add-on version (pinned).")


class HyperPodAddons(Strict):
    """HyperPod's EKS add-ons, each off by default, and the prerequisites the stack installs when one needs them."""

    training_operator: TrainingOperatorAddon = Field(default_factory=TrainingOperatorAddon,
                                                     description="HyperPod training operator.")
    task_governance: TaskGovernanceAddon = Field(default_factory=TaskGovernanceAddon,
                                                 description="HyperPod task governance (Kueue).")
    observability: ObservabilityAddon = Field(default_factory=ObservabilityAddon,
                                              description="HyperPod observability (Amazon Managed Prometheus).")
    cert_manager: CertManagerAddon = Field(default_factory=CertManagerAddon,
                                           description="cert-manager, installed when the training operator is on.")
    pod_identity_agent: PodIdentityAgentAddon = Field(
        default_factory=PodIdentityAgentAddon,
        description="EKS Pod Identity Agent, installed when the training operator, observability or FSx for Lustre "
                    "is on.")


def addon_problems(raw: dict) -> list[Problem]:
    """Rules that span the add-ons and the rest of the config; works on raw (possibly invalid) data."""
    problems: list[Problem] = []
    addons = raw.get("hyperpod_addons")
    addons = addons if isinstance(addons, dict) else {}
    training = addons.get("training_operator")
    training_on = isinstance(training, dict) and training.get("enabled") is True
    if training_on and raw.get("hyperpod_install_helm_dependencies") is False:
        problems.append(Problem(
            "hyperpod_addons.training_operator.enabled",
            "true with hyperpod_install_helm_dependencies false: the training operator installs into the "
            "aws-hyperpod namespace, which the HyperPod chart's release owns; make sure your own release of the "
            "chart is never uninstalled while the add-on runs (uninstalling deletes the namespace and the "
            "operator with it)", severity="warning"))
    problems += _region_problems(raw)
    return problems


def _region_problems(raw: dict) -> list[Problem]:
    region = raw.get("region")
    if raw.get("hyperpod_install_helm_dependencies") is False or not isinstance(region, str):
        return []
    if region in health_monitoring_agent_regions():
        return []
    return [Problem("region", f"got {value_repr(region)}: the pinned HyperPod chart has no health monitoring agent "
                    "image for this region and silently uses the us-east-1 image, which nodes in private subnets "
                    "without a NAT gateway cannot pull (regions with an image: "
                    f"{', '.join(sorted(health_monitoring_agent_regions()))})", severity="warning")]
