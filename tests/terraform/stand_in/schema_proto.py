"""`terraform providers schema -json`-shaped documents to tfplugin6 protobuf schemas.

Built directly on the protobufs because the `tf` package's schema classes cannot express nested attributes or
list-mode blocks, which the aws, helm and awscc schemas all need.
"""

from __future__ import annotations

import json

from tf.gen import tfplugin_pb2 as pb

BLOCK_NESTING = {
    "single": pb.Schema.NestedBlock.SINGLE, "list": pb.Schema.NestedBlock.LIST, "set": pb.Schema.NestedBlock.SET,
    "map": pb.Schema.NestedBlock.MAP, "group": pb.Schema.NestedBlock.GROUP,
}
OBJECT_NESTING = {
    "single": pb.Schema.Object.SINGLE, "list": pb.Schema.Object.LIST, "set": pb.Schema.Object.SET,
    "map": pb.Schema.Object.MAP,
}


def attribute(name: str, spec: dict) -> pb.Schema.Attribute:
    flags = {key: bool(spec.get(key)) for key in ("required", "optional", "computed", "sensitive")}
    if "nested_type" in spec:
        nested = spec["nested_type"]
        return pb.Schema.Attribute(
            name=name,
            nested_type=pb.Schema.Object(
                attributes=[attribute(n, s) for n, s in sorted(nested["attributes"].items())],
                nesting=OBJECT_NESTING[nested["nesting_mode"]],
            ),
            **flags,
        )
    return pb.Schema.Attribute(name=name, type=json.dumps(spec["type"]).encode(), **flags)


def block(spec: dict) -> pb.Schema.Block:
    return pb.Schema.Block(
        attributes=[attribute(n, s) for n, s in sorted(spec.get("attributes", {}).items())],
        block_types=[
            pb.Schema.NestedBlock(
                type_name=name,
                block=block(nested["block"]),
                nesting=BLOCK_NESTING[nested["nesting_mode"]],
                min_items=nested.get("min_items", 0),
                max_items=nested.get("max_items", 0),
            )
            for name, nested in sorted(spec.get("block_types", {}).items())
        ],
    )


def schema(spec: dict) -> pb.Schema:
    return pb.Schema(version=spec.get("version", 0), block=block(spec["block"]))


def provider_schema_response(document: dict) -> pb.GetProviderSchema.Response:
    return pb.GetProviderSchema.Response(
        provider=schema(document["provider"]),
        resource_schemas={name: schema(spec) for name, spec in document["resource_schemas"].items()},
        data_source_schemas={name: schema(spec) for name, spec in document["data_source_schemas"].items()},
        server_capabilities=pb.ServerCapabilities(plan_destroy=True),
    )
