"""Deterministic data source results: realistic values where the stack reads them, typed filler elsewhere.

The EKS cluster's authentication mode comes from STAND_IN_EKS_AUTHENTICATION_MODE so tests can exercise the stack's
precondition (Terraform passes its environment on to provider processes).
"""

from __future__ import annotations

import base64
import json
import os
import zlib
from typing import Any

ACCOUNT_ID = "123456789012"
REGION = "us-west-2"
EKS_AUTHENTICATION_MODE_ENV = "STAND_IN_EKS_AUTHENTICATION_MODE"
DEFAULT_EKS_AUTHENTICATION_MODE = "API_AND_CONFIG_MAP"


def filler(cty_type: Any, name: str) -> Any:
    """A value of the given cty type; collections get exactly one element."""
    if cty_type == "string":
        return f"stand-in-{name}"
    if cty_type == "number":
        return 1
    if cty_type == "bool":
        return False
    kind, element = cty_type
    if kind in ("list", "set"):
        return [filler(element, name)]
    if kind == "map":
        return {"stand-in": filler(element, name)}
    if kind == "object":
        return {key: filler(value, key) for key, value in element.items()}
    raise ValueError(f"no placeholder for type {cty_type!r}")


def _nested_filler(nested: dict, name: str) -> Any:
    element = {key: _attribute_filler(spec, key) for key, spec in nested["attributes"].items()}
    return {"single": element, "map": {"stand-in": element}}.get(nested["nesting_mode"], [element])


def _attribute_filler(spec: dict, name: str) -> Any:
    return _nested_filler(spec["nested_type"], name) if "nested_type" in spec else filler(spec["type"], name)


def _region(config: dict) -> str:
    return config.get("region") or REGION


def _caller_identity(config: dict) -> dict:
    return {"account_id": ACCOUNT_ID, "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/stand-in",
            "user_id": "AIDASTANDIN000000000", "id": ACCOUNT_ID}


def _partition(config: dict) -> dict:
    return {"partition": "aws", "dns_suffix": "amazonaws.com", "reverse_dns_prefix": "com.amazonaws", "id": "aws"}


def _aws_region(config: dict) -> dict:
    region = config.get("region") or config.get("name") or REGION
    return {"region": region, "name": region, "id": region, "endpoint": f"ec2.{region}.amazonaws.com",
            "description": "stand-in region"}


def _eks_cluster(config: dict) -> dict:
    name, region = config["name"], _region(config)
    mode = os.environ.get(EKS_AUTHENTICATION_MODE_ENV, DEFAULT_EKS_AUTHENTICATION_MODE)
    return {
        "id": name,
        "arn": f"arn:aws:eks:{region}:{ACCOUNT_ID}:cluster/{name}",
        "endpoint": f"https://STANDIN0123456789.gr7.{region}.eks.amazonaws.com",
        "certificate_authority": [{"data": base64.b64encode(b"stand-in certificate authority").decode()}],
        "access_config": [{"authentication_mode": mode, "bootstrap_cluster_creator_admin_permissions": False}],
        "vpc_config": [{
            "cluster_security_group_id": "sg-0standin0cluster00",
            "endpoint_private_access": True,
            "endpoint_public_access": True,
            "public_access_cidrs": ["0.0.0.0/0"],
            "security_group_ids": ["sg-0standin0additional"],
            "subnet_ids": ["subnet-0standin0000000a", "subnet-0standin0000000b"],
            "vpc_id": "vpc-0standin000000000",
        }],
        "identity": [{"oidc": [{"issuer": f"https://oidc.eks.{region}.amazonaws.com/id/STANDIN0123456789"}]}],
        "role_arn": f"arn:aws:iam::{ACCOUNT_ID}:role/stand-in-eks-cluster",
        "status": "ACTIVE",
        "version": "1.31",
        "platform_version": "eks.1",
    }


def _policy_document(config: dict) -> dict:
    statements = []
    for statement in config.get("statement") or []:
        rendered: dict[str, Any] = {}
        if statement.get("sid"):
            rendered["Sid"] = statement["sid"]
        rendered["Effect"] = statement.get("effect") or "Allow"
        for key, field in (("Action", "actions"), ("NotAction", "not_actions"),
                           ("Resource", "resources"), ("NotResource", "not_resources")):
            values = sorted(statement.get(field) or [])
            if values:
                rendered[key] = values[0] if len(values) == 1 else values
        for key, field in (("Principal", "principals"), ("NotPrincipal", "not_principals")):
            principals = {p["type"]: sorted(p["identifiers"]) for p in statement.get(field) or []}
            if principals:
                rendered[key] = principals
        conditions: dict[str, dict] = {}
        for condition in statement.get("condition") or []:
            conditions.setdefault(condition["test"], {})[condition["variable"]] = condition["values"]
        if conditions:
            rendered["Condition"] = conditions
        statements.append(rendered)
    document = {"Version": config.get("version") or "2012-10-17", "Statement": statements}
    return {"json": json.dumps(document, indent=2), "minified_json": json.dumps(document, separators=(",", ":")),
            "id": str(zlib.crc32(json.dumps(document, sort_keys=True).encode()))}


# The stack's chart fetcher is `/bin/sh -c SCRIPT fetch-hyperpod-chart REPO SHA CHART_DIR CACHE_DIR`; its script
# prints {"chart_path": "CACHE_DIR/SHA/CHART_DIR"}. Shell positional parameters start at $0, right after SCRIPT.
CHART_FETCHER = "fetch-hyperpod-chart"


def _external(config: dict) -> dict:
    """What the program would print, without running it: plans stay offline (no git, no helm, no network).
    Only the stack's chart fetcher is known; any other program gets typed filler, which no stack reference expects."""
    program = config.get("program") or []
    positional = program[3:] if program[:2] == ["/bin/sh", "-c"] else []
    if positional[:1] != [CHART_FETCHER] or len(positional) != 5:
        return {"id": "-"}
    _, _repository, revision, chart_directory, cache = positional
    return {"id": "-", "result": {"chart_path": f"{cache}/{revision}/{chart_directory}"}}


REALISTIC = {
    "aws_caller_identity": _caller_identity,
    "aws_partition": _partition,
    "aws_region": _aws_region,
    "aws_eks_cluster": _eks_cluster,
    "aws_iam_policy_document": _policy_document,
    "external": _external,
}


def _conform(value: Any, type_: Any) -> Any:
    """A realistic value with every attribute its schema type has: ones it lacks (a newer provider version's, such as
    aws 6.69.1's vpc_config.control_plane_egress_mode) are null."""
    if isinstance(type_, list) and type_[0] in ("list", "set") and isinstance(value, list):
        return [_conform(item, type_[1]) for item in value]
    if isinstance(type_, list) and type_[0] == "object" and isinstance(value, dict):
        return {**value, **{name: _conform(value.get(name), field) for name, field in type_[1].items()}}
    return value


def read(type_name: str, block: dict, config: dict) -> dict:
    """The data source's state: configuration kept, computed nulls filled (realistic values first, filler after)."""
    state = dict(config)
    realistic = REALISTIC.get(type_name, lambda _: {})(config)
    for name, spec in block.get("attributes", {}).items():
        if state.get(name) is None and spec.get("computed"):
            state[name] = (_conform(realistic[name], spec.get("type")) if name in realistic
                           else _attribute_filler(spec, name))
    return state
