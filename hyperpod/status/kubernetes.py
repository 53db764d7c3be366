"""What the EKS cluster says about HyperPod: its nodes, the aws-hyperpod components and the Helm release."""

from __future__ import annotations

from dataclasses import dataclass

import urllib3
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from hyperpod.commands.errors import Unreachable, UsageError

CLUSTER_NAME_LABEL = "sagemaker.amazonaws.com/cluster-name"
INSTANCE_GROUP_LABEL = "sagemaker.amazonaws.com/instance-group-name"
NODE_HEALTH_LABEL = "sagemaker.amazonaws.com/node-health-status"
DEEP_HEALTH_LABEL = "sagemaker.amazonaws.com/deep-health-check-status"
INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type"
HYPERPOD_NAMESPACE = "aws-hyperpod"  # fixed by the HyperPod Helm chart; AWS says it cannot be renamed
# HyperPod names its Kubernetes nodes after the EC2 instance: hyperpod-i-0123456789abcdef0.
NODE_NAME_PREFIX = "hyperpod-"

# (connect, read) seconds: a dead API server must not hang a pipeline.
_REQUEST_TIMEOUT = (5, 30)
_PAGE_SIZE = 250


@dataclass(frozen=True)
class KubeNode:
    name: str
    instance_id: str | None
    group: str
    instance_type: str
    ready: bool
    ready_reason: str
    health: str | None
    deep_health: str | None
    cordoned: bool


@dataclass(frozen=True)
class DaemonSetState:
    name: str
    desired: int
    ready: int


@dataclass(frozen=True)
class HelmRelease:
    name: str
    namespace: str
    revision: int
    status: str


@dataclass(frozen=True)
class KubernetesState:
    nodes: tuple[KubeNode, ...]
    daemonsets: tuple[DaemonSetState, ...]
    release: HelmRelease | None


def api_client(kubeconfig: str | None, context: str | None) -> k8s_client.ApiClient:
    """Build a client from a kubeconfig file; configuration problems are usage errors."""
    try:
        return k8s_config.new_client_from_config(config_file=kubeconfig, context=context)
    # Not just ConfigException: on a malformed file the loader raises whatever its walk hits (yaml.YAMLError,
    # KeyError, AttributeError, IndexError, RecursionError on absurd nesting, ...). All of them are the user's file.
    except Exception as error:  # noqa: BLE001
        where = kubeconfig or "the default kubeconfig (KUBECONFIG or ~/.kube/config)"
        known = _context_names(kubeconfig)
        if context is not None and known is not None and context not in known:
            raise UsageError(f"--context: {context!r} is not in {where}; it has: "
                             f"{', '.join(known) or 'no contexts'}") from None
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if isinstance(error, RecursionError):
            reason = "not a valid kubeconfig: nested too deeply"
        elif not isinstance(error, (ConfigException, OSError)):
            reason = f"not a valid kubeconfig ({type(error).__name__}: {reason})"
        raise UsageError(f"kubeconfig {where}: {reason}") from None


def _context_names(kubeconfig: str | None) -> list[str] | None:
    try:
        contexts, _ = k8s_config.list_kube_config_contexts(config_file=kubeconfig)
    except Exception:  # noqa: BLE001 - only used to improve an error message already being raised
        return None
    return sorted(c["name"] for c in contexts or [])


def _instance_id(name: str, provider_id: str | None) -> str | None:
    if name.startswith(NODE_NAME_PREFIX + "i-"):
        return name[len(NODE_NAME_PREFIX):]
    tail = (provider_id or "").rsplit("/", 1)[-1]
    return tail if tail.startswith("i-") else None


def _is_hyperpod_node(labels: dict[str, str], cluster_name: str) -> bool:
    owner = labels.get(CLUSTER_NAME_LABEL)
    if owner is not None:
        return owner == cluster_name
    # A node that lost (or never got) the cluster label is still HyperPod's if it runs an ml.* type.
    return labels.get(INSTANCE_TYPE_LABEL, "").startswith("ml.")


def _kube_node(node) -> KubeNode:
    labels = node.metadata.labels or {}
    ready = next(
        (c for c in (node.status.conditions or []) if c.type == "Ready") if node.status else (),
        None,
    )
    return KubeNode(
        name=node.metadata.name,
        instance_id=_instance_id(node.metadata.name, node.spec.provider_id if node.spec else None),
        group=labels.get(INSTANCE_GROUP_LABEL, "(no group label)"),
        instance_type=labels.get(INSTANCE_TYPE_LABEL, ""),
        ready=ready is not None and ready.status == "True",
        ready_reason="" if ready is None else (ready.reason or ""),
        health=labels.get(NODE_HEALTH_LABEL),
        deep_health=labels.get(DEEP_HEALTH_LABEL),
        cordoned=bool(node.spec and node.spec.unschedulable),
    )


