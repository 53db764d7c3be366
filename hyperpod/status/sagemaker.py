"""What SageMaker says about a HyperPod cluster: its status, instance groups and every node."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import botocore.exceptions

from hyperpod.commands import aws as aws_calls
from hyperpod.commands.errors import Unreachable

if TYPE_CHECKING:
    from hyperpod.status.scheduler import SchedulerPolicyState


@dataclass(frozen=True)
class InstanceGroup:
    name: str
    instance_type: str
    current_count: int
    target_count: int
    status: str | None  # the real API reports it; moto does not
    min_count: int | None = None  # MinCount: only groups created with a min_instance_count
    # A flexible group (InstanceRequirements) reports the types it runs instead of one InstanceType.
    instance_types: tuple[str, ...] = ()
    patching: str | None = None  # AutoPatchConfig: the strategy and the next patch date, when patching is on


@dataclass(frozen=True)
class Autoscaling:
    """DescribeCluster's AutoScaling (Karpenter): mode, autoscaler, its status and failure."""

    mode: str
    autoscaler: str | None
    status: str | None
    failure_message: str


@dataclass(frozen=True)
class ClusterNode:
    instance_id: str
    group: str
    instance_type: str
    status: str
    message: str
    logical_id: str | None = None  # NodeLogicalId: listed for Continuous-provisioning clusters when asked for


@dataclass(frozen=True)
class SageMakerState:
    cluster_name: str
    region: str
    found: bool
    status: str | None = None
    failure_message: str = ""
    instance_groups: tuple[InstanceGroup, ...] = ()
    nodes: tuple[ClusterNode, ...] = field(default=())
    provisioning_mode: str | None = None  # NodeProvisioningMode; None: the standard mode
    autoscaling: Autoscaling | None = None
    eks_cluster_arn: str | None = None  # the orchestrator; moto leaves it out
    # RestrictedInstanceGroups (Amazon Nova customization): shown with their counts, not matched to Kubernetes nodes.
    restricted_groups: tuple[InstanceGroup, ...] = ()
    cluster_arn: str | None = None
    # Task governance's cluster policy (hyperpod.status.scheduler), read only when the --config asks for one.
    scheduler_policy: SchedulerPolicyState | None = None


