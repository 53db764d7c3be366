"""IAM rules checkov cannot see: wildcard actions, writes on "*", the execution role against its reference, trust.

The reference (which actions the execution role may have, on which resources) is passed in as data, so the rule
engine stays generic and the allowed sets stay reviewable in one place (tests/gates/execution_role_reference.py).
Resource patterns are literal ARNs with placeholders:
  {seg}  one ARN segment: a Terraform expression or a literal without wildcards
  {any}  like {seg}, or the wildcard "*"
  {expr} exactly one Terraform expression
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from gates.policy_documents import PolicyDocument, UnresolvedPolicy, all_data_documents, resolve
from gates.terraform_json import Violation, leading_reference, resources_of_type
from gates.web_identity_hardening import check_web_identity_role, is_web_identity_trust

SAGEMAKER_SERVICE = "sagemaker.amazonaws.com"
POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"
# EKS Pod Identity assumes the role and tags the session (EKS user guide, "Create IAM role with trust policy
# required by EKS Pod Identity"); AWS's HyperPod add-on pages scope the trust to the account and the EKS cluster.
POD_IDENTITY_ACTIONS = frozenset({"sts:AssumeRole", "sts:TagSession"})
POD_IDENTITY_CONDITIONS = ("aws:SourceAccount", "aws:SourceArn")
# Managed policies a pod identity role may carry: the one AWS documents for the HyperPod training operator.
POD_IDENTITY_MANAGED_POLICIES = frozenset({"AmazonSageMakerHyperPodTrainingOperatorAccess"})
REFERENCE_NAME = "tests/gates/execution_role_reference.py"
# Verbs whose actions only read; everything else counts as a write (the safe direction for an unknown verb).
READ_VERBS = ("Describe", "Get", "List", "BatchGet", "BatchCheck", "Head")
_EXPR = r"\$\{[^{}]+\}"
_SEG = rf"(?:{_EXPR}|[A-Za-z0-9._-]+)"
_PLACEHOLDERS = {"{seg}": _SEG, "{any}": rf"(?:{_SEG}|\*)", "{expr}": _EXPR}


@dataclass(frozen=True)
class ReferenceStatement:
    """Actions the reference allows together, and the resource patterns they may be granted on."""
    actions: frozenset[str]
    resources: tuple[str, ...]


def compile_pattern(pattern: str) -> re.Pattern:
    parts = re.split(r"(\{seg\}|\{any\}|\{expr\})", pattern)
    return re.compile("".join(_PLACEHOLDERS.get(p, re.escape(p)) for p in parts) + r"\Z")


def is_wildcard_action(action: str) -> bool:
    return action == "*" or action.endswith(":*")


def is_read_action(action: str) -> bool:
    verb = action.split(":", 1)[-1]
    return verb.startswith(READ_VERBS)


def _allow_statements(policy: PolicyDocument):
    for index, statement in enumerate(policy.statements):
        if str(statement["effect"]).lower() == "allow":
            yield f"{policy.path}.statement[{index}]", statement


def check_wildcards(policies: list[PolicyDocument]) -> list[Violation]:
    """No Allow grants every action (of a service), uses NotAction/NotResource, or writes on "*"."""
    out = []
    for policy in policies:
        for path, statement in _allow_statements(policy):
            for action in statement["actions"]:
                if is_wildcard_action(action):
                    out.append(Violation(f"{path}.actions", f"allows {action!r}: grant the named actions instead"))
            for key in ("not_actions", "not_resources"):
                if statement[key]:
                    out.append(Violation(f"{path}.{key}", f"an Allow with {key} grants everything not listed"))
            if "*" in statement["resources"]:
                for action in statement["actions"]:
                    if not is_read_action(action) and not is_wildcard_action(action):
                        out.append(Violation(f"{path}.resources",
                                             f"write action {action!r} is allowed on '*': scope it to resource ARNs"))
    return out


def check_against_reference(policies: list[PolicyDocument], reference: list[ReferenceStatement]) -> list[Violation]:
    """Every (action, resource) an execution-role policy allows must be allowed by some reference statement."""
    out = []
    compiled = [(r.actions, [(p, compile_pattern(p)) for p in r.resources]) for r in reference]
    for policy in policies:
        for path, statement in _allow_statements(policy):
            if not statement["resources"]:
                out.append(Violation(f"{path}.resources", "an Allow without resources: name the resources"))
            too_broad: dict[str, list[str]] = {}
            for action in statement["actions"]:
                allowed = [patterns for actions, patterns in compiled if action in actions]
                if not allowed:
                    out.append(Violation(f"{path}.actions", f"{action!r} is not in the execution-role reference"))
                    continue
                for resource in statement["resources"]:
                    if not any(regex.match(resource) for patterns in allowed for _, regex in patterns):
                        too_broad.setdefault(resource, []).append(action)
            for resource, actions in too_broad.items():
                out.append(Violation(f"{path}.resources", f"{resource!r} is broader than the reference allows for "
                                     f"{', '.join(actions)} (see {REFERENCE_NAME})"))
    return out


def execution_roles(document: dict) -> dict[str, str]:
    """{role name: where it is used} for every aws_iam_role an awscc_sagemaker_cluster group runs as."""
    roles = {}
    for cluster, body in resources_of_type(document, "awscc_sagemaker_cluster"):
        for list_name in ("instance_groups", "restricted_instance_groups"):
            for index, group in enumerate(body.get(list_name) or []):
                reference = leading_reference(str(group.get("execution_role", "")))
                if reference and reference[0] == "aws_iam_role":
                    roles[reference[1]] = f"resource.awscc_sagemaker_cluster.{cluster}.{list_name}[{index}]"
    return roles


def role_permission_policies(document: dict, role: str) -> tuple[list[PolicyDocument], list[str], list[Violation]]:
    """(inline policy documents, managed policy ARNs, unreadable policies) attached to one role."""
    policies, managed, out = [], [], []

    def attached(value) -> bool:
        reference = leading_reference(str(value))
        return bool(reference) and reference[:2] == ("aws_iam_role", role)

    for kind in ("aws_iam_role_policy", "aws_iam_role_policy_attachment"):
        for name, body in resources_of_type(document, kind):
            if not attached(body.get("role")):
                continue
            try:
                if kind == "aws_iam_role_policy":
                    policies.append(resolve(body.get("policy"), document, f"{kind}.{name}.policy"))
                else:
                    managed.append(str(body.get("policy_arn")))
            except UnresolvedPolicy as error:
                out.append(Violation(f"{kind}.{name}", str(error)))
    role_body = dict(resources_of_type(document, "aws_iam_role")).get(role, {})
    managed += [str(arn) for arn in role_body.get("managed_policy_arns") or []]
    for index, inline in enumerate(role_body.get("inline_policy") or []):
        try:
            policies.append(resolve(inline.get("policy"), document, f"aws_iam_role.{role}.inline_policy[{index}]"))
        except UnresolvedPolicy as error:
            out.append(Violation(f"aws_iam_role.{role}.inline_policy[{index}]", str(error)))
    return policies, managed, out


def check_managed_policies(role: str, managed: list[str], allowed_names: set[str]) -> list[Violation]:
    out = []
    for arn in managed:
        name = arn.rsplit("/", 1)[-1]
        if not re.match(rf"arn:{_SEG}:iam::aws:policy/", arn) or name not in allowed_names:
            out.append(Violation(f"aws_iam_role.{role}", f"managed policy {arn!r} is not in the reference "
                                 f"(allowed: {', '.join(sorted(allowed_names))})"))
    return out


@dataclass(frozen=True)
class TrustRule:
    """Who may assume a kind of role: one service principal, these actions, these StringEquals conditions."""
    service: str
    who: str  # the service, as the messages name it
    role: str  # the kind of role, as the messages name it
    actions: frozenset[str]
    actions_needed: str
    conditions: tuple[str, ...] = ()


EXECUTION_TRUST = TrustRule(SAGEMAKER_SERVICE, "SageMaker", "role", frozenset({"sts:AssumeRole"}),
                            "only 'sts:AssumeRole' is needed")
POD_IDENTITY_TRUST = TrustRule(POD_IDENTITY_SERVICE, "EKS Pod Identity", "pod identity role", POD_IDENTITY_ACTIONS,
                               "EKS Pod Identity needs only sts:AssumeRole and sts:TagSession",
                               POD_IDENTITY_CONDITIONS)


def check_trust_policy(trust: PolicyDocument, rule: TrustRule) -> list[Violation]:
    """Every Allow of a trust policy names only `rule.service`, only its actions, with its conditions."""
    out = []
    allows = list(_allow_statements(trust))
    if not allows:
        out.append(Violation(trust.path, f"the trust policy allows nobody: {rule.who} cannot assume the role"))
    for path, statement in allows:
        if statement["not_principals"] or statement["not_actions"]:
            out.append(Violation(path, "NotPrincipal/NotAction in a trust policy lets in everyone not listed"))
        for principal in statement["principals"]:
            identifiers = principal.get("identifiers") or []
            if principal.get("type") != "Service" or any(i != rule.service for i in identifiers):
                out.append(Violation(f"{path}.principals", f"{principal.get('type')} {identifiers} may assume the "
                                     f"{rule.role}; only Service {rule.service} may"))
        if not statement["principals"]:
            out.append(Violation(f"{path}.principals", f"no principal: only Service {rule.service} may assume"))
        for action in statement["actions"]:
            if action not in rule.actions:
                out.append(Violation(f"{path}.actions", f"trust allows {action!r}; {rule.actions_needed}"))
        conditioned = {c.get("variable") for c in statement["condition"]
                       if c.get("test") == "StringEquals" and c.get("values")}
        for variable in rule.conditions:
            if variable not in conditioned:
                out.append(Violation(f"{path}.condition", f"no StringEquals {variable}: any account's or cluster's "
                                     f"{rule.role.removesuffix(' role')} could assume the role"))
    return out


def check_trust(document: dict, role: str) -> list[Violation]:
    """The execution role's trust policy lets only the SageMaker service assume it, with sts:AssumeRole alone."""
    if role not in dict(resources_of_type(document, "aws_iam_role")):
        return [Violation(f"aws_iam_role.{role}", "the execution role is not defined in this document")]
    trust = _trust(document, role)
    return [trust] if isinstance(trust, Violation) else check_trust_policy(trust, EXECUTION_TRUST)


