"""IAM roles for Kubernetes service accounts (IRSA): who may assume them and what they may carry.

EKS user guide, "Assign IAM roles to Kubernetes service accounts": a role trusts the cluster's OIDC provider for
sts:AssumeRoleWithWebIdentity, with `<issuer>:aud` = sts.amazonaws.com and `<issuer>:sub` naming the service
account (system:serviceaccount:<namespace>:<name>). Without the `sub` condition every service account of the cluster
could assume the role; a wildcard namespace lets any namespace in. The inference operator's execution role may also
trust SageMaker (AWS's Terraform does), from this account only (aws:SourceAccount).
"""
from __future__ import annotations

from gates.policy_documents import PolicyDocument
from gates.terraform_json import Violation, resources_of_type

WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity"
SAGEMAKER_SERVICE = "sagemaker.amazonaws.com"
# Managed policies AWS documents for the inference operator (SageMaker AI developer guide, "Setting up your HyperPod
# clusters for model deployment") and for gated JumpStart models.
WEB_IDENTITY_MANAGED_POLICIES = frozenset({"AmazonSageMakerHyperPodInferenceAccess",
                                           "AmazonSageMakerHyperPodGatedModelAccess"})
SUBJECT_PREFIX = "system:serviceaccount:"


def _is_oidc_provider(identifier: str) -> bool:
    return identifier.startswith("${aws_iam_openid_connect_provider.") or ":oidc-provider/" in identifier


def is_web_identity_trust(trust: PolicyDocument) -> bool:
    return any(principal.get("type") == "Federated"
               for statement in trust.statements for principal in statement["principals"])


def _check_subjects(path: str, condition: dict) -> list[Violation]:
    out = []
    for subject in condition.get("values") or []:
        parts = str(subject).split(":")
        if not str(subject).startswith(SUBJECT_PREFIX) or len(parts) != 4:
            out.append(Violation(f"{path}.condition", f"sub {subject!r} names no service account; allowed: "
                                 "system:serviceaccount:<namespace>:<name>"))
        elif "*" in parts[2] or "?" in parts[2] or not parts[2]:
            out.append(Violation(f"{path}.condition", f"sub {subject!r}: a wildcard namespace lets every namespace's "
                                 "service accounts assume the role; name the namespace"))
        elif condition.get("test") != "StringLike" and ("*" in parts[3] or "?" in parts[3]):
            out.append(Violation(f"{path}.condition", f"sub {subject!r} has a wildcard under StringEquals"))
    return out


def _check_web_statement(path: str, statement: dict) -> list[Violation]:
    out = []
    for principal in statement["principals"]:
        identifiers = principal.get("identifiers") or []
        if principal.get("type") != "Federated" or not all(_is_oidc_provider(str(i)) for i in identifiers):
            out.append(Violation(f"{path}.principals", f"{principal.get('type')} {identifiers} may assume the role; "
                                 "only the cluster's IAM OIDC provider may"))
    for action in statement["actions"]:
        if action != WEB_IDENTITY_ACTION:
            out.append(Violation(f"{path}.actions", f"trust allows {action!r}; only {WEB_IDENTITY_ACTION!r} is needed"))
    conditions = {str(c.get("variable", "")).rsplit(":", 1)[-1]: c for c in statement["condition"]
                  if str(c.get("variable", "")).endswith((":aud", ":sub"))}
    audience = conditions.get("aud")
    if audience is None or audience.get("test") != "StringEquals" or audience.get("values") != ["sts.amazonaws.com"]:
        out.append(Violation(f"{path}.condition", "no StringEquals <issuer>:aud = sts.amazonaws.com: tokens for "
                             "other audiences could be exchanged"))
    subject = conditions.get("sub")
    if subject is None or subject.get("test") not in ("StringEquals", "StringLike") or not subject.get("values"):
        out.append(Violation(f"{path}.condition", "no <issuer>:sub condition: every service account of the cluster "
                             "could assume the role"))
    else:
        out += _check_subjects(path, subject)
    return out


def _check_service_statement(path: str, statement: dict) -> list[Violation]:
    out = []
    for principal in statement["principals"]:
        if principal.get("identifiers") != [SAGEMAKER_SERVICE]:
            out.append(Violation(f"{path}.principals", f"{principal.get('type')} {principal.get('identifiers')} may "
                                 "assume the role; only the OIDC provider and SageMaker may"))
    if statement["actions"] != ["sts:AssumeRole"]:
        out.append(Violation(f"{path}.actions", f"SageMaker needs only 'sts:AssumeRole', got {statement['actions']}"))
    if not any(c.get("test") == "StringEquals" and c.get("variable") == "aws:SourceAccount" and c.get("values")
               for c in statement["condition"]):
        out.append(Violation(f"{path}.condition", "no StringEquals aws:SourceAccount: any account's SageMaker could "
                             "assume the role"))
    return out


def check_web_identity_trust(trust: PolicyDocument) -> list[Violation]:
    out = []
    for index, statement in enumerate(trust.statements):
        if str(statement["effect"]).lower() != "allow":
            continue
        path = f"{trust.path}.statement[{index}]"
        if statement["not_principals"] or statement["not_actions"]:
            out.append(Violation(path, "NotPrincipal/NotAction in a trust policy lets in everyone not listed"))
        kinds = {principal.get("type") for principal in statement["principals"]}
        if not kinds:
            out.append(Violation(f"{path}.principals", "no principal"))
        elif kinds == {"Service"}:
            out += _check_service_statement(path, statement)
        else:
            out += _check_web_statement(path, statement)
    return out


def check_web_identity_role(document: dict, role: str, trust: PolicyDocument, policies: list[PolicyDocument],
                            managed: list[str]) -> list[Violation]:
    """The trust (above), managed policies from the documented set, inline statements that name resources."""
    out = check_web_identity_trust(trust)
    for arn in managed:
        if arn.rsplit("/", 1)[-1] not in WEB_IDENTITY_MANAGED_POLICIES or ":iam::aws:policy/" not in arn:
            out.append(Violation(f"aws_iam_role.{role}", f"managed policy {arn!r} is not one AWS documents for a "
                                 f"service account role (allowed: {', '.join(sorted(WEB_IDENTITY_MANAGED_POLICIES))})"))
    for policy in policies:
        for index, statement in enumerate(policy.statements):
            if str(statement["effect"]).lower() == "allow" and not statement["resources"]:
                out.append(Violation(f"{policy.path}.statement[{index}].resources",
                                     "an Allow without resources: name the resources"))
    if role not in dict(resources_of_type(document, "aws_iam_role")):
        out.append(Violation(f"aws_iam_role.{role}", "not defined in this document"))
    return out
