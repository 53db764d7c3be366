"""A local stand-in for EKS DescribeAddon (moto 5.2.5 has no EKS add-on API): serves
GET /clusters/<cluster>/addons/<addon> with the REST-JSON body and error headers botocore parses, so the real boto3
client is tested offline. Tests set what each add-on reports in `addons`."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import unquote, urlparse

from tests.status.local_server import LocalServer


def addon(name: str, cluster: str, status: str = "ACTIVE", version: str = "v1.0.0-eksbuild.1",
          issues: list[dict] | None = None) -> dict:
    return {"addonName": name, "clusterName": cluster, "status": status, "addonVersion": version,
            "health": {"issues": issues or []},
            "addonArn": f"arn:aws:eks:us-west-2:123456789012:addon/{cluster}/{name}/00000000",
            "createdAt": 1767225600.0, "modifiedAt": 1767225600.0, "tags": {}}


class EksState:
    def __init__(self):
        self.lock = threading.Lock()
        self.clusters: set[str] = set()
        self.addons: dict[tuple[str, str], dict] = {}  # (cluster, addon name) -> addon()
        self.requests: list[str] = []


class _Handler(BaseHTTPRequestHandler):
    state: EksState

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: dict, error_type: str | None = None) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):  # noqa: N802
        parts = [unquote(p) for p in urlparse(self.path).path.strip("/").split("/")]
        with self.state.lock:
            self.state.requests.append(self.path)
            if len(parts) != 4 or parts[0] != "clusters" or parts[2] != "addons":
                self._send(404, {"message": "unknown operation"}, "ResourceNotFoundException")
                return
            cluster, name = parts[1], parts[3]
            if cluster not in self.state.clusters:
                self._send(404, {"message": f"No cluster found for name: {cluster}."}, "ResourceNotFoundException")
            elif (cluster, name) not in self.state.addons:
                self._send(404, {"message": f"No addon: {name} found in cluster: {cluster}"},
                           "ResourceNotFoundException")
            else:
                self._send(200, {"addon": self.state.addons[(cluster, name)]})


class EksStub(LocalServer):
    def __init__(self):
        super().__init__(_Handler, EksState())
