"""HyperPod's EKS add-ons (training operator, task governance, observability), the add-ons they need, and the
health monitoring agent's region coverage.

Every add-on version is pinned (hyperpod/config/addon_pins.py holds each pin, its source and the Kubernetes versions
it is confirmed for); a config may pin another version per add-on.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field

from hyperpod.config.addon_pins import (
    ADDON_PINS,
    CERT_MANAGER,
    OBSERVABILITY,
    POD_IDENTITY_AGENT,
    TASK_GOVERNANCE,
    TRAINING_OPERATOR,
)
from hyperpod.config.errors import Problem, value_repr
from hyperpod.config.fields import ADDON_VERSION, AddonVersion, Strict, matching
from hyperpod.config.inference import InferenceOperatorAddon, inference_problems
from hyperpod.config.task_governance import SchedulerConfig, scheduler_config_problems
from hyperpod.config.tokens import is_token

# aws_prometheus_workspace ARN: arn:<partition>:aps:<region>:<account>:workspace/<ws-id>
PROMETHEUS_WORKSPACE_ARN = re.compile(r"^arn:aws[a-z-]*:aps:[a-z0-9-]+:[0-9]{12}:workspace/ws-[0-9a-zA-Z-]+$")

# The pinned versions (sources and Kubernetes ranges in addon_pins.ADDON_PINS).
TASK_GOVERNANCE_VERSION = ADDON_PINS[TASK_GOVERNANCE].version
OBSERVABILITY_VERSION = ADDON_PINS[OBSERVABILITY].version
TRAINING_OPERATOR_VERSION = ADDON_PINS[TRAINING_OPERATOR].version
CERT_MANAGER_VERSION = ADDON_PINS[CERT_MANAGER].version
POD_IDENTITY_AGENT_VERSION = ADDON_PINS[POD_IDENTITY_AGENT].version

# Kubernetes minor versions the add-ons need (checked against the EKS cluster at plan time).
TASK_GOVERNANCE_MIN_KUBERNETES = (1, 30)  # SageMaker AI developer guide: task governance needs Kubernetes 1.30+
# SageMaker AI developer guide, "Using the HyperPod training operator", supported versions: Kubernetes 1.28 or newer;
# with task governance installed, task governance v1.3.0-eksbuild.1 or newer (training operator troubleshooting).
TRAINING_OPERATOR_MIN_KUBERNETES = (1, 28)
TRAINING_OPERATOR_MIN_TASK_GOVERNANCE = (1, 3, 0)
OBSERVABILITY_MIN_KUBERNETES = (1, 30)

# The training operator's managed policy (AmazonSageMakerHyperPodTrainingOperatorAccess) allows
# sagemaker:DescribeClusterNode only on clusters tagged SageMaker=true (condition aws:ResourceTag/SageMaker), and the
# SageMaker AI developer guide's install page says the HyperPod cluster must carry that tag: the stack adds it.
TRAINING_OPERATOR_CLUSTER_TAG = ("SageMaker", "true")
# SageMaker AI developer guide, observability add-on setup: the collector needs a node of size 4xlarge or larger.
OBSERVABILITY_MIN_NODE_SIZE = 4

_DATA = Path(__file__).resolve().parent / "data"


@lru_cache(maxsize=1)
def health_monitoring_agent_regions() -> frozenset[str]:
    """Regions the pinned chart has a health monitoring agent image for (data file, with its source)."""
    return frozenset(json.loads((_DATA / "health_monitoring_agent_regions.json").read_text(encoding="utf-8"))["regions"])


@lru_cache(maxsize=1)
def hyperpod_regions() -> frozenset[str]:
    """Regions AWS's SageMaker HyperPod page lists as supported (data file, with its source and date)."""
    return frozenset(json.loads((_DATA / "hyperpod_regions.json").read_text(encoding="utf-8"))["regions"])


def cluster_tags(config) -> dict[str, str]:
    """The HyperPod cluster's tags: the user's, plus SageMaker=true when the training operator is on."""
    tags = dict(config.tags)
    if config.hyperpod_addons.training_operator.enabled:
        key, value = TRAINING_OPERATOR_CLUSTER_TAG
        tags[key] = value
    return tags


class TrainingOperatorAddon(Strict):
    """The SageMaker HyperPod training operator (`amazon-sagemaker-hyperpod-training-operator`)."""

    enabled: bool = Field(False, description="Install the HyperPod training operator add-on, its IAM role and pod "
                                             "identity (needs cert-manager and the EKS Pod Identity Agent).")
    version: AddonVersion = Field(TRAINING_OPERATOR_VERSION, description="Add-on version (pinned).")


