"""A Terraform state as if a plan had been applied: the stand-in providers cannot apply, so replacement order is
planned against a state built from a plan's own values.

Every attribute the schema has is present (unknown ones null, or a placeholder for unknown strings), and each
resource records its transitive resource dependencies the way `terraform apply` does: Terraform orders destroys
by the dependencies in state, so a state without them would prove nothing about ordering.
"""

from __future__ import annotations

import json
from typing import Any

from tests.terraform.harness import SCHEMAS, Workspace


def _typed(cty_type: Any, value: Any) -> Any:
    if value is None or not isinstance(cty_type, list):
        return value
    kind, element = cty_type
    if kind in ("list", "set"):
        return [_typed(element, item) for item in value]
    if kind == "map":
        return {key: _typed(element, item) for key, item in value.items()}
    return {key: _typed(element[key], value.get(key)) for key in element}  # object


def _attribute(spec: dict, value: Any) -> Any:
    if "nested_type" not in spec or value is None:
        return _typed(spec.get("type"), value)
    nested = spec["nested_type"]

    def one(item: dict) -> dict:
        return {key: _attribute(inner, item.get(key)) for key, inner in nested["attributes"].items()}

    mode = nested["nesting_mode"]
    if mode == "single":
        return one(value)
    if mode == "map":
        return {key: one(item) for key, item in value.items()}
    return [one(item) for item in value]


def _block(block: dict, value: dict) -> dict:
    complete = {key: _attribute(spec, value.get(key)) for key, spec in block.get("attributes", {}).items()}
    for key, block_type in block.get("block_types", {}).items():
        inner, mode = value.get(key), block_type["nesting_mode"]
        if mode in ("single", "group"):
            complete[key] = None if inner is None else _block(block_type["block"], inner)
        elif mode == "map":
            complete[key] = {name: _block(block_type["block"], item) for name, item in (inner or {}).items()}
        else:
            complete[key] = [_block(block_type["block"], item) for item in inner or []]
    return complete


def _transitive(edges: set[tuple[str, str]], start: str, managed: set[str]) -> list[str]:
    seen, stack = set(), [start]
    while stack:
        for before, after in edges:
            if before == stack[-1] and after not in seen:
                seen.add(after)
                stack.append(after)
                break
        else:
            stack.pop()
    return sorted(seen & managed)


def applied_state(workspace: Workspace, plan: dict) -> dict:
    """The state `terraform apply` of `plan` (`terraform show -json` of a plan with only creates) would leave."""
    schemas = {path.stem: json.loads(path.read_text()) for path in SCHEMAS.glob("*.json") if path.stem != "types"}
    changes = [change for change in plan["resource_changes"] if change["mode"] == "managed"]
    managed = {change["address"] for change in changes}
    edges = workspace.graph_edges()
    resources = []
    for change in changes:
        schema = schemas[change["provider_name"].rsplit("/", 1)[1]]["resource_schemas"][change["type"]]
        values = dict(change["change"]["after"])
        for key, unknown in change["change"]["after_unknown"].items():
            if unknown is True and schema["block"]["attributes"].get(key, {}).get("type") == "string":
                values[key] = f"stand-in-{key}"
        resources.append({
            "mode": "managed", "type": change["type"], "name": change["name"],
            "provider": f'provider["{change["provider_name"]}"]',
            "instances": [{"schema_version": schema.get("version", 0), "attributes": _block(schema["block"], values),
                           "sensitive_attributes": [],
                           "dependencies": _transitive(edges, change["address"], managed)}],
        })
    return {"version": 4, "terraform_version": "1.11.4", "serial": 1,
            "lineage": "00000000-0000-4000-8000-000000000000", "outputs": {}, "resources": resources}
