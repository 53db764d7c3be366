"""A local stand-in for the SageMaker operations hyperpod-nodes calls that moto 5.2.5 lacks (BatchRebootClusterNodes,
BatchReplaceClusterNodes, BatchDeleteClusterNodes, StartClusterHealthCheck, ListClusterEvents, ListClusterOperations)
and the two reads they need (DescribeCluster, ListClusterNodes with NodeLogicalIds and working pagination).

It speaks the JSON 1.1 protocol botocore uses for SageMaker (POST /, X-Amz-Target: SageMaker.<Operation>, errors as
{"__type", "message"}), so the real boto3 client is exercised offline. Limits and per-node error codes follow the
SageMaker API model in the pinned botocore. Tests script failures: `errors[operation]` is a queue of whole-call errors
returned before the operation runs (throttling, AccessDenied; None lets one call through); `node_failures[node id]`
makes one node fail with a code; `hooks[operation]` runs before it (to edit a file, or to hold the answer back).
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.status.local_server import LocalServer
from tests.status.moto_launcher import instance_id

ACCOUNT = "123456789012"
READS = frozenset({"DescribeCluster", "ListClusterNodes", "ListClusterEvents", "ListClusterOperations",
                   "DescribeClusterNode", "DescribeClusterEvent"})
PAGE_SIZE = 3  # small, so every listing crosses pages


@dataclass
class Node:
    instance_id: str
    group: str
    instance_type: str
    status: str = "Running"
    logical_id: str | None = None


@dataclass
class Cluster:
    name: str
    groups: dict[str, dict]  # name -> {"type", "target", "min"}
    nodes: list[Node]
    mode: str | None = None
    arn_id: str = "abcdef012345"

    @property
    def arn(self) -> str:
        return f"arn:aws:sagemaker:us-west-2:{ACCOUNT}:cluster/{self.arn_id}"


@dataclass
class StubState:
    lock: threading.Lock = field(default_factory=threading.Lock)
    clusters: dict[str, Cluster] = field(default_factory=dict)
    errors: dict[str, deque] = field(default_factory=dict)  # operation -> deque of (status, type, message)
    node_failures: dict[str, tuple[str, str]] = field(default_factory=dict)  # node id -> (code, message)
    events: list[dict] = field(default_factory=list)
    operations: list[dict] = field(default_factory=list)
    requests: list[tuple[str, dict]] = field(default_factory=list)
    hooks: dict[str, object] = field(default_factory=dict)  # operation -> callable(request) run before it

    def add_cluster(self, name: str, groups: dict[str, int], instance_type: str = "ml.g5.8xlarge",
                    mode: str | None = None, min_counts: dict[str, int] | None = None,
                    pending: dict[str, int] | None = None) -> Cluster:
        """`pending[group]` more nodes not launched yet (Continuous mode): a logical id, no instance id."""
        nodes = [Node(instance_id(name, group, index), group, instance_type,
                      logical_id=f"{group}-node-{index}" if mode == "Continuous" else None)
                 for group, count in groups.items() for index in range(count)]
        for group, count in (pending or {}).items():
            nodes += [Node("", group, instance_type, "Pending", f"{group}-pending-{index}") for index in range(count)]
        cluster = Cluster(name, {g: {"type": instance_type, "target": c + (pending or {}).get(g, 0),
                                     "min": (min_counts or {}).get(g)} for g, c in groups.items()}, nodes, mode)
        self.clusters[name] = cluster
        return cluster

    def calls(self, operation: str | None = None) -> list:
        return [(op, body) for op, body in self.requests if operation is None or op == operation]


class _Error(Exception):
    def __init__(self, kind: str, message: str, status: int = 400):
        super().__init__(message)
        self.kind, self.message, self.status = kind, message, status


class _Handler(BaseHTTPRequestHandler):
    state: StubState

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (test_a_lost_answer_is_reported_as_unknown_and_not_counted makes it)

    def do_POST(self):  # noqa: N802
        target = self.headers.get("X-Amz-Target", "")
        operation = target.split(".", 1)[-1]
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        hook = None
        with self.state.lock:
            self.state.requests.append((operation, body))
            queued = self.state.errors.get(operation)
            error = queued.popleft() if queued else None
            hook = self.state.hooks.get(operation)
        if error is not None:
            status, kind, message = error
            self._send(status, {"__type": kind, "message": message})
            return
        if hook is not None:
            hook(body)
        try:
            with self.state.lock:
                handler = getattr(self, "op_" + operation, None)
                if handler is None:
                    raise _Error("UnknownOperationException", f"the stub does not implement {operation}")
                result = handler(body)
        except _Error as failure:
            self._send(failure.status, {"__type": failure.kind, "message": failure.message})
            return
        self._send(200, result)

    def _cluster(self, body: dict) -> Cluster:
        name = body.get("ClusterName", "")
        for cluster in self.state.clusters.values():
            if name in (cluster.name, cluster.arn):
                return cluster
        raise _Error("ResourceNotFound", f"Cluster {name} not found")

    def op_DescribeCluster(self, body):  # noqa: N802
        cluster = self._cluster(body)
        groups = []
        for name, group in cluster.groups.items():
            current = sum(1 for n in cluster.nodes if n.group == name and n.instance_id)
            groups.append({"InstanceGroupName": name, "InstanceType": group["type"], "CurrentCount": current,
                           "TargetCount": group["target"], "Status": "InService",
                           **({"MinCount": group["min"]} if group["min"] is not None else {})})
        return {"ClusterArn": cluster.arn, "ClusterName": cluster.name, "ClusterStatus": "InService",
                "InstanceGroups": groups, **({"NodeProvisioningMode": cluster.mode} if cluster.mode else {}),
                "Orchestrator": {"Eks": {"ClusterArn": f"arn:aws:eks:us-west-2:{ACCOUNT}:cluster/eks"}}}

    def _page(self, items: list, body: dict, key: str) -> dict:
        start = int(body.get("NextToken") or 0)
        size = min(int(body.get("MaxResults") or PAGE_SIZE), PAGE_SIZE)
        page = {key: items[start:start + size]}
        if start + size < len(items):
            page["NextToken"] = str(start + size)
        return page

    def op_ListClusterNodes(self, body):  # noqa: N802
        cluster = self._cluster(body)
        with_logical = body.get("IncludeNodeLogicalIds") is True
        if with_logical and cluster.mode != "Continuous":
            raise _Error("ValidationException", "IncludeNodeLogicalIds needs NodeProvisioningMode Continuous")
        nodes = [n for n in cluster.nodes if n.instance_id or with_logical]
        summaries = [{"InstanceGroupName": n.group, **({"InstanceId": n.instance_id} if n.instance_id else {}),
                      "InstanceType": n.instance_type,
                      "LaunchTime": 1767225600.0, "InstanceStatus": {"Status": n.status},
                      **({"NodeLogicalId": n.logical_id} if with_logical and n.logical_id else {})} for n in nodes]
        return self._page(summaries, body, "ClusterNodeSummaries")

    def _batch(self, body: dict, limit: int, code_key: str, not_found: str, delete: bool = False) -> dict:
        cluster = self._cluster(body)
        ids, logical = body.get("NodeIds") or [], body.get("NodeLogicalIds") or []
        if not ids and not logical:
            raise _Error("ValidationException", "Either NodeIds or NodeLogicalIds must be provided")
        if len(ids) > limit or len(logical) > limit or (delete and len(ids) + len(logical) > limit):
            raise _Error("ValidationException", f"at most {limit} node ids in one request")
        if logical and cluster.mode != "Continuous":
            raise _Error("ValidationException", "NodeLogicalIds needs NodeProvisioningMode Continuous")
        result = {"Successful": [], "Failed": [], "SuccessfulNodeLogicalIds": [], "FailedNodeLogicalIds": []}
        for key, kind in [(i, "NodeId") for i in ids] + [(i, "NodeLogicalId") for i in logical]:
            node = next((n for n in cluster.nodes if (n.instance_id if kind == "NodeId" else n.logical_id) == key),
                        None)
            failure = self.state.node_failures.get(key) or (None if node else (not_found, f"{key} not found"))
            bucket = "Failed" if kind == "NodeId" else "FailedNodeLogicalIds"
            if failure:
                result[bucket].append({kind: key, code_key: failure[0], "Message": failure[1]})
                continue
            result["Successful" if kind == "NodeId" else "SuccessfulNodeLogicalIds"].append(key)
            if delete:
                cluster.nodes.remove(node)
                cluster.groups[node.group]["target"] -= 1  # deleting a node lowers its group's target count
        return {k: v for k, v in result.items() if v}

    def op_BatchRebootClusterNodes(self, body):  # noqa: N802
        return self._batch(body, 25, "ErrorCode", "InstanceIdNotFound")

    def op_BatchReplaceClusterNodes(self, body):  # noqa: N802
        return self._batch(body, 25, "ErrorCode", "InstanceIdNotFound")

    def op_BatchDeleteClusterNodes(self, body):  # noqa: N802
        return self._batch(body, 50, "Code", "NodeIdNotFound", delete=True)

    def op_StartClusterHealthCheck(self, body):  # noqa: N802
        cluster = self._cluster(body)
        configurations = body.get("DeepHealthCheckConfigurations") or []
        if not 1 <= len(configurations) <= 99:
            raise _Error("ValidationException", "DeepHealthCheckConfigurations: 1-99 entries")
        for entry in configurations:
            if entry.get("InstanceGroupName") not in cluster.groups:
                raise _Error("ValidationException", f"no instance group {entry.get('InstanceGroupName')}")
        return {"ClusterArn": cluster.arn}

    def _continuous(self, body) -> Cluster:
        cluster = self._cluster(body)
        if cluster.mode != "Continuous":
            raise _Error("ValidationException", "This functionality is only supported when the NodeProvisioningMode "
                                                "is set to Continuous")
        return cluster

    def op_ListClusterEvents(self, body):  # noqa: N802
        self._continuous(body)
        after = body.get("EventTimeAfter")
        events = [e for e in self.state.events
                  if (after is None or e["EventTime"] > after)
                  and body.get("InstanceGroupName") in (None, e.get("InstanceGroupName"))
                  and body.get("NodeId") in (None, e.get("InstanceId"))]
        events.sort(key=lambda e: e["EventTime"], reverse=body.get("SortOrder", "Descending") == "Descending")
        return self._page(events, body, "Events")

    def op_ListClusterOperations(self, body):  # noqa: N802
        self._continuous(body)
        after = body.get("CreationTimeAfter")
        operations = [o for o in self.state.operations if after is None or o["CreationTime"] > after]
        operations.sort(key=lambda o: o["CreationTime"], reverse=body.get("SortOrder", "Descending") == "Descending")
        return self._page(operations, body, "ClusterOperationSummaries")


class SageMakerStub(LocalServer):
    def __init__(self):
        super().__init__(_Handler, StubState())
