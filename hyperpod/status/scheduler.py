"""Task governance's cluster policy as SageMaker reports it: the cluster scheduler config the stack creates when the
config sets hyperpod_addons.task_governance.scheduler_config (ListClusterSchedulerConfigs filtered by the cluster's
ARN, then DescribeClusterSchedulerConfig of the policy with the configured name; both read-only)."""

from __future__ import annotations

from dataclasses import dataclass

import botocore.exceptions

from hyperpod.commands import aws as aws_calls
from hyperpod.commands.errors import Unreachable
from hyperpod.status.checks import FAIL, PASS, PENDING, Check

# SchedulerResourceStatus (botocore SageMaker model 2017-07-24): Created and Updated are settled, Creating and
# Updating move on by themselves; every *Failed status, Deleting and Deleted leave the cluster without the policy
# the config asks for (an unknown status counts as a failure, as the other checks do).
_POLICY_STATUS = {"Created": PASS, "Updated": PASS, "Creating": PENDING, "Updating": PENDING}


@dataclass(frozen=True)
class SchedulerPolicyState:
    """The cluster policy named `name`; `others` are the other policies on the cluster as (name, status)."""

    name: str
    found: bool
    status: str | None = None
    version: int | None = None
    failure_reason: str = ""
    policy_id: str | None = None
    others: tuple[tuple[str, str], ...] = ()


def _summaries(client, cluster_arn: str) -> list[dict]:
    pages = client.get_paginator("list_cluster_scheduler_configs").paginate(ClusterArn=cluster_arn)
    return [s for page in pages for s in page.get("ClusterSchedulerConfigSummaries", [])
            # The filter is the service's; a summary naming another cluster is not this cluster's policy.
            if s.get("ClusterArn") in (None, cluster_arn)]


def _pick(summaries: list[dict], name: str) -> dict | None:
    """The policy with the configured name: a live one before a Deleted one, then the newest."""
    mine = [s for s in summaries if s.get("Name") == name]
    mine.sort(key=lambda s: (s.get("Status") != "Deleted", str(s.get("CreationTime", ""))), reverse=True)
    return mine[0] if mine else None


def _refused(client, operation: str, error: botocore.exceptions.ClientError):
    return aws_calls.refusal("SageMaker", operation, error, aws_calls.iam_action(client, operation))


def fetch_scheduler_policy(client, cluster_arn: str, name: str, region: str) -> SchedulerPolicyState:
    """Raise Unreachable/AccessDenied/UsageError instead of botocore errors."""
    with aws_calls.translated_errors("SageMaker", region):
        try:
            summaries = _summaries(client, cluster_arn)
        except botocore.exceptions.ClientError as error:
            raise _refused(client, "ListClusterSchedulerConfigs", error) from None
        except botocore.exceptions.PaginationError as error:
            raise Unreachable(f"SageMaker ListClusterSchedulerConfigs paging broke: {error}") from None
        others = tuple(sorted((str(s.get("Name")), str(s.get("Status"))) for s in summaries
                              if s.get("Name") != name and s.get("Status") != "Deleted"))
        picked = _pick(summaries, name)
        if picked is None:
            return SchedulerPolicyState(name, found=False, others=others)
        try:
            policy = client.describe_cluster_scheduler_config(
                ClusterSchedulerConfigId=picked["ClusterSchedulerConfigId"])
        except botocore.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("ResourceNotFound", "ResourceNotFoundException"):
                return SchedulerPolicyState(name, found=False, others=others)  # deleted between the two calls
            raise _refused(client, "DescribeClusterSchedulerConfig", error) from None
    version = policy.get("ClusterSchedulerConfigVersion")
    return SchedulerPolicyState(name, True, policy.get("Status"), version if isinstance(version, int) else None,
                                (policy.get("FailureReason") or "").strip(), policy.get("ClusterSchedulerConfigId"),
                                others)


def scheduler_policy_check(state: SchedulerPolicyState, cluster: str) -> Check:
    name = f"sagemaker: cluster policy {state.name}"
    if not state.found:
        detail = f"no cluster scheduler config {state.name!r} on cluster {cluster}"
        if state.others:
            detail += "; it has " + ", ".join(f"{n} ({s})" for n, s in state.others)
        return Check(name, FAIL, detail)
    detail = state.status or "unknown"
    if state.version is not None:
        detail += f", version {state.version}"
    if state.failure_reason:
        detail += f": {state.failure_reason}"
    return Check(name, _POLICY_STATUS.get(state.status, FAIL), detail)


def policy_dict(state: SchedulerPolicyState) -> dict:
    """The --json document's sagemaker.scheduler_config."""
    return {"name": state.name, "found": state.found, "id": state.policy_id, "status": state.status,
            "version": state.version, "failure_reason": state.failure_reason or None}
