"""What a deployment should have beyond the HyperPod chart: EKS add-ons (from `--addon` or the config file), the
device plugin DaemonSets its instance types need, and the FSx for Lustre claim.

The add-on and Kubernetes names here are the contract the stack deploys (hyperpod/addons); a test checks they
agree, since this module must not import the constructs (the command stays free of cdktf).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hyperpod import instance_types
from hyperpod.commands.errors import UsageError

TRAINING_OPERATOR = "amazon-sagemaker-hyperpod-training-operator"
TASK_GOVERNANCE = "amazon-sagemaker-hyperpod-taskgovernance"
OBSERVABILITY = "amazon-sagemaker-hyperpod-observability"
FSX_CSI_DRIVER = "aws-fsx-csi-driver"
CERT_MANAGER = "cert-manager"
POD_IDENTITY_AGENT = "eks-pod-identity-agent"
INFERENCE_OPERATOR = "amazon-sagemaker-hyperpod-inference"
S3_CSI_DRIVER = "aws-mountpoint-s3-csi-driver"
METRICS_SERVER = "metrics-server"

# Where each add-on's pods run: (namespace, pod name prefix, or None when the add-on owns the whole namespace).
# - training operator: SageMaker AI developer guide, "Installing the training operator" (namespace aws-hyperpod,
#   controller hp-training-operator-controller-manager); aws-hyperpod also holds the chart's agents, hence the prefix.
# - task governance installs Kueue into kueue-system (Kueue's own install namespace).
# - observability: SageMaker AI developer guide, observability troubleshooting (namespace hyperpod-observability).
# - FSx CSI driver: Amazon EKS user guide, "Deploy the FSx for Lustre driver" (fsx-csi-controller Deployment and
#   fsx-csi-node DaemonSet in kube-system).
# - cert-manager runs in cert-manager; the EKS Pod Identity Agent is a DaemonSet eks-pod-identity-agent in kube-system.
# - inference operator: its controller, the AWS Load Balancer Controller and KEDA run in hyperpod-inference-system
#   (SageMaker AI developer guide, model deployment setup and troubleshooting); the S3 CSI driver's node pods are
#   s3-csi-node-* in kube-system (EKS user guide, Mountpoint for Amazon S3 CSI driver); metrics-server's Deployment
#   is metrics-server in kube-system (EKS user guide, "View resource usage with the Kubernetes Metrics Server").
ADDON_PODS: dict[str, tuple[str, str | None]] = {
    TRAINING_OPERATOR: ("aws-hyperpod", "hp-training-operator-"),
    TASK_GOVERNANCE: ("kueue-system", None),
    OBSERVABILITY: ("hyperpod-observability", None),
    FSX_CSI_DRIVER: ("kube-system", "fsx-csi-"),
    CERT_MANAGER: ("cert-manager", None),
    POD_IDENTITY_AGENT: ("kube-system", "eks-pod-identity-agent-"),
    INFERENCE_OPERATOR: ("hyperpod-inference-system", None),
    S3_CSI_DRIVER: ("kube-system", "s3-csi-"),
    METRICS_SERVER: ("kube-system", "metrics-server-"),
}

# EKS CreateAddon addonName: 1-100 characters, a letter or digit first, then letters, digits, '-' and '_'
# (Amazon EKS API reference, CreateAddon request parameters).
ADDON_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$")
# EKS cluster names: 1-100 characters, letters, digits, '-' and '_', a letter or digit first (CreateCluster).
EKS_CLUSTER_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$")

# Device plugin DaemonSets as the pinned chart renders them (aws/sagemaker-hyperpod-cli @011ca927): the nvidia and EFA
# subcharts name theirs with Helm's fullname rule (`<release>-<chart>`, or the release name when it already contains
# the chart name, cut to 63 characters); the nvidia one is pinned to kube-system by the chart's `namespaceOverride`,
# the EFA one lands in the release's namespace; the chart's own neuron template names it neuron-device-plugin-daemonset
# in kube-system.
NVIDIA_CHART, EFA_CHART = "nvidia-device-plugin", "aws-efa-k8s-device-plugin"
NEURON_DAEMONSET = "neuron-device-plugin-daemonset"
DEVICE_PLUGIN_NAMESPACE = "kube-system"


@dataclass(frozen=True)
class ExpectedAddon:
    name: str
    namespace: str | None  # None: an add-on this tool does not know the pods of (only its status is checked)
    pod_prefix: str | None


@dataclass(frozen=True)
class ExpectedDaemonSet:
    plugin: str  # nvidia, neuron or efa
    name: str
    namespace: str
    needed_by: tuple[str, ...]  # instance types that need it


@dataclass(frozen=True)
class ExpectedClaim:
    namespace: str
    name: str


@dataclass(frozen=True)
class Expectations:
    """What beyond the chart to check; empty when neither --addon nor --config was given."""

    addons: tuple[ExpectedAddon, ...] = ()
    claim: ExpectedClaim | None = None
    eks_cluster: str | None = None  # from the config's eks_cluster_name
    # The cluster policy's name when the config has task governance create one (its scheduler_config).
    scheduler_policy: str | None = None


def expected_addon(name: str) -> ExpectedAddon:
    namespace, prefix = ADDON_PODS.get(name, (None, None))
    return ExpectedAddon(name, namespace, prefix)


def _helm_fullname(release: str, chart: str) -> str:
    name = release if chart in release else f"{release}-{chart}"
    return name[:63].rstrip("-")


def expected_device_plugins(instance_type_names, release_name: str,
                            release_namespace: str) -> tuple[ExpectedDaemonSet, ...]:
    """The device plugin DaemonSets the chart runs for these instance types, each with the types that need it."""
    types = sorted({instance_types.normalize(t) for t in instance_type_names if t})
    needed_by = {plugin: tuple(t for t in types if plugin in instance_types.device_plugins_needed([t]))
                 for plugin in ("nvidia", "neuron", "efa")}
    where = {
        "nvidia": (_helm_fullname(release_name, NVIDIA_CHART), DEVICE_PLUGIN_NAMESPACE),
        "neuron": (NEURON_DAEMONSET, DEVICE_PLUGIN_NAMESPACE),
        "efa": (_helm_fullname(release_name, EFA_CHART), release_namespace),
    }
    return tuple(ExpectedDaemonSet(plugin, *where[plugin], needed_by[plugin])
                 for plugin in ("nvidia", "neuron", "efa") if needed_by[plugin])


def read_config_option(path: str):
    """The --config file through the one config reader main.py uses (hyperpod.app.configs), as (config, warnings);
    its errors as one-line UsageErrors naming --config."""
    from hyperpod.app.configs import UsageError as ConfigUsageError
    from hyperpod.app.configs import read_config

    try:
        return read_config(Path(path))
    except ConfigUsageError as error:
        first, *problems = (line.strip() for line in str(error).splitlines())
        raise UsageError(" ".join(["--config:", first, "; ".join(problems)]).rstrip()) from None


def stack_addons(config) -> tuple[tuple[str, str, str], ...]:
    """The EKS add-ons the stack installs for this config, in install order: (name, pinned version, the config key
    that pins it). Versions are read from the config, whose defaults live in hyperpod.config.addons."""
    addons, fsx = config.hyperpod_addons, config.hyperpod_fsx_lustre
    keys = "hyperpod_addons.{}.version"
    pins = []
    if addons.training_operator.enabled:
        pins.append((TRAINING_OPERATOR, addons.training_operator.version, keys.format("training_operator")))
    inference = addons.inference_operator
    if (addons.training_operator.enabled or inference.enabled) and not addons.cert_manager.already_installed:
        pins.append((CERT_MANAGER, addons.cert_manager.version, keys.format("cert_manager")))
    if addons.task_governance.enabled:
        pins.append((TASK_GOVERNANCE, addons.task_governance.version, keys.format("task_governance")))
    if addons.observability.enabled:
        pins.append((OBSERVABILITY, addons.observability.version, keys.format("observability")))
    if fsx.enabled:  # the stack's file system brings the driver; the inference operator then reuses it
        pins.append((FSX_CSI_DRIVER, fsx.csi_driver_version, "hyperpod_fsx_lustre.csi_driver_version"))
    elif inference.enabled and not inference.fsx_csi_driver.already_installed:
        pins.append((FSX_CSI_DRIVER, inference.fsx_csi_driver.version,
                     keys.format("inference_operator.fsx_csi_driver")))
    if inference.enabled:
        pins.append((INFERENCE_OPERATOR, inference.version, keys.format("inference_operator")))
        pins += [(name, dependency.version, keys.format(f"inference_operator.{key}"))
                 for name, key, dependency in ((S3_CSI_DRIVER, "s3_csi_driver", inference.s3_csi_driver),
                                               (METRICS_SERVER, "metrics_server", inference.metrics_server))
                 if not dependency.already_installed]
    needs_pod_identity = addons.training_operator.enabled or addons.observability.enabled or fsx.enabled
    if needs_pod_identity and not addons.pod_identity_agent.already_installed:
        pins.append((POD_IDENTITY_AGENT, addons.pod_identity_agent.version, keys.format("pod_identity_agent")))
    return tuple(pins)


def _from_config(path: str) -> Expectations:
    config, _warnings = read_config_option(path)
    fsx = config.hyperpod_fsx_lustre
    claim = ExpectedClaim(fsx.namespace, fsx.claim_name) if fsx.enabled else None
    addons = tuple(expected_addon(name) for name, _, _ in stack_addons(config))
    governance = config.hyperpod_addons.task_governance
    # The stack creates the policy with the add-on (hyperpod/addons/task_governance.py), never without it.
    policy = governance.scheduler_config.name if governance.enabled and governance.scheduler_config else None
    return Expectations(addons, claim, config.eks_cluster_name, policy)


def expectations(addon_names: list[str] | None, config_path: str | None) -> Expectations:
    """--config's add-ons and claim, plus every --addon (once each, in the order given)."""
    for name in addon_names or ():
        if not ADDON_NAME.match(name):
            raise UsageError(f"--addon: {name!r} is not an EKS add-on name (1-100 letters, digits, '-' and '_', "
                             f"starting with a letter or digit), e.g. {TASK_GOVERNANCE}")
    base = _from_config(config_path) if config_path else Expectations()
    seen = [a.name for a in base.addons]
    extra = [expected_addon(n) for n in dict.fromkeys(addon_names or ()) if n not in seen]
    return Expectations(base.addons + tuple(extra), base.claim, base.eks_cluster, base.scheduler_policy)
