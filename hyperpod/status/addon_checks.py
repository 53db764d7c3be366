"""Checks beyond the chart: each expected EKS add-on ACTIVE and its pods ready, the device plugin DaemonSets the
instance types need, and the FSx for Lustre claim Bound."""

from __future__ import annotations

from hyperpod.status.checks import FAIL, PASS, PENDING, Check, _count, _names
from hyperpod.status.eks import AddonState
from hyperpod.status.expected import ExpectedAddon, ExpectedClaim, ExpectedDaemonSet
from hyperpod.status.kubernetes_addons import AddonKubernetesState, PodState

# EKS Addon.status values (Amazon EKS API reference, Addon data type). DEGRADED counts as a failure: EKS reports it
# when the add-on's workload is unhealthy, which waiting alone rarely fixes.
_ADDON_STATUS = {"ACTIVE": PASS, "CREATING": PENDING, "UPDATING": PENDING}
_CLAIM_STATUS = {"Bound": PASS, "Pending": PENDING}


def addon_check(addon: AddonState, eks_cluster: str) -> Check:
    name = f"eks: addon {addon.name}"
    if not addon.found:
        return Check(name, FAIL, f"not installed on EKS cluster {eks_cluster}")
    detail = f"{addon.status or 'unknown'}, version {addon.version or 'unknown'}"
    if addon.issues:
        detail += f"; {'; '.join(addon.issues[:3])}"
    return Check(name, _ADDON_STATUS.get(addon.status, FAIL), detail)


def _pod_reason(pod: PodState) -> str:
    return pod.stuck_reason or pod.phase


def addon_pods_check(expected: ExpectedAddon, pods: tuple[PodState, ...], addon: AddonState) -> Check:
    name = f"kubernetes: addon {expected.name} pods"
    where = expected.namespace if expected.pod_prefix is None else f"{expected.namespace} ({expected.pod_prefix}*)"
    # Completed pods (one-off jobs such as cert-manager's startup check) are done, not unhealthy.
    mine = [p for p in pods if p.phase != "Succeeded"
            and (expected.pod_prefix is None or p.name.startswith(expected.pod_prefix))]
    if not mine:
        # Before EKS has finished installing the add-on, no pods is progress; afterwards it is a fault.
        status = PENDING if addon.found and addon.status in ("CREATING", "UPDATING") else FAIL
        return Check(name, status, f"no pods in {where}")
    not_ready = [p for p in mine if not p.ready]
    detail = f"{len(mine) - len(not_ready)} of {_count(len(mine), 'pod')} ready in {where}"
    if not not_ready:
        return Check(name, PASS, detail)
    stuck = any(p.stuck_reason or p.phase in ("Failed", "Unknown") for p in not_ready)
    detail += f"; not ready: {_names(f'{p.name} ({_pod_reason(p)})' for p in not_ready)}"
    return Check(name, FAIL if stuck else PENDING, detail)


def device_plugin_check(expected: ExpectedDaemonSet, state: AddonKubernetesState) -> Check:
    name = f"kubernetes: daemonset {expected.name}"
    found = state.daemonsets.get((expected.namespace, expected.name))
    if found is None:
        return Check(name, FAIL, f"{expected.plugin} device plugin DaemonSet not found in {expected.namespace} "
                                 f"(needed by {_names(expected.needed_by)})")
    status = PASS if found.ready >= found.desired else FAIL
    return Check(name, status, f"{found.ready} of {found.desired} pods ready in {expected.namespace}")


def claim_check(expected: ExpectedClaim, state: AddonKubernetesState) -> Check:
    name = f"kubernetes: pvc {expected.namespace}/{expected.name}"
    claim = state.claim
    if claim is None or not claim.found:
        return Check(name, FAIL, f"PersistentVolumeClaim {expected.name} not found in namespace {expected.namespace}")
    detail = f"{claim.phase or 'no phase'}" + (f" to volume {claim.volume}" if claim.volume else "")
    return Check(name, _CLAIM_STATUS.get(claim.phase, FAIL), detail)


def addon_checks(addons: tuple[ExpectedAddon, ...], addon_states: tuple[AddonState, ...], eks_cluster: str,
                 device_plugins: tuple[ExpectedDaemonSet, ...], claim: ExpectedClaim | None,
                 kube: AddonKubernetesState) -> list[Check]:
    checks = []
    for expected, addon in zip(addons, addon_states):
        checks.append(addon_check(addon, eks_cluster))
        if expected.namespace is not None:
            checks.append(addon_pods_check(expected, kube.pods.get(expected.namespace, ()), addon))
    checks += [device_plugin_check(d, kube) for d in device_plugins]
    if claim is not None:
        checks.append(claim_check(claim, kube))
    return checks
