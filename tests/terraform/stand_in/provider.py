"""A schema-serving stand-in for a real Terraform provider: enough of tfplugin6 for init, validate and plan.

Run by Terraform through a shim in a filesystem mirror:
`python -m tests.terraform.stand_in.provider SCHEMA.json [TLS.json]`, TLS.json being the server key and certificate the
mirror was built with (without it a pair is loaded or made by tf.runner, which imports `cryptography`: ~70 ms more for
each of the ~10 provider processes a terraform command starts).
It serves the schema, adds the configuration checks core leaves to providers, plans creates with computed values
unknown, answers data sources with deterministic placeholders, and refuses to apply anything.
"""

from __future__ import annotations

import base64
import json
import sys
import tempfile
import threading
from concurrent import futures
from pathlib import Path

import grpc
import msgpack
from tf.gen import grpc_controller_pb2 as controller_pb
from tf.gen import grpc_controller_pb2_grpc as controller_rpc
from tf.gen import grpc_stdio_pb2_grpc as stdio_rpc
from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc as rpc
from tf.runner import _self_signed_cert  # the package's own TLS material for the go-plugin handshake

from tests.terraform.stand_in import placeholders, schema_proto, values


def decode(value: pb.DynamicValue):
    if value.msgpack:
        return msgpack.unpackb(value.msgpack, raw=False)
    if value.json:
        return json.loads(value.json)
    return None


def encode(value) -> pb.DynamicValue:
    return pb.DynamicValue(msgpack=msgpack.packb(value, use_bin_type=True))


def error(summary: str, detail: str = "", path: list | None = None) -> pb.Diagnostic:
    steps = []
    for step in path or []:
        if isinstance(step, int):
            steps.append(pb.AttributePath.Step(element_key_int=step))
        elif isinstance(step, tuple):
            steps.append(pb.AttributePath.Step(element_key_string=step[0]))
        else:
            steps.append(pb.AttributePath.Step(attribute_name=step))
    return pb.Diagnostic(severity=pb.Diagnostic.ERROR, summary=summary, detail=detail,
                         attribute=pb.AttributePath(steps=steps) if steps else None)


class StandInProvider(rpc.ProviderServicer):
    def __init__(self, document: dict, name: str):
        self.document = document
        self.name = name
        self.schema_response = schema_proto.provider_schema_response(document)

    def _resource(self, type_name: str) -> dict:
        return self.document["resource_schemas"][type_name]["block"]

    def _data_source(self, type_name: str) -> dict:
        return self.document["data_source_schemas"][type_name]["block"]

    def GetMetadata(self, request, context):
        return pb.GetMetadata.Response(
            server_capabilities=pb.ServerCapabilities(plan_destroy=True),
            resources=[pb.GetMetadata.ResourceMetadata(type_name=t) for t in self.document["resource_schemas"]],
            data_sources=[pb.GetMetadata.DataSourceMetadata(type_name=t) for t in self.document["data_source_schemas"]],
        )

    def GetProviderSchema(self, request, context):
        return self.schema_response

    def ValidateProviderConfig(self, request, context):
        return pb.ValidateProviderConfig.Response()

    def ConfigureProvider(self, request, context):
        return pb.ConfigureProvider.Response()

    def ValidateResourceConfig(self, request, context):
        problems = values.check(self._resource(request.type_name), decode(request.config))
        return pb.ValidateResourceConfig.Response(diagnostics=[error(p.summary, p.detail, p.path) for p in problems])

    def ValidateDataResourceConfig(self, request, context):
        problems = values.check(self._data_source(request.type_name), decode(request.config))
        return pb.ValidateDataResourceConfig.Response(
            diagnostics=[error(p.summary, p.detail, p.path) for p in problems])

    def UpgradeResourceState(self, request, context):
        state = json.loads(request.raw_state.json) if request.raw_state.json else None
        return pb.UpgradeResourceState.Response(upgraded_state=encode(state))

    def ReadResource(self, request, context):
        return pb.ReadResource.Response(new_state=request.current_state, private=request.private)

    def PlanResourceChange(self, request, context):
        proposed = decode(request.proposed_new_state)
        if proposed is None:  # destroy
            return pb.PlanResourceChange.Response(planned_state=request.proposed_new_state)
        planned = values.plan(self._resource(request.type_name), proposed)
        return pb.PlanResourceChange.Response(planned_state=encode(planned))

    def ApplyResourceChange(self, request, context):
        return pb.ApplyResourceChange.Response(diagnostics=[error(
            "Stand-in provider cannot apply",
            f"registry.terraform.io/hashicorp/{self.name} here is an offline stand-in that only serves schemas and "
            "plans; apply with the real provider.",
        )])

    def ImportResourceState(self, request, context):
        return pb.ImportResourceState.Response(diagnostics=[error("Stand-in provider cannot import")])

    def MoveResourceState(self, request, context):
        return pb.MoveResourceState.Response(diagnostics=[error("Stand-in provider cannot move state")])

    def ReadDataSource(self, request, context):
        state = placeholders.read(request.type_name, self._data_source(request.type_name), decode(request.config))
        return pb.ReadDataSource.Response(state=encode(state))

    def GetFunctions(self, request, context):
        return pb.GetFunctions.Response()

    def StopProvider(self, request, context):
        return pb.StopProvider.Response()


def server_tls(path: Path | None) -> tuple[bytes, grpc.ServerCredentials]:
    """(DER certificate for the handshake line, server credentials) from a TLS.json of tf.runner's cache format."""
    if path is None:
        return _self_signed_cert()
    pair = json.loads(path.read_text())
    credentials = grpc.ssl_server_credentials([(pair["key_pem"].encode(), pair["cert_pem"].encode())],
                                              require_client_auth=False)
    return base64.b64decode(pair["cert_chain"]), credentials


def serve(document: dict, name: str, tls: Path | None = None) -> None:
    """Start the gRPC server on a unix socket and print the go-plugin handshake line Terraform waits for."""
    stopped = threading.Event()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    rpc.add_ProviderServicer_to_server(StandInProvider(document, name), server)

    class Controller(controller_rpc.GRPCControllerServicer):
        def Shutdown(self, request, context):
            stopped.set()
            return controller_pb.Empty()

    class Stdio(stdio_rpc.GRPCStdioServicer):
        def StreamStdio(self, request, context):
            return iter([])

    controller_rpc.add_GRPCControllerServicer_to_server(Controller(), server)
    stdio_rpc.add_GRPCStdioServicer_to_server(Stdio(), server)
    with tempfile.TemporaryDirectory() as scratch:
        socket = f"{scratch}/provider.sock"
        certificate, credentials = server_tls(tls)
        server.add_secure_port(f"unix://{socket}", credentials)
        server.start()
        print(f"1|6|unix|{socket}|grpc|{base64.b64encode(certificate).decode().rstrip('=')}", flush=True)
        stopped.wait()  # Terraform asks through the controller (or kills the process)
        server.stop(grace=0)


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print("usage: python -m tests.terraform.stand_in.provider SCHEMA.json [TLS.json]", file=sys.stderr)
        return 2
    path = Path(argv[1])
    serve(json.loads(path.read_text()), path.stem, Path(argv[2]) if len(argv) == 3 else None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
