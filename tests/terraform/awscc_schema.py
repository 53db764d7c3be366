"""The awscc schema, from the shared reference extraction of `awscc_sagemaker_cluster` (no prebuilt awscc binding exists).

awscc is a plugin-framework provider: every nested object is a nested attribute, never a block.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

REFERENCE = Path("/work/shared/reference/awscc_sagemaker_cluster.schema.json")
NESTING = {"single_nested_attribute": "single", "list_nested_attribute": "list", "set_nested_attribute": "set"}
# The provider block: the stack sets only `region`; these are the common awscc provider arguments, all optional.
PROVIDER_ARGUMENTS = ("access_key", "secret_key", "token", "profile", "region", "role_arn", "user_agent")


def cty_type(text: str):
    """'list(string)' -> ["list", "string"]; 'bool' -> "bool"."""
    match = re.fullmatch(r"(list|set|map)\((\w+)\)", text)
    if match:
        return [match.group(1), cty_type(match.group(2))]
    if text in ("string", "number", "bool"):
        return text
    raise ValueError(f"unexpected type {text!r} in the awscc reference schema")


def _attributes(reference: dict) -> dict:
    converted = {}
    for name, spec in reference.items():
        flags = {key: True for key in ("required", "optional", "computed") if spec.get(key)}
        if "nesting" in spec:
            converted[name] = {
                "nested_type": {"attributes": _attributes(spec["nested"]), "nesting_mode": NESTING[spec["nesting"]]},
                **flags,
            }
        else:
            converted[name] = {"type": cty_type(spec["type"]), **flags}
    return converted


# Resources beyond the shared reference: the schema files the gates check them with (each names its source).
GATE_SCHEMAS = {"awscc_sagemaker_cluster_scheduler_config":
                Path(__file__).resolve().parents[2] / "gates" / "awscc_sagemaker_cluster_scheduler_config.schema.json"}


def provider_schema(resources: list[str], reference_path: Path = REFERENCE) -> dict:
    reference = json.loads(reference_path.read_text())
    meta = reference["_meta"]
    unknown = sorted(set(resources) - {meta["resource"], *GATE_SCHEMAS})
    if unknown:
        raise KeyError(f"the awscc references only describe {meta['resource']}, {', '.join(GATE_SCHEMAS)}; "
                       f"asked for {unknown}")
    extra = {name: json.loads(GATE_SCHEMAS[name].read_text()) for name in resources if name in GATE_SCHEMAS}
    return {
        "_source": {
            "generator": "tests/terraform/awscc_schema.py",
            "reference": f"{reference_path} ({meta['source']})" + "".join(
                f"; {name}: {GATE_SCHEMAS[name].name} ({schema['_meta']['source']})" for name, schema in extra.items()),
            "provider_version": meta["provider_version"],
            "provider_block": "hand-written subset: " + ", ".join(PROVIDER_ARGUMENTS),
        },
        "provider": {"version": 0, "block": {"attributes": {
            name: {"type": "string", "optional": True} for name in PROVIDER_ARGUMENTS}}},
        "resource_schemas": {
            **({meta["resource"]: {"version": 0, "block": {"attributes": _attributes(reference["attributes"])}}}
               if meta["resource"] in resources else {}),
            **{name: {"version": 0, "block": {"attributes": _attributes(schema["attributes"])}}
               for name, schema in extra.items()},
        },
        "data_source_schemas": {},
    }