# Attributes that may hold a policy as literal JSON instead of a policy-document reference.
POLICY_ATTRIBUTES = (("aws_iam_policy", "policy"), ("aws_iam_role_policy", "policy"), ("aws_s3_bucket_policy", "policy"),
                     ("aws_iam_role", "assume_role_policy"))


def literal_json_policies(document: dict) -> list[PolicyDocument]:
    """Policies written as JSON strings anywhere in the stack (references are covered via their data source)."""
    found = []
    for kind, attribute in POLICY_ATTRIBUTES:
        for name, body in resources_of_type(document, kind):
            value = body.get(attribute)
            if isinstance(value, (str, dict)) and "${data." not in str(value):
                try:
                    found.append(resolve(value, document, f"{kind}.{name}.{attribute}"))
                except UnresolvedPolicy:
                    continue  # an opaque expression: the role-specific checks report it where it matters
    return found


def _trust(document: dict, role: str) -> PolicyDocument | Violation:
    where = f"aws_iam_role.{role}.assume_role_policy"
    body = dict(resources_of_type(document, "aws_iam_role")).get(role, {})
    try:
        return resolve(body.get("assume_role_policy"), document, where)
    except UnresolvedPolicy as error:
        return Violation(where, str(error))


def web_identity_roles(document: dict) -> list[str]:
    """Roles whose trust names a Federated principal (IAM roles for service accounts; gates/web_identity_hardening)."""
    found = []
    for role, _ in resources_of_type(document, "aws_iam_role"):
        trust = _trust(document, role)
        if isinstance(trust, PolicyDocument) and is_web_identity_trust(trust):
            found.append(role)
    return sorted(found)


