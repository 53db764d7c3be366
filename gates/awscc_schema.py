"""Conformance of every awscc_sagemaker_cluster in a cdk.tf.json with the awscc 1.106.0 attribute schema.

`terraform validate` needs the real provider, which cannot be installed offline; this check reads the attribute schema
copied from the published bindings (awscc_sagemaker_cluster.schema.json) and reports each problem with its JSON path.

    python -m gates.awscc_schema cdktf.out/stacks/hyperpod/cdk.tf.json
"""
from __future__ import annotations

import argparse
import json
import sys
from functools import lru_cache
from pathlib import Path

from gates.awscc_limits import check_limits
from gates.terraform_json import DocumentError, Violation, is_expression, load_document, resources_of_type

SCHEMA_PATH = Path(__file__).with_name("awscc_sagemaker_cluster.schema.json")
RESOURCE_TYPE = "awscc_sagemaker_cluster"

# Keys Terraform itself accepts on any resource, and cdktf's "//" metadata: not provider attributes.
META_ARGUMENTS = frozenset({"//", "count", "for_each", "depends_on", "provider", "lifecycle", "connection",
                            "provisioner"})
# The project only orchestrates with EKS: a cluster without it would be a Slurm cluster or fail at apply.
PROJECT_REQUIRED_TOP_LEVEL = ("orchestrator",)
# Attributes CloudFormation required at v1.96 that a newer alternative now stands in for (SageMaker API reference,
# ClusterInstanceGroupSpecification: InstanceType is no longer required, and "The InstanceType and
# InstanceRequirements properties are mutually exclusive"): exactly one of the pair is set.
ONE_OF = {("instance_groups", "instance_type"): "instance_requirements"}


@lru_cache(maxsize=1)
def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def _read_only_paths(schema: dict) -> set[tuple[str, ...]]:
    """CloudFormation readOnlyProperties as attribute-name paths (InstanceGroups/*/CurrentCount -> groups, count).

    The Terraform bindings mark some of these optional (current_count), but AWS computes them: setting one is a bug.
    """
    paths = set()
    for pointer in schema["_meta"]["cfn_v1_96"]["readOnlyProperties"]:
        parts = [p for p in pointer.split("/")[2:] if p != "*"]
        paths.add(tuple(_snake(p) for p in parts))
    return paths


def _snake(pascal: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(pascal))


def _type_problem(value, declared: str) -> str | None:
    """Why a literal value does not fit the schema type, or None when it fits (expressions always fit)."""
    if is_expression(value):
        return None
    if declared == "string":
        ok = isinstance(value, str)
    elif declared == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif declared == "bool":
        ok = isinstance(value, bool)
    elif declared == "object" or declared.startswith("map("):
        ok = isinstance(value, dict)
    elif declared.startswith(("list(", "set(")):
        ok = isinstance(value, list)
    else:  # a schema type this checker does not know: say so instead of passing silently
        return f"schema type {declared!r} is not understood by this checker"
    if ok:
        return None
    shape = {"object": "an object", "string": "a string", "number": "a number", "bool": "a boolean"}.get(declared)
    if shape is None:
        shape = "an object (map)" if declared.startswith("map(") else f"a list ({declared})"
    return f"must be {shape}, got {type(value).__name__} {json.dumps(value)[:60]}"


def _element_type(declared: str) -> str:
    return declared[declared.index("(") + 1: -1]


def _check_object(value: dict, attributes: dict, path: str, name_path: tuple[str, ...], read_only: set,
                  top_level: bool, out: list[Violation]) -> None:
    allowed = sorted(k for k, spec in attributes.items() if spec["optional"] or spec["required"])
    for key, item in value.items():
        if top_level and key in META_ARGUMENTS:
            continue
        spec = attributes.get(key)
        here = f"{path}.{key}"
        if spec is None:
            out.append(Violation(here, f"attribute {key!r} is not in the awscc schema (allowed: {', '.join(allowed)})"))
            continue
        if item is None:
            continue
        if spec["computed"] and not spec["optional"] and not spec["required"]:
            out.append(Violation(here, f"{key!r} is computed by the provider and must not be set"))
            continue
        if name_path + (key,) in read_only:
            out.append(Violation(here, f"{key!r} is read-only in CloudFormation (AWS computes it) and must not be set"))
            continue
        _check_value(item, spec, here, name_path + (key,), read_only, out)
    for key, spec in attributes.items():
        alternative = ONE_OF.get(name_path + (key,))
        if alternative is not None and value.get(key) is not None and value.get(alternative) is not None:
            out.append(Violation(f"{path}.{key}", f"{key!r} and {alternative!r} are mutually exclusive: set one"))
        if alternative is not None and value.get(alternative) is not None:
            continue
        if spec.get("cfn_required_v1_96") and value.get(key) is None:
            out.append(Violation(f"{path}.{key}", f"{key!r} is required by CloudFormation when {path.rsplit('.', 1)[-1]!r} is set"
                                 if not top_level else f"{key!r} is required by CloudFormation"))


