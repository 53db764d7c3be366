"""What HyperPod itself recorded: cluster events (ListClusterEvents) and operations (ListClusterOperations).

AWS records events only for clusters whose NodeProvisioningMode is Continuous ("This functionality is only supported
when the NodeProvisioningMode is set to Continuous": ListClusterEvents in the SageMaker API reference; the HyperPod
cluster events reference says the same), and operations group those events (scaling, deep health checks), so both are
asked for only on such clusters and the user is told plainly otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import botocore.exceptions

from hyperpod.commands import aws as aws_calls
from hyperpod.commands.errors import Unreachable, UsageError
from hyperpod.status.sagemaker import is_missing_cluster, refused

MAX_ITEMS = 1000  # a day of a busy cluster; beyond it the user narrows --since


@dataclass(frozen=True)
class Event:
    time: datetime
    level: str
    resource_type: str
    group: str
    instance_id: str
    description: str
    event_id: str
    operation_id: str


@dataclass(frozen=True)
class Operation:
    time: datetime | None
    type: str
    status: str
    operation_id: str


@dataclass(frozen=True)
class History:
    cluster_name: str
    region: str
    since: datetime
    events: tuple[Event, ...] | None = None
    operations: tuple[Operation, ...] | None = None
    truncated: bool = False


def _describe(client, cluster: str) -> dict:
    try:
        return client.describe_cluster(ClusterName=cluster)
    except botocore.exceptions.ClientError as error:
        if is_missing_cluster(error):
            raise UsageError(f"CLUSTER: no HyperPod cluster {cluster!r} in this account and region") from None
        raise refused("DescribeCluster", error) from None


def _items(client, method: str, key: str, request: dict) -> tuple[list[dict], bool]:
    items = []
    for page in client.get_paginator(method).paginate(**request):
        items += page.get(key) or []
        if len(items) > MAX_ITEMS:
            return items[:MAX_ITEMS], True
    return items, False


def fetch_history(client, cluster: str, region: str, *, since_seconds: float, events: bool,
                  group: str | None = None, node: str | None = None,
                  now: datetime | None = None) -> History:
    """Events or operations newer than `since_seconds`, newest first."""
    since = (now or datetime.now(timezone.utc)) - timedelta(seconds=since_seconds)
    with aws_calls.translated_errors("SageMaker", region):
        description = _describe(client, cluster)
        name = description.get("ClusterName", cluster)
        mode = description.get("NodeProvisioningMode")
        if mode != "Continuous":
            what = "events" if events else "operations"
            raise UsageError(f"--{what}: cluster {name} uses the standard node provisioning mode; HyperPod records "
                             f"cluster {what} only for clusters created with NodeProvisioningMode Continuous "
                             "(hyperpod_node_provisioning_mode in the config)")
        try:
            if events:
                request = {"ClusterName": name, "EventTimeAfter": since, "SortBy": "EventTime",
                           "SortOrder": "Descending",
                           **({"InstanceGroupName": group} if group else {}), **({"NodeId": node} if node else {})}
                raw, truncated = _items(client, "list_cluster_events", "Events", request)
                return History(name, region, since, events=tuple(_event(e) for e in raw), truncated=truncated)
            request = {"ClusterName": name, "CreationTimeAfter": since, "SortBy": "CreationTime",
                       "SortOrder": "Descending"}
            raw, truncated = _items(client, "list_cluster_operations", "ClusterOperationSummaries", request)
            return History(name, region, since, operations=tuple(_operation(o) for o in raw), truncated=truncated)
        except botocore.exceptions.ClientError as error:
            raise refused("ListClusterEvents" if events else "ListClusterOperations", error) from None
        except botocore.exceptions.PaginationError as error:
            raise Unreachable(f"SageMaker paging broke: {error}") from None


def _event(raw: dict) -> Event:
    return Event(time=raw.get("EventTime"), level=raw.get("EventLevel") or "-",
                 resource_type=raw.get("ResourceType") or "-", group=raw.get("InstanceGroupName") or "",
                 instance_id=raw.get("InstanceId") or "", description=(raw.get("Description") or "").strip(),
                 event_id=raw.get("EventId") or "", operation_id=raw.get("OperationId") or "")


def _operation(raw: dict) -> Operation:
    return Operation(time=raw.get("CreationTime"), type=raw.get("Type") or "-", status=raw.get("Status") or "-",
                     operation_id=raw.get("OperationId") or "")
