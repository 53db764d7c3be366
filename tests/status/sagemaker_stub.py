"""A local stand-in for SageMaker's cluster policy API (moto 5.2.5 has neither ListClusterSchedulerConfigs nor
DescribeClusterSchedulerConfig) in front of the moto server: it answers those two JSON-1.1 operations itself, with the
body and error shapes botocore parses, and passes every other request through to moto unchanged. Tests reach it the
way users redirect one service (AWS_ENDPOINT_URL_SAGEMAKER), set the policies in `policies`, and read every
operation the run called in `operations`."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler

from tests.status.local_server import LocalServer

LIST, DESCRIBE = "ListClusterSchedulerConfigs", "DescribeClusterSchedulerConfig"


def policy(cluster_arn: str, name: str = "cluster-policy", status: str = "Created", version: int = 1,
           failure_reason: str | None = None, policy_id: str = "a1b2c3d4e5f6") -> dict:
    """A DescribeClusterSchedulerConfig response (its ListClusterSchedulerConfigs summary is a subset)."""
    return {"ClusterSchedulerConfigArn": f"arn:aws:sagemaker:us-west-2:123456789012:cluster-scheduler-config/"
                                         f"{policy_id}",
            "ClusterSchedulerConfigId": policy_id, "Name": name, "ClusterSchedulerConfigVersion": version,
            "Status": status, "ClusterArn": cluster_arn, "CreationTime": 1767225600.0,
            "SchedulerConfig": {"FairShare": "Enabled", "PriorityClasses": [{"Name": "inference", "Weight": 90}]},
            **({"FailureReason": failure_reason} if failure_reason else {})}


_SUMMARY_KEYS = ("ClusterSchedulerConfigArn", "ClusterSchedulerConfigId", "ClusterSchedulerConfigVersion", "Name",
                 "CreationTime", "Status", "ClusterArn")


class SageMakerState:
    def __init__(self, moto_url: str):
        self.lock = threading.Lock()
        self.moto_url = moto_url
        self.policies: list[dict] = []  # policy() responses
        self.errors: dict[str, tuple[int, str, str]] = {}  # operation -> (HTTP status, error code, message)
        self.page_size = 100
        self.operations: list[str] = []  # every operation called, passed through or not, in order


class _Handler(BaseHTTPRequestHandler):
    state: SageMakerState

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/x-amz-json-1.1") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _list(self, request: dict) -> dict:
        mine = [p for p in self.state.policies if p["ClusterArn"] == request.get("ClusterArn", p["ClusterArn"])]
        start = int(request.get("NextToken", "0"))
        page = mine[start:start + self.state.page_size]
        more = start + self.state.page_size < len(mine)
        return {"ClusterSchedulerConfigSummaries": [{k: p[k] for k in _SUMMARY_KEYS} for p in page],
                **({"NextToken": str(start + self.state.page_size)} if more else {})}

    def _describe(self, request: dict) -> tuple[int, dict]:
        for found in self.state.policies:
            if found["ClusterSchedulerConfigId"] == request["ClusterSchedulerConfigId"]:
                return 200, found
        return 400, {"__type": "ResourceNotFound", "message": "Cluster scheduler config not found"}

    def _pass_through(self, body: bytes) -> None:
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        request = urllib.request.Request(self.state.moto_url + self.path, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, payload, kind = answer.status, answer.read(), answer.headers.get("Content-Type")
        except urllib.error.HTTPError as error:
            status, payload, kind = error.code, error.read(), error.headers.get("Content-Type")
        self._send(status, payload, kind or "application/x-amz-json-1.1")

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        operation = self.headers.get("X-Amz-Target", "").removeprefix("SageMaker.")
        with self.state.lock:
            self.state.operations.append(operation)
            moto = operation not in (LIST, DESCRIBE)
            if not moto:
                request = json.loads(body or b"{}")
                if operation in self.state.errors:
                    status, code, message = self.state.errors[operation]
                    answer = {"__type": code, "message": message}
                elif operation == LIST:
                    status, answer = 200, self._list(request)
                else:
                    status, answer = self._describe(request)
        if moto:
            self._pass_through(body)
        else:
            self._send(status, json.dumps(answer).encode())


class SageMakerStub(LocalServer):
    def __init__(self, moto_url: str):
        super().__init__(_Handler, SageMakerState(moto_url))