class TaskGovernanceAddon(Strict):
    """HyperPod task governance (`amazon-sagemaker-hyperpod-taskgovernance`), which installs Kueue."""

    enabled: bool = Field(False, description="Install the task governance add-on (installs Kueue: the cluster "
                                             "must not run another Kueue; Kubernetes 1.30+). Compute quotas are set "
                                             "in the SageMaker console or API.")
    version: AddonVersion = Field(TASK_GOVERNANCE_VERSION, description="Add-on version (pinned).")
    scheduler_config: SchedulerConfig | None = Field(
        None, description="The cluster policy (fair share, priority classes, idle resource sharing). Default: none "
                          "(AWS's defaults).")


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
                                           description="cert-manager, installed when the training operator or the "
                                                       "inference operator is on.")
    pod_identity_agent: PodIdentityAgentAddon = Field(
        default_factory=PodIdentityAgentAddon,
        description="EKS Pod Identity Agent, installed when the training operator, observability or FSx for Lustre "
                    "is on.")
    inference_operator: InferenceOperatorAddon = Field(
        default_factory=InferenceOperatorAddon,
        description="HyperPod inference operator (model endpoints; docs/addons.md, \"Inference operator\").")


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
    governance = addons.get("task_governance")
    governance = governance if isinstance(governance, dict) else {}
    governance_version = governance.get("version", TASK_GOVERNANCE_VERSION)
    if training_on and governance.get("enabled") is True and isinstance(governance_version, str) \
            and ADDON_VERSION.match(governance_version):
        release = tuple(int(n) for n in governance_version[1:].split("-")[0].split("."))
        if release < TRAINING_OPERATOR_MIN_TASK_GOVERNANCE:
            minimum = "v" + ".".join(map(str, TRAINING_OPERATOR_MIN_TASK_GOVERNANCE)) + "-eksbuild.1"
            problems.append(Problem(
                "hyperpod_addons.task_governance.version", f"got {value_repr(governance_version)} with the training "
                f"operator on; allowed: {minimum} or newer (the training operator refuses to install next to an "
                "older task governance add-on)"))
    tags = raw.get("tags")
    key, value = TRAINING_OPERATOR_CLUSTER_TAG
    if training_on and isinstance(tags, dict) and key in tags and tags[key] != value:
        problems.append(Problem(
            f"tags.{key}", f"got {value_repr(tags[key])} with the training operator on; allowed: {value_repr(value)} "
            "or leave the key out (the operator's managed policy, AmazonSageMakerHyperPodTrainingOperatorAccess, "
            f"only reaches clusters tagged {key}={value}; the stack adds the tag)"))
    observability = addons.get("observability")
    if isinstance(observability, dict) and observability.get("enabled") is True:
        problems += _observability_node_problems(raw.get("hyperpod_instance_groups"))
    problems += _region_problems(raw) + inference_problems(raw) + scheduler_config_problems(raw)
    return problems


# As typed: the ml. prefix is optional.
_SIZE = re.compile(r"^(?:ml\.)?[a-z0-9-]+\.(?:([0-9]+)xlarge|metal(?:-[0-9]+xl)?)$")


def _observability_node_problems(groups: object) -> list[Problem]:
    if not isinstance(groups, list):
        return []
    types = [g.get("instance_type") for g in groups if isinstance(g, dict)]
    if not types or not all(isinstance(t, str) for t in types):
        return []
    for instance_type in types:
        match = _SIZE.match(instance_type)
        if match and (match.group(1) is None or int(match.group(1)) >= OBSERVABILITY_MIN_NODE_SIZE):
            return []
    return [Problem("hyperpod_addons.observability.enabled", f"true with instance types {', '.join(types)}: the "
                    f"observability collector needs a node of size {OBSERVABILITY_MIN_NODE_SIZE}xlarge or larger "
                    "(SageMaker AI developer guide, observability setup); add such a group or its pods stay "
                    "pending", severity="warning")]


def _region_problems(raw: dict) -> list[Problem]:
    region = raw.get("region")
    if not isinstance(region, str) or is_token(region):
        return []
    problems = []
    if region not in hyperpod_regions():
        problems.append(Problem("region", f"got {value_repr(region)}, which AWS's SageMaker HyperPod page does not "
                                "list (listed: " + ", ".join(sorted(hyperpod_regions())) + "); HyperPod and its "
                                "EKS add-ons may not be offered there: check the page's Supported Regions before "
                                "deploying", severity="warning"))
    if raw.get("hyperpod_install_helm_dependencies") is False or region in health_monitoring_agent_regions():
        return problems
    return problems + [Problem(
        "region", f"got {value_repr(region)}: the pinned HyperPod chart has no health monitoring agent image for this "
        "region and silently uses the us-east-1 image, which nodes in private subnets without a NAT gateway cannot "
        f"pull (regions with an image: {', '.join(sorted(health_monitoring_agent_regions()))})", severity="warning")]
