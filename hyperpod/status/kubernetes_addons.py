"""What the EKS cluster says about the add-ons' pods, the device plugin DaemonSets and the FSx for Lustre claim."""

from __future__ import annotations

from dataclasses import dataclass

import urllib3
from kubernetes import client as k8s_client
from kubernetes.client.exceptions import ApiException

from hyperpod.commands.errors import Unreachable
from hyperpod.status.expected import ExpectedClaim, ExpectedDaemonSet
from hyperpod.status.kubernetes import _REQUEST_TIMEOUT, DaemonSetState, _describe_refusal, _short

# Container states a pod does not leave by waiting: the add-on is broken, not starting.
STUCK_REASONS = frozenset({"CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError",
                           "InvalidImageName", "CreateContainerError"})


@dataclass(frozen=True)
class PodState:
    name: str
    phase: str
    ready: bool
    stuck_reason: str | None  # a container waiting for a reason in STUCK_REASONS


@dataclass(frozen=True)
class ClaimState:
    namespace: str
    name: str
    found: bool
    phase: str | None = None  # Pending, Bound or Lost
    volume: str | None = None


@dataclass(frozen=True)
class AddonKubernetesState:
    pods: dict[str, tuple[PodState, ...]]  # namespace -> its pods
    daemonsets: dict[tuple[str, str], DaemonSetState | None]  # (namespace, name) -> state, None when missing
    claim: ClaimState | None


def _pod_state(pod) -> PodState:
    status = pod.status
    conditions = (status.conditions if status else None) or []
    ready = any(c.type == "Ready" and c.status == "True" for c in conditions)
    stuck = None
    for container in (status.container_statuses if status else None) or []:
        waiting = container.state.waiting if container.state else None
        if waiting is not None and waiting.reason in STUCK_REASONS:
            stuck = waiting.reason
            break
    return PodState(pod.metadata.name, (status.phase if status else None) or "Unknown", ready, stuck)


def _pods(core: k8s_client.CoreV1Api, namespace: str) -> tuple[PodState, ...]:
    listed = core.list_namespaced_pod(namespace, _request_timeout=_REQUEST_TIMEOUT)
    return tuple(_pod_state(pod) for pod in listed.items)


def _daemonsets(apps: k8s_client.AppsV1Api, namespace: str, names: set[str]) -> dict:
    """The named DaemonSets of one namespace (one request however many), None for each one missing."""
    listed = apps.list_namespaced_daemon_set(namespace, _request_timeout=_REQUEST_TIMEOUT)
    found = {(namespace, name): None for name in names}
    for item in listed.items:
        if item.metadata.name in names:
            found[(namespace, item.metadata.name)] = DaemonSetState(
                name=item.metadata.name,
                desired=(item.status.desired_number_scheduled or 0) if item.status else 0,
                ready=(item.status.number_ready or 0) if item.status else 0)
    return found


def _claim(core: k8s_client.CoreV1Api, expected: ExpectedClaim) -> ClaimState:
    try:
        claim = core.read_namespaced_persistent_volume_claim(expected.name, expected.namespace,
                                                             _request_timeout=_REQUEST_TIMEOUT)
    except ApiException as error:
        if error.status == 404:
            return ClaimState(expected.namespace, expected.name, found=False)
        raise
    return ClaimState(expected.namespace, expected.name, True,
                      claim.status.phase if claim.status else None, claim.spec.volume_name if claim.spec else None)


def fetch_addon_kubernetes_state(api: k8s_client.ApiClient, namespaces, daemonsets: tuple[ExpectedDaemonSet, ...],
                                 claim: ExpectedClaim | None) -> AddonKubernetesState:
    """Read the pods of each namespace, each expected DaemonSet and the claim; raise Unreachable on API trouble."""
    core, apps = k8s_client.CoreV1Api(api), k8s_client.AppsV1Api(api)
    steps = [(f"listing Pods in {ns}", ("pods", ns), lambda ns=ns: _pods(core, ns)) for ns in namespaces]
    wanted: dict[str, set[str]] = {}
    for d in daemonsets:
        wanted.setdefault(d.namespace, set()).add(d.name)
    steps += [(f"listing DaemonSets in {ns}", ("daemonsets", ns),
               lambda ns=ns, names=names: _daemonsets(apps, ns, names)) for ns, names in sorted(wanted.items())]
    if claim is not None:
        steps.append((f"reading PersistentVolumeClaim {claim.name} in {claim.namespace}", ("claim", None),
                      lambda: _claim(core, claim)))
    pods, found, claim_state = {}, {}, None
    for what, (kind, key), step in steps:
        try:
            result = step()
        except ApiException as error:
            raise Unreachable(_describe_refusal(error, what)) from None
        except (urllib3.exceptions.HTTPError, OSError) as error:
            raise Unreachable(f"could not reach the Kubernetes API at {api.configuration.host} ({what}): "
                              f"{_short(error)}") from None
        if kind == "pods":
            pods[key] = result
        elif kind == "daemonsets":
            found.update(result)
        else:
            claim_state = result
    return AddonKubernetesState(pods, found, claim_state)