def _is_missing_cluster(error: botocore.exceptions.ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code", "")
    message = error.response.get("Error", {}).get("Message", "")
    # AWS answers ResourceNotFound; moto answers ValidationException "Could not find cluster".
    return code in ("ResourceNotFound", "ResourceNotFoundException") or (
        code == "ValidationException" and "could not find cluster" in message.lower()
    )


is_missing_cluster = _is_missing_cluster  # public for hyperpod-preflight, which asks the same question


def _refused(operation: str, error: botocore.exceptions.ClientError) -> Unreachable:
    details = error.response.get("Error", {})
    code = details.get("Code", "Error")
    message = details.get("Message", "").strip()
    return Unreachable(f"SageMaker refused {operation}: {code}: {message}".rstrip(": "))


def sagemaker_client(region: str, endpoint_url: str | None = None):
    return aws_calls.client("sagemaker", region, endpoint_url)


def _instance_types(group: dict) -> tuple[str, ...]:
    """The types a group runs: its InstanceType, or a flexible group's current (else desired) instance types."""
    if group.get("InstanceType"):
        return (group["InstanceType"],)
    requirements = group.get("InstanceRequirements") or {}
    types = requirements.get("CurrentInstanceTypes") or requirements.get("DesiredInstanceTypes") or []
    return tuple(t for t in types if isinstance(t, str))


def _patching(group: dict) -> str | None:
    config = group.get("AutoPatchConfig")
    if not isinstance(config, dict) or not config.get("PatchingStrategy"):
        return None
    next_patch = (config.get("CurrentPatchSchedule") or {}).get("NextPatchDate")
    if isinstance(next_patch, datetime):
        when = f"next patch {next_patch.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC"
    else:
        when = "no patch pending"
    return f"auto-patching {config['PatchingStrategy']}, {when}"


def _instance_groups(description: dict, key: str = "InstanceGroups") -> tuple[InstanceGroup, ...]:
    return tuple(
        InstanceGroup(
            name=group["InstanceGroupName"],
            instance_type=group.get("InstanceType") or ", ".join(_instance_types(group)),
            current_count=int(group.get("CurrentCount", 0)),
            target_count=int(group.get("TargetCount", 0)),
            status=group.get("Status"),
            min_count=int(group["MinCount"]) if group.get("MinCount") is not None else None,
            instance_types=_instance_types(group),
            patching=_patching(group),
        )
        for group in description.get(key, [])
    )


def _autoscaling(description: dict) -> Autoscaling | None:
    scaling = description.get("AutoScaling")
    if not isinstance(scaling, dict) or not scaling.get("Mode"):
        return None
    return Autoscaling(mode=scaling["Mode"], autoscaler=scaling.get("AutoScalerType"), status=scaling.get("Status"),
                       failure_message=(scaling.get("FailureMessage") or "").strip())


def _nodes(client, cluster_name: str, include_logical_ids: bool = False) -> tuple[ClusterNode, ...]:
    nodes = []
    # IncludeNodeLogicalIds also lists nodes still being provisioned (no instance id yet); AWS supports logical ids
    # on Continuous-provisioning clusters only (ListClusterNodes, BatchRebootClusterNodes NodeLogicalIds).
    extra = {"IncludeNodeLogicalIds": True} if include_logical_ids else {}
    # Clusters have hundreds of nodes and a page holds at most 100: always paginate.
    for page in client.get_paginator("list_cluster_nodes").paginate(ClusterName=cluster_name, **extra):
        for summary in page.get("ClusterNodeSummaries", []):
            instance_status = summary.get("InstanceStatus", {})
            nodes.append(
                ClusterNode(
                    instance_id=summary.get("InstanceId", ""),
                    group=summary.get("InstanceGroupName", ""),
                    instance_type=summary.get("InstanceType", ""),
                    status=instance_status.get("Status", "Unknown"),
                    message=instance_status.get("Message", ""),
                    logical_id=summary.get("NodeLogicalId"),
                )
            )
    return tuple(nodes)


def fetch_sagemaker_state(client, cluster: str, region: str, include_logical_ids: bool = False) -> SageMakerState:
    """Describe the cluster and list every node; raise Unreachable/UsageError instead of botocore errors.
    include_logical_ids: on a Continuous-provisioning cluster, also list nodes not launched yet, with their
    NodeLogicalId."""
    with aws_calls.translated_errors("SageMaker", region):
        try:
            description = client.describe_cluster(ClusterName=cluster)
        except botocore.exceptions.ClientError as error:
            if _is_missing_cluster(error):
                return SageMakerState(cluster_name=cluster, region=region, found=False)
            raise _refused("DescribeCluster", error) from None
        name = description.get("ClusterName", cluster)
        try:
            continuous = description.get("NodeProvisioningMode") == "Continuous"
            nodes = _nodes(client, name, include_logical_ids and continuous)
        except botocore.exceptions.ClientError as error:
            raise _refused("ListClusterNodes", error) from None
        except botocore.exceptions.PaginationError as error:
            raise Unreachable(f"SageMaker ListClusterNodes paging broke: {error}") from None
    return SageMakerState(
        cluster_name=name,
        region=region,
        found=True,
        status=description.get("ClusterStatus"),
        failure_message=(description.get("FailureMessage") or "").strip(),
        instance_groups=_instance_groups(description),
        nodes=nodes,
        provisioning_mode=description.get("NodeProvisioningMode"),
        autoscaling=_autoscaling(description),
        eks_cluster_arn=((description.get("Orchestrator") or {}).get("Eks") or {}).get("ClusterArn"),
        restricted_groups=_instance_groups(description, "RestrictedInstanceGroups"),
        cluster_arn=description.get("ClusterArn"),
    )


# Public names for the other operator commands (hyperpod-nodes), which read and refuse the same way.
is_missing_cluster = _is_missing_cluster
refused = _refused
