"""A tiny Kubernetes API server: serves NodeList, DaemonSetList, SecretList and PodList JSON and single
PersistentVolumeClaims as the real API does (list kind/apiVersion/metadata, items without kind, labels, conditions,
limit/continue paging, equality label selectors), so the real kubernetes client can be tested offline."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

import yaml

from tests.status.local_server import LocalServer

CLUSTER_LABEL = "sagemaker.amazonaws.com/cluster-name"


def node(name: str, cluster: str = "ml-cluster", group: str = "worker", *, ready: bool = True,
         health: str | None = "Schedulable", deep: str | None = None,
         instance_type: str = "ml.g5.8xlarge", cordoned: bool = False, labelled: bool = True) -> dict:
    labels = {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": instance_type,
        "sagemaker.amazonaws.com/compute-type": "hyperpod",
        "sagemaker.amazonaws.com/instance-group-name": group,
    }
    if labelled:
        labels[CLUSTER_LABEL] = cluster
    if health is not None:
        labels["sagemaker.amazonaws.com/node-health-status"] = health
    if deep is not None:
        labels["sagemaker.amazonaws.com/deep-health-check-status"] = deep
    spec = {"providerID": f"aws:///us-west-2a/{name.removeprefix('hyperpod-')}"}
    if cordoned:
        spec["unschedulable"] = True
    return {
        "metadata": {"name": name, "uid": f"uid-{name}", "resourceVersion": "1",
                     "creationTimestamp": "2026-01-01T00:00:00Z", "labels": labels},
        "spec": spec,
        "status": {"conditions": [
            {"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory",
             "lastHeartbeatTime": "2026-01-01T00:00:00Z", "lastTransitionTime": "2026-01-01T00:00:00Z"},
            {"type": "Ready", "status": "True" if ready else "False",
             "reason": "KubeletReady" if ready else "KubeletNotReady",
             "message": "kubelet is posting ready status" if ready else "container runtime is down",
             "lastHeartbeatTime": "2026-01-01T00:00:00Z", "lastTransitionTime": "2026-01-01T00:00:00Z"},
        ]},
    }


def daemonset(name: str, desired: int, ready: int, namespace: str = "aws-hyperpod") -> dict:
    return {
        "metadata": {"name": name, "namespace": namespace, "uid": f"uid-{name}", "generation": 1,
                     "labels": {"app": name}},
        "spec": {"selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": name, "image": "agent:1"}]}}},
        "status": {"currentNumberScheduled": desired, "desiredNumberScheduled": desired,
                   "numberMisscheduled": 0, "numberReady": ready, "numberAvailable": ready,
                   "updatedNumberScheduled": desired, "observedGeneration": 1},
    }


def helm_secret(release: str, revision: int, status: str = "deployed",
                namespace: str = "kube-system") -> dict:
    return {
        "metadata": {"name": f"sh.helm.release.v1.{release}.v{revision}", "namespace": namespace,
                     "uid": f"uid-{release}-{revision}",
                     "labels": {"name": release, "owner": "helm", "status": status,
                                "version": str(revision), "modifiedAt": "1767225600"}},
        "type": "helm.sh/release.v1",
        "data": {"release": base64.b64encode(b"H4sIAAAAAAAA/release-payload").decode()},
    }


def pod(name: str, namespace: str, *, ready: bool = True, phase: str = "Running",
        waiting: str | None = None) -> dict:
    """A pod as the API lists it; `waiting` puts its container in that waiting reason (e.g. CrashLoopBackOff)."""
    state = {"waiting": {"reason": waiting, "message": "back-off"}} if waiting else \
        {"running": {"startedAt": "2026-01-01T00:00:00Z"}}
    return {
        "metadata": {"name": name, "namespace": namespace, "uid": f"uid-{namespace}-{name}", "labels": {}},
        "spec": {"containers": [{"name": "main", "image": "addon:1"}]},
        "status": {"phase": phase, "conditions": [
            {"type": "Ready", "status": "True" if ready else "False",
             "lastTransitionTime": "2026-01-01T00:00:00Z"}],
            "containerStatuses": [{"name": "main", "image": "addon:1", "imageID": "", "ready": ready,
                                   "restartCount": 0, "state": state}]},
    }


def claim(name: str, namespace: str, phase: str = "Bound", volume: str | None = "ml-cluster-fsx-lustre") -> dict:
    spec = {"accessModes": ["ReadWriteMany"], "storageClassName": "",
            "resources": {"requests": {"storage": "1200Gi"}}}
    if volume:
        spec["volumeName"] = volume
    return {"kind": "PersistentVolumeClaim", "apiVersion": "v1",
            "metadata": {"name": name, "namespace": namespace, "uid": f"uid-pvc-{name}"},
            "spec": spec, "status": {"phase": phase}}


class KubernetesState:
    """What the fake API serves; tests mutate it (under `lock`) between or during requests."""

    def __init__(self):
        self.lock = threading.Lock()
        self.nodes: list[dict] = []
        self.daemonsets: list[dict] = []
        self.secrets: list[dict] = []
        self.pods: list[dict] = []
        self.claims: list[dict] = []
        self.requests: list[str] = []
        self.fail_with: int | None = None  # answer every request with this HTTP status
        # (n, nodes): from the n-th node list on, serve `nodes`. A change that lands after a given number of polls,
        # not after some time, so no machine load can reorder it.
        self.nodes_from_poll: tuple[int, list[dict]] | None = None


def _matches(labels: dict, selector: str) -> bool:
    for term in filter(None, selector.split(",")):
        key, _, value = term.partition("=")
        if labels.get(key) != value:
            return False
    return True


class _Handler(BaseHTTPRequestHandler):
    state: KubernetesState

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _send(self, status: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _list(self, kind: str, api_version: str, items: list[dict], query: dict) -> None:
        selector = query.get("labelSelector", [""])[0]
        items = [i for i in items if _matches(i["metadata"].get("labels", {}), selector)]
        start = int(query.get("continue", ["0"])[0] or 0)
        limit = int(query.get("limit", ["0"])[0] or 0)
        end = start + limit if limit else len(items)
        metadata = {"resourceVersion": "4242"}
        if end < len(items):
            metadata["continue"] = str(end)
            metadata["remainingItemCount"] = len(items) - end
        self._send(200, {"kind": kind, "apiVersion": api_version, "metadata": metadata,
                         "items": items[start:end]})

    def do_GET(self):  # noqa: N802 (http.server naming)
        url = urlparse(self.path)
        query = parse_qs(url.query)
        state = self.state
        with state.lock:
            state.requests.append(self.path)
            if state.fail_with is not None:
                status = state.fail_with
                self._send(status, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                    "status": "Failure", "message": "nodes is forbidden",
                                    "reason": "Forbidden", "code": status})
                return
            parts = url.path.strip("/").split("/")
            if url.path == "/api/v1/nodes":
                polls = sum(path.startswith("/api/v1/nodes") for path in state.requests)
                if state.nodes_from_poll is not None and polls >= state.nodes_from_poll[0]:
                    state.nodes = state.nodes_from_poll[1]
                self._list("NodeList", "v1", state.nodes, query)
            elif parts[:3] == ["apis", "apps", "v1"] and parts[5:] == ["daemonsets"]:
                ns = [d for d in state.daemonsets if d["metadata"]["namespace"] == parts[4]]
                self._list("DaemonSetList", "apps/v1", ns, query)
            elif parts[:2] == ["api", "v1"] and parts[4:] == ["secrets"]:
                ns = [s for s in state.secrets if s["metadata"]["namespace"] == parts[3]]
                self._list("SecretList", "v1", ns, query)
            elif parts[:2] == ["api", "v1"] and parts[4:] == ["pods"]:
                ns = [p for p in state.pods if p["metadata"]["namespace"] == parts[3]]
                self._list("PodList", "v1", ns, query)
            elif parts[:2] == ["api", "v1"] and parts[4:5] == ["persistentvolumeclaims"] and len(parts) == 6:
                found = [c for c in state.claims
                         if (c["metadata"]["namespace"], c["metadata"]["name"]) == (parts[3], parts[5])]
                if found:
                    self._send(200, found[0])
                else:
                    self._send(404, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                     "message": f'persistentvolumeclaims "{parts[5]}" not found',
                                     "reason": "NotFound", "code": 404})
            else:
                self._send(404, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                 "status": "Failure", "message": "the server could not find the "
                                 "requested resource", "reason": "NotFound", "code": 404})


class FakeKubernetes(LocalServer):
    def __init__(self):
        super().__init__(_Handler, KubernetesState())

    def write_kubeconfig(self, path, context: str = "hyperpod-test") -> str:
        config = {
            "apiVersion": "v1", "kind": "Config", "current-context": context,
            "clusters": [{"name": "eks", "cluster": {"server": self.url}}],
            "users": [{"name": "tester", "user": {"token": "test-token"}}],
            "contexts": [{"name": context, "context": {"cluster": "eks", "user": "tester"}}],
        }
        path.write_text(yaml.safe_dump(config))
        return str(path)