def _check_value(item, spec: dict, path: str, name_path: tuple[str, ...], read_only: set,
                 out: list[Violation]) -> None:
    declared = spec["type"]
    problem = _type_problem(item, declared)
    if problem:
        out.append(Violation(path, problem))
        return
    if is_expression(item):
        return
    nested = spec.get("nested")
    if declared == "object" and nested is not None:
        _check_object(item, nested, path, name_path, read_only, False, out)
    elif declared.startswith(("list(", "set(")):
        element = _element_type(declared)
        for index, entry in enumerate(item):
            entry_path = f"{path}[{index}]"
            if element == "object":
                problem = _type_problem(entry, "object")
                if problem:
                    out.append(Violation(entry_path, problem))
                elif not is_expression(entry):
                    _check_object(entry, nested or {}, entry_path, name_path, read_only, False, out)
            else:
                problem = _type_problem(entry, element)
                if problem:
                    out.append(Violation(entry_path, problem))
    elif declared.startswith("map("):
        element = _element_type(declared)
        for key, entry in item.items():
            problem = _type_problem(entry, element)
            if problem:
                out.append(Violation(f"{path}.{key}", problem))


def check_cluster(name: str, body: dict, document: dict) -> list[Violation]:
    """Every schema, required-field and value-limit violation of one awscc_sagemaker_cluster resource."""
    schema = load_schema()
    path = f"resource.{RESOURCE_TYPE}.{name}"
    out: list[Violation] = []
    if not isinstance(body, dict):
        return [Violation(path, f"must be an object, got {type(body).__name__}")]
    _check_object(body, schema["attributes"], path, (), _read_only_paths(schema), True, out)
    for key in PROJECT_REQUIRED_TOP_LEVEL:
        if body.get(key) is None:
            out.append(Violation(f"{path}.{key}", f"{key!r} is required: this project orchestrates HyperPod with EKS"))
    out.extend(check_limits(body, path, document))
    return out


def check_document(document: dict) -> tuple[int, list[Violation]]:
    """(number of clusters checked, violations) for a whole cdk.tf.json document; the cluster policies
    (awscc_sagemaker_cluster_scheduler_config) are checked too (gates/awscc_scheduler_config.py)."""
    from gates.awscc_scheduler_config import check_scheduler_configs

    count, out = 0, []
    for name, body in resources_of_type(document, RESOURCE_TYPE):
        count += 1
        out.extend(check_cluster(name, body, document))
    return count, out + check_scheduler_configs(document)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gates.awscc_schema", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", metavar="CDK_TF_JSON")
    parser.add_argument("--allow-empty", action="store_true",
                        help=f"pass a file with no {RESOURCE_TYPE} (e.g. hyperpod_enabled=false)")
    args = parser.parse_args(argv)
    failed = False
    for file in args.files:
        try:
            document = load_document(file)
        except DocumentError as error:
            print(f"error: {error}", file=sys.stderr)
            failed = True
            continue
        count, violations = check_document(document)
        for violation in violations:
            print(f"{file}: {violation}")
        if count == 0 and not args.allow_empty:
            print(f"{file}: no {RESOURCE_TYPE} resource found (nothing was checked; pass --allow-empty if intended)")
            failed = True
        elif violations:
            failed = True
        else:
            print(f"{file}: {count} {RESOURCE_TYPE} resource(s) conform to the awscc "
                  f"{load_schema()['_meta']['provider_version']} schema")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
