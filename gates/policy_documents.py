"""IAM policy documents of a cdk.tf.json, in one shape whatever way the stack wrote them.

The stack renders policies as data.aws_iam_policy_document statement blocks (what checkov can read); a literal JSON
policy string is accepted too and converted to the same block shape, so a rule cannot be bypassed by switching forms.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from gates.hcl_lists import expand
from gates.terraform_json import data_sources_of_type, is_expression

POLICY_DOCUMENT = "aws_iam_policy_document"


@dataclass(frozen=True)
class PolicyDocument:
    path: str               # where the statements live, e.g. data.aws_iam_policy_document.trust
    statements: list[dict]  # block shape: effect, actions, not_actions, resources, not_resources, principals, condition


class UnresolvedPolicy(Exception):
    """A policy value this check cannot read (an expression other than a policy-document reference)."""


def resolve(value, document: dict, where: str) -> PolicyDocument:
    """The document a policy attribute holds: a ${data.aws_iam_policy_document.X.json} reference or literal JSON."""
    if isinstance(value, str) and is_expression(value):
        parts = value[2:-1].split(".") if value.startswith("${") and value.endswith("}") else []
        if len(parts) == 4 and parts[0] == "data" and parts[1] == POLICY_DOCUMENT and parts[3] in ("json",
                                                                                                  "minified_json"):
            body = (document.get("data", {}).get(POLICY_DOCUMENT) or {}).get(parts[2])
            if body is None:
                raise UnresolvedPolicy(f"{where}: refers to data.{POLICY_DOCUMENT}.{parts[2]}, which is not defined")
            return from_data_source(parts[2], body)
        raise UnresolvedPolicy(f"{where}: got {value!r}; expected ${{data.{POLICY_DOCUMENT}.NAME.json}} or literal "
                               f"JSON, which this check can read")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise UnresolvedPolicy(f"{where}: not valid policy JSON ({error.msg})") from None
    if isinstance(value, dict):
        return from_policy_json(where, value)
    raise UnresolvedPolicy(f"{where}: got {type(value).__name__}, expected a policy")


def from_data_source(name: str, body: dict) -> PolicyDocument:
    statements = body.get("statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    return PolicyDocument(f"data.{POLICY_DOCUMENT}.{name}", [_with_defaults(s) for s in statements])


def all_data_documents(document: dict) -> list[PolicyDocument]:
    return [from_data_source(name, body) for name, body in data_sources_of_type(document, POLICY_DOCUMENT)]


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _elements(value) -> list[str]:
    """A list attribute's elements; cdktf renders token lists as one concat/formatlist expression."""
    return [] if value is None else expand(value)


def _with_defaults(statement: dict) -> dict:
    return {
        "effect": statement.get("effect") or "Allow",  # the provider's default effect
        "actions": _elements(statement.get("actions")),
        "not_actions": _elements(statement.get("not_actions")),
        "resources": _elements(statement.get("resources")),
        "not_resources": _elements(statement.get("not_resources")),
        "principals": _as_list(statement.get("principals")),
        "not_principals": _as_list(statement.get("not_principals")),
        "condition": _as_list(statement.get("condition")),
    }


def from_policy_json(where: str, policy: dict) -> PolicyDocument:
    statements = []
    for statement in _as_list(policy.get("Statement")):
        principals = []
        principal = statement.get("Principal")
        if principal == "*":
            principals.append({"type": "*", "identifiers": ["*"]})
        elif isinstance(principal, dict):
            principals += [{"type": k, "identifiers": _as_list(v)} for k, v in principal.items()]
        conditions = [{"test": test, "variable": variable, "values": _as_list(values)}
                      for test, pairs in (statement.get("Condition") or {}).items()
                      for variable, values in pairs.items()]
        statements.append(_with_defaults({
            "effect": statement.get("Effect"), "actions": statement.get("Action"),
            "not_actions": statement.get("NotAction"), "resources": statement.get("Resource"),
            "not_resources": statement.get("NotResource"), "principals": principals,
            "not_principals": [{"type": "*", "identifiers": ["*"]}] if statement.get("NotPrincipal") else None,
            "condition": conditions,
        }))
    return PolicyDocument(where, statements)