def pod_identity_roles(document: dict) -> list[str]:
    """Roles whose trust names the EKS Pod Identity service."""
    found = []
    for role, _ in resources_of_type(document, "aws_iam_role"):
        trust = _trust(document, role)
        if isinstance(trust, PolicyDocument) and any(
                POD_IDENTITY_SERVICE in (principal.get("identifiers") or [])
                for _, statement in _allow_statements(trust) for principal in statement["principals"]):
            found.append(role)
    return sorted(found)


def check_pod_identity_role(document: dict, role: str) -> list[Violation]:
    """Only EKS Pod Identity, only AssumeRole/TagSession, only from this account and cluster; no wildcard actions;
    managed policies from the documented set; inline statements name their resources."""
    trust = _trust(document, role)
    if isinstance(trust, Violation):
        return [trust]
    out = check_trust_policy(trust, POD_IDENTITY_TRUST)
    policies, managed, unreadable = role_permission_policies(document, role)
    out += unreadable + check_managed_policies(role, managed, set(POD_IDENTITY_MANAGED_POLICIES))
    for policy in policies:
        for path, statement in _allow_statements(policy):
            if not statement["resources"]:
                out.append(Violation(f"{path}.resources", "an Allow without resources: name the resources"))
    return out


def check_iam(document: dict, reference: list[ReferenceStatement], allowed_managed: set[str]) -> list[Violation]:
    """All IAM rules over one cdk.tf.json."""
    out = check_wildcards(all_data_documents(document) + literal_json_policies(document))
    for role in pod_identity_roles(document):
        out += check_pod_identity_role(document, role)
    for role in web_identity_roles(document):
        policies, managed, unreadable = role_permission_policies(document, role)
        out += unreadable + check_web_identity_role(document, role, _trust(document, role), policies, managed)
    roles = execution_roles(document)
    if not roles and any(True for _ in resources_of_type(document, "awscc_sagemaker_cluster")):
        out.append(Violation("resource.awscc_sagemaker_cluster", "no instance group runs as an aws_iam_role of this "
                             "stack: the execution role cannot be checked"))
    for role in sorted(roles):
        policies, managed, unreadable = role_permission_policies(document, role)
        out += unreadable
        out += check_against_reference(policies, reference)
        out += check_managed_policies(role, managed, allowed_managed)
        out += check_trust(document, role)
    return out
