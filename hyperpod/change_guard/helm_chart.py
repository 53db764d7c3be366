"""Changes that would uninstall AWS's HyperPod Helm chart under the running cluster: its release gone from the
synthesis, or moved to another name or namespace (a release's identity), which helm does as an uninstall and a new
install."""

from __future__ import annotations

import json

from hyperpod.change_guard.change import DangerousChange
from hyperpod.change_guard.previous import RELEASE_TYPE

# What the HyperPod chart's value keys install (chart audit in HYPERPOD.md): what an uninstall takes away.
CHART_COMPONENTS = {
    "health-monitoring-agent": "health monitoring agent (DaemonSets in aws-hyperpod)",
    "deep-health-check": "deep health check RBAC and the aws-hyperpod namespace",
    "job-auto-restart": "job auto-restart RBAC",
    "hyperpod-patching": "HyperPod patching RBAC",
    "trainingOperators": "Kubeflow training operator",
    "mpi-operator": "MPI operator",
    "nvidia-device-plugin": "NVIDIA device plugin",
    "neuron-device-plugin": "Neuron device plugin",
    "aws-efa-k8s-device-plugin": "EFA device plugin",
}


def _chart_components(values: list) -> list[str]:
    """The chart components a release's values switch on; all of them when the values cannot be read."""
    enabled: list[str] = []
    try:
        merged = {key: item for text in values for key, item in json.loads(text).items()}
    except (ValueError, TypeError, AttributeError, RecursionError):
        return list(CHART_COMPONENTS.values())
    for key, component in CHART_COMPONENTS.items():
        setting = merged.get(key)
        if isinstance(setting, dict) and isinstance(setting.get("devicePlugin"), dict):
            setting = setting["devicePlugin"]
        if isinstance(setting, dict) and setting.get("enabled") is True:
            enabled.append(component)
    return enabled


def _is_hyperpod_chart(release: dict) -> bool:
    """The HyperPod chart's release (HyperPodHelmDependencies), not another one the stack installs (Karpenter's)."""
    metadata = release.get("//", {}).get("metadata", {}) if isinstance(release.get("//"), dict) else {}
    path = metadata.get("path") if isinstance(metadata, dict) else None
    return (isinstance(path, str) and path.endswith("/helm-dependencies/release")) or \
        any('"health-monitoring-agent"' in text for text in release.get("values", []))


def chart_uninstall(name: str, old_document: dict, new_document: dict) -> list[DangerousChange]:
    """The HyperPod chart's release gone from the new synthesis is uninstalled by Terraform, under the running
    cluster."""
    old_releases = old_document.get("resource", {}).get(RELEASE_TYPE, {})
    new_releases = new_document.get("resource", {}).get(RELEASE_TYPE, {})
    changes = []
    for logical_id, release in old_releases.items():
        if not _is_hyperpod_chart(release):
            continue
        if logical_id in new_releases:
            changes += _chart_reinstall(name, release, new_releases[logical_id])
            continue
        components = ", ".join(_chart_components(release.get("values", []))) or "no enabled components"
        changes.append(DangerousChange(
            f"cluster {name!r}: Helm release {release['name']!r} in namespace {release.get('namespace')!r} would be "
            f"uninstalled (hyperpod_install_helm_dependencies false?), removing: {components}",
            "the running cluster relies on them: without the agent and the RBAC, HyperPod no longer labels, checks "
            "or replaces faulty nodes, deep health checks cannot run on new instances and jobs stop auto-resuming",
            "keep hyperpod_install_helm_dependencies true; to hand the chart to another tool, first run "
            f"`terraform state rm {RELEASE_TYPE}.{logical_id}` (Terraform forgets it, nothing is uninstalled), "
            "then synthesize with --allow-replace"))
    return changes


def _chart_reinstall(name: str, old: dict, new: dict) -> list[DangerousChange]:
    """A new release name or namespace replaces the release: helm uninstalls it (and the aws-hyperpod namespace it
    owns, with whatever else runs there) before installing it again."""
    moved = [f"{key} {old.get(key)!r} -> {new.get(key)!r}" for key in ("name", "namespace")
             if old.get(key) != new.get(key)]
    if not moved:
        return []
    components = ", ".join(_chart_components(old.get("values", []))) or "no enabled components"
    return [DangerousChange(
        f"cluster {name!r}: the HyperPod chart's Helm release would be replaced ({'; '.join(moved)}): uninstalled, "
        f"then installed again, removing meanwhile: {components}",
        "a release's name and namespace cannot change in place; the uninstall deletes the aws-hyperpod namespace the "
        "release owns, with the training operator add-on's objects in it, under the running cluster",
        "keep hyperpod_helm_chart.release_name and .namespace as deployed; to move the release on purpose, do it in a "
        "maintenance window with --allow-replace")]
