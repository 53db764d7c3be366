"""Local stand-ins for the AWS APIs hyperpod-preflight reads and moto 5.2.5 lacks, in front of the moto server:
Service Quotas (ListServiceQuotas, ListAWSDefaultServiceQuotas for SageMaker), SageMaker DescribeTrainingPlan, EKS
DescribeAddonVersions and DescribeAddon, and the EKS DescribeCluster fields moto leaves out (vpcId,
clusterSecurityGroupId, accessConfig): moto's answer is passed through with them added. Every other request is
forwarded to moto unchanged, so the tests redirect whole services the way users do (AWS_ENDPOINT_URL_<SERVICE>).

`denied` holds operation names answered with AccessDeniedException, as AWS does for a missing permission; `expired`
makes STS (when routed here with AWS_ENDPOINT_URL_STS) refuse the credentials as expired."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlparse

from tests.status.local_server import LocalServer


class StubState:
    def __init__(self, moto_url: str):
        self.lock = threading.Lock()
        self.moto_url = moto_url
        self.quotas: list[dict] = []  # applied SageMaker quotas (ServiceQuota shapes)
        self.default_quotas: list[dict] = []
        self.plans: dict[str, dict] = {}  # training plan name -> DescribeTrainingPlan response
        self.addon_versions: dict[tuple[str, str], list[str]] = {}  # (add-on, Kubernetes version) -> versions
        self.addons: dict[tuple[str, str], dict] = {}  # (EKS cluster, add-on) -> Addon
        self.eks_fields: dict[str, dict] = {}  # EKS cluster -> fields added to moto's DescribeCluster
        self.denied: set[str] = set()
        self.expired = False  # STS answers ExpiredToken, as AWS does for a session past its expiry
        self.operations: list[str] = []

    def reset(self) -> None:
        with self.lock:
            self.quotas, self.default_quotas, self.plans = [], [], {}
            self.addon_versions, self.addons, self.eks_fields = {}, {}, {}
            self.denied, self.operations, self.expired = set(), [], False


def quota(name: str, value: float, code: str = "L-00000000") -> dict:
    return {"ServiceCode": "sagemaker", "ServiceName": "Amazon SageMaker", "QuotaCode": code, "QuotaName": name,
            "Value": value, "Unit": "None", "Adjustable": True, "GlobalQuota": False,
            "QuotaArn": f"arn:aws:servicequotas:us-west-2:123456789012:sagemaker/{code}"}


def eks_addon(name: str, cluster: str, version: str, tags: dict | None = None) -> dict:
    return {"addonName": name, "clusterName": cluster, "status": "ACTIVE", "addonVersion": version,
            "health": {"issues": []}, "addonArn": f"arn:aws:eks:us-west-2:123456789012:addon/{cluster}/{name}/1",
            "createdAt": 1767225600.0, "modifiedAt": 1767225600.0, "tags": tags or {}}


class _Handler(BaseHTTPRequestHandler):
    state: StubState

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: dict, error_type: str | None = None, json_10: bool = False) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1" if json_10 else "application/json")
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _error(self, status: int, code: str, message: str, json_protocol: bool) -> None:
        self._send(status, {"__type": code, "message": message, "Message": message}, code, json_protocol)

    def _forward(self, body: bytes) -> tuple[int, dict, bytes]:
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        request = urllib.request.Request(self.state.moto_url + self.path, data=body if body else None,
                                         headers=headers, method=self.command)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, dict(answer.headers.items()), answer.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers.items()), error.read()

    def _relay(self, status: int, headers: dict, payload: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            if key.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        target = self.headers.get("X-Amz-Target", "")
        operation = target.rsplit(".", 1)[-1] if target else self._rest_operation()
        with self.state.lock:
            self.state.operations.append(operation or f"{self.command} {self.path}")
            denied = operation in self.state.denied
        if self.state.expired and body.startswith(b"Action="):
            self._expired()
            return
        if denied:
            self._error(403, "AccessDeniedException", f"not authorized to perform {operation}", bool(target))
            return
        if target.startswith("ServiceQuotasV20190624."):
            self._quotas(operation)
        elif target == "SageMaker.DescribeTrainingPlan":
            self._plan(json.loads(body or b"{}"))
        elif operation == "DescribeAddonVersions":
            self._addon_versions()
        elif operation == "DescribeAddon":
            self._addon()
        elif operation == "DescribeCluster" and not target:
            self._eks_cluster(body)
        else:
            self._relay(*self._forward(body))

    def _expired(self) -> None:
        payload = (b"<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token "
                   b"included in the request is expired</Message></Error><RequestId>1</RequestId></ErrorResponse>")
        self.send_response(403)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _rest_operation(self) -> str | None:
        parts = [unquote(p) for p in urlparse(self.path).path.strip("/").split("/")]
        if self.command == "GET" and parts[:2] == ["addons", "supported-versions"]:
            return "DescribeAddonVersions"
        if self.command == "GET" and len(parts) == 4 and parts[0] == "clusters" and parts[2] == "addons":
            return "DescribeAddon"
        if self.command == "GET" and len(parts) == 2 and parts[0] == "clusters":
            return "DescribeCluster"
        return None

    def _quotas(self, operation: str) -> None:
        with self.state.lock:
            quotas = self.state.quotas if operation == "ListServiceQuotas" else self.state.default_quotas
            self._send(200, {"Quotas": list(quotas)}, json_10=True)

    def _plan(self, request: dict) -> None:
        name = request.get("TrainingPlanName", "").rsplit("/", 1)[-1]
        with self.state.lock:
            plan = self.state.plans.get(name)
        if plan is None:
            self._error(400, "ResourceNotFound", f"Training plan {name} not found", True)
        else:
            self._send(200, plan, json_10=True)

    def _addon_versions(self) -> None:
        query = parse_qs(urlparse(self.path).query)
        name, version = query.get("addonName", [""])[0], query.get("kubernetesVersion", [""])[0]
        with self.state.lock:
            versions = self.state.addon_versions.get((name, version))
        addons = [] if versions is None else [{"addonName": name, "type": "machine-learning", "addonVersions": [
            {"addonVersion": v, "architecture": ["amd64"], "compatibilities": [{"clusterVersion": version}]}
            for v in versions]}]
        self._send(200, {"addons": addons})

    def _addon(self) -> None:
        parts = [unquote(p) for p in urlparse(self.path).path.strip("/").split("/")]
        cluster, name = parts[1], parts[3]
        with self.state.lock:
            addon = self.state.addons.get((cluster, name))
        if addon is None:
            self._send(404, {"message": f"No addon: {name} found in cluster: {cluster}"}, "ResourceNotFoundException")
        else:
            self._send(200, {"addon": addon})

    def _eks_cluster(self, body: bytes) -> None:
        status, headers, payload = self._forward(body)
        name = unquote(urlparse(self.path).path.rsplit("/", 1)[-1])
        with self.state.lock:
            extra = self.state.eks_fields.get(name)
        if status != 200 or extra is None:
            self._relay(status, headers, payload)
            return
        cluster = json.loads(payload)["cluster"]
        for key, value in extra.items():
            cluster[key] = {**cluster.get(key, {}), **value} if isinstance(value, dict) else value
        self._send(200, {"cluster": cluster})

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle  # noqa: N815


class AwsStub(LocalServer):
    def __init__(self, moto_url: str):
        super().__init__(_Handler, StubState(moto_url))
