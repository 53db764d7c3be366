"""Conformance of every awscc_sagemaker_cluster_scheduler_config with its awscc 1.106.0 schema and CloudFormation's
limits (awscc_sagemaker_cluster_scheduler_config.schema.json, with its source): attribute names and types, the
Terraform-required attributes, and the patterns, enums and ranges the provider's validators enforce at plan time."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from gates.terraform_json import Violation, is_expression, resources_of_type

SCHEMA_PATH = Path(__file__).with_name("awscc_sagemaker_cluster_scheduler_config.schema.json")
RESOURCE_TYPE = "awscc_sagemaker_cluster_scheduler_config"


@lru_cache(maxsize=1)
def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def _values_at(body: dict, dotted: str) -> list[tuple[str, object]]:
    """(path, value) of every value at `a.b[].c` in body (lists expanded), literal or not."""
    found = [("", body)]
    for part in dotted.split("."):
        many, key = part.endswith("[]"), part.removesuffix("[]")
        step = []
        for path, value in found:
            if isinstance(value, dict) and key in value:
                item = value[key]
                where = f"{path}.{key}" if path else key
                if many and isinstance(item, list):
                    step += [(f"{where}[{i}]", entry) for i, entry in enumerate(item)]
                elif not many:
                    step.append((where, item))
        found = step
    return found


def _limit_problems(value: object, limit: dict) -> list[str]:
    if value is None:
        return ["must be set (the provider's NotNull validator)"] if limit.get("not_null") else []
    if is_expression(value):
        return []
    out = []
    if isinstance(value, str):
        if "pattern" in limit and not re.fullmatch(limit["pattern"].strip("^$"), value):
            out.append(f"{value!r} does not match {limit['pattern']}")
        if len(value) > limit.get("max_length", len(value)) or len(value) < limit.get("min_length", 0):
            out.append(f"{value!r} is not {limit.get('min_length', 0)}-{limit.get('max_length')} characters")
        if "enum" in limit and value not in limit["enum"]:
            out.append(f"{value!r} is not one of {', '.join(limit['enum'])}")
    elif isinstance(value, list) and len(value) > limit.get("max_items", len(value)):
        out.append(f"{len(value)} items; at most {limit['max_items']}")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if not limit.get("minimum", value) <= value <= limit.get("maximum", value):
            out.append(f"{value} is outside {limit.get('minimum')}-{limit.get('maximum')}")
    return out


def check_scheduler_config(name: str, body: dict) -> list[Violation]:
    from gates.awscc_schema import _check_object  # the cluster gate's attribute walk, shared

    schema = load_schema()
    path = f"resource.{RESOURCE_TYPE}.{name}"
    if not isinstance(body, dict):
        return [Violation(path, f"must be an object, got {type(body).__name__}")]
    out: list[Violation] = []
    _check_object(body, schema["attributes"], path, (), set(), True, out)
    for key, spec in schema["attributes"].items():
        if spec["required"] and body.get(key) is None:
            out.append(Violation(f"{path}.{key}", f"{key!r} is required by the awscc schema"))
    for dotted, limit in schema["_meta"]["limits"].items():
        parent, _, leaf = dotted.rpartition(".")
        holders = _values_at(body, parent) if parent else [("", body)]
        for where, holder in holders:
            if isinstance(holder, dict) and (leaf.removesuffix("[]") in holder or limit.get("not_null")):
                for problem in _limit_problems(holder.get(leaf), limit):
                    out.append(Violation(f"{path}.{where + '.' if where else ''}{leaf}", problem))
    return out


def check_scheduler_configs(document: dict) -> list[Violation]:
    return [v for name, body in resources_of_type(document, RESOURCE_TYPE) for v in check_scheduler_config(name, body)]
