"""What EKS says about the add-ons a deployment expects (DescribeAddon, one call per add-on)."""

from __future__ import annotations

from dataclasses import dataclass

import botocore.exceptions

from hyperpod.commands import aws as aws_calls
from hyperpod.commands.errors import Unreachable


@dataclass(frozen=True)
class AddonState:
    name: str
    found: bool
    status: str | None = None  # CREATING, ACTIVE, CREATE_FAILED, UPDATING, DELETING, DELETE_FAILED, DEGRADED, ...
    version: str | None = None
    issues: tuple[str, ...] = ()  # the add-on's health issues, "code: message"
    tags: tuple[tuple[str, str], ...] = ()  # the add-on's AWS tags, sorted


def eks_client(region: str):
    """No --endpoint-url here (that one is SageMaker's): botocore honours AWS_ENDPOINT_URL(_EKS) itself."""
    return aws_calls.client("eks", region)


def _describe(client, cluster: str, name: str) -> AddonState:
    try:
        addon = client.describe_addon(clusterName=cluster, addonName=name)["addon"]
    except botocore.exceptions.ClientError as error:
        details = error.response.get("Error", {})
        code = details.get("Code", "Error")
        if code == "ResourceNotFoundException":
            message = details.get("Message", "")
            if "cluster" in message.lower() and "addon" not in message.lower():
                raise Unreachable(f"EKS refused DescribeAddon: no EKS cluster {cluster!r} ({message})") from None
            return AddonState(name, found=False)
        raise aws_calls.refusal("EKS", f"DescribeAddon for {name}", error,
                                aws_calls.iam_action(client, "DescribeAddon")) from None
    issues = tuple(f"{i.get('code', 'Issue')}: {i.get('message', '').strip()}".rstrip(": ")
                   for i in (addon.get("health") or {}).get("issues") or [])
    tags = tuple(sorted((str(k), str(v)) for k, v in (addon.get("tags") or {}).items()))
    return AddonState(name, True, addon.get("status"), addon.get("addonVersion"), issues, tags)


def fetch_addon_states(client, cluster: str, region: str, names) -> tuple[AddonState, ...]:
    """Describe each add-on; raise Unreachable/UsageError instead of botocore errors."""
    with aws_calls.translated_errors("EKS", region):
        return tuple(_describe(client, cluster, name) for name in names)


def eks_cluster_name(orchestrator_arn: str | None) -> str | None:
    """arn:aws:eks:<region>:<account>:cluster/<name> -> <name>."""
    if orchestrator_arn and ":cluster/" in orchestrator_arn:
        return orchestrator_arn.rsplit("/", 1)[-1] or None
    return None