def _hyperpod_nodes(core: k8s_client.CoreV1Api, cluster_name: str) -> tuple[KubeNode, ...]:
    nodes, token = [], None
    while True:
        kwargs = {"limit": _PAGE_SIZE, "_request_timeout": _REQUEST_TIMEOUT}
        if token:
            kwargs["_continue"] = token
        page = core.list_node(**kwargs)
        nodes += [
            _kube_node(node)
            for node in page.items
            if _is_hyperpod_node(node.metadata.labels or {}, cluster_name)
        ]
        token = page.metadata._continue if page.metadata else None
        if not token:
            return tuple(nodes)


def _daemonsets(apps: k8s_client.AppsV1Api) -> tuple[DaemonSetState, ...]:
    listed = apps.list_namespaced_daemon_set(HYPERPOD_NAMESPACE, _request_timeout=_REQUEST_TIMEOUT)
    return tuple(
        DaemonSetState(
            name=item.metadata.name,
            desired=(item.status.desired_number_scheduled or 0) if item.status else 0,
            ready=(item.status.number_ready or 0) if item.status else 0,
        )
        for item in listed.items
    )


def _helm_release(core: k8s_client.CoreV1Api, name: str, namespace: str) -> HelmRelease | None:
    # Helm's default storage driver keeps one Secret per revision, labelled owner=helm,name=<release>,
    # with the revision and its status (deployed, failed, pending-install, ...) as labels too.
    listed = core.list_namespaced_secret(
        namespace, label_selector=f"owner=helm,name={name}", _request_timeout=_REQUEST_TIMEOUT
    )
    revisions = []
    for secret in listed.items:
        labels = secret.metadata.labels or {}
        try:
            revisions.append((int(labels.get("version", "0")), labels.get("status", "unknown")))
        except ValueError:
            continue
    if not revisions:
        return None
    revision, status = max(revisions)
    return HelmRelease(name=name, namespace=namespace, revision=revision, status=status)


def _describe_refusal(error: ApiException, what: str) -> str:
    reason = (error.reason or "").strip()
    return f"Kubernetes API refused {what}: HTTP {error.status} {reason}".rstrip()


def fetch_kubernetes_state(
    api: k8s_client.ApiClient,
    cluster_name: str,
    release_name: str,
    release_namespace: str,
) -> KubernetesState:
    """Read nodes, aws-hyperpod DaemonSets and the Helm release; raise Unreachable on API trouble."""
    core, apps = k8s_client.CoreV1Api(api), k8s_client.AppsV1Api(api)
    server = api.configuration.host
    steps = (
        ("listing nodes", lambda: _hyperpod_nodes(core, cluster_name)),
        (f"listing DaemonSets in {HYPERPOD_NAMESPACE}", lambda: _daemonsets(apps)),
        (
            f"listing Secrets in {release_namespace}",
            lambda: _helm_release(core, release_name, release_namespace),
        ),
    )
    results = []
    for what, step in steps:
        try:
            results.append(step())
        except ApiException as error:
            raise Unreachable(_describe_refusal(error, what)) from None
        except (urllib3.exceptions.HTTPError, OSError) as error:
            raise Unreachable(f"could not reach the Kubernetes API at {server} ({what}): {_short(error)}") from None
    nodes, daemonsets, release = results
    return KubernetesState(nodes=nodes, daemonsets=daemonsets, release=release)


def fetch_hyperpod_nodes(api: k8s_client.ApiClient, cluster_name: str) -> tuple[KubeNode, ...]:
    """Only the cluster's HyperPod nodes (their health labels); raise Unreachable on API trouble."""
    what = "listing nodes"
    try:
        return _hyperpod_nodes(k8s_client.CoreV1Api(api), cluster_name)
    except ApiException as error:
        raise Unreachable(_describe_refusal(error, what)) from None
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise Unreachable(f"could not reach the Kubernetes API at {api.configuration.host} ({what}): "
                          f"{_short(error)}") from None


def _short(error: Exception) -> str:
    # urllib3's MaxRetryError repeats the whole connection object; its innermost reason is what matters.
    reason = getattr(error, "reason", None) or error
    text = str(reason)
    if "] " in text and "Errno" in text:
        text = text[text.index("[Errno"):]
    return text.splitlines()[0] if text else type(error).__name__
