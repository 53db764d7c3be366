"""The SageMaker calls that change a HyperPod cluster's nodes, each node's result reported on its own.

Shapes, limits and error codes are those of the SageMaker API model in the pinned botocore (sagemaker/2017-07-24):
- BatchRebootClusterNodes / BatchReplaceClusterNodes: at most 25 NodeIds (and 25 NodeLogicalIds) a request; results in
  Successful/Failed[{NodeId, ErrorCode, Message}] and SuccessfulNodeLogicalIds/FailedNodeLogicalIds.
- BatchDeleteClusterNodes: Failed[{NodeId, Code, Message}] with codes NodeIdNotFound, InvalidNodeStatus, NodeIdInUse;
  NodeLogicalIds "up to 50 ... a combined maximum of 50 identifiers"; NodeIds "more than 99 instances, contact
  Support".
- StartClusterHealthCheck: DeepHealthCheckConfigurations[{InstanceGroupName, InstanceIds (1-500, omitted = the whole
  group), DeepHealthChecks (1-3 of InstanceStress, InstanceConnectivity, MultiNodeTrainingValidation)}], 1-99 entries.

These calls are not idempotent, so the client that makes them has botocore's retries off: a request whose answer is
lost (read timeout) is reported as "outcome unknown" instead of being sent again. Throttling, which AWS answers before
doing anything, is retried here with backoff.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import botocore.exceptions
from botocore.config import Config

from hyperpod.commands import aws as aws_calls
from hyperpod.commands.errors import StatusError, Unreachable, UsageError
from hyperpod.status.sagemaker import refused

REBOOT_REPLACE_BATCH = 25
DELETE_BATCH = 50
MAX_DELETE = 99
THROTTLING_CODES = frozenset({"ThrottlingException", "Throttling", "TooManyRequestsException",
                              "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException",
                              "SlowDown"})
THROTTLE_ATTEMPTS = 5
_NOT_SENT = (botocore.exceptions.EndpointConnectionError, botocore.exceptions.ConnectTimeoutError)
_ANSWER_LOST = (botocore.exceptions.ReadTimeoutError, botocore.exceptions.ConnectionClosedError)
OUTCOME_UNKNOWN, NOT_ATTEMPTED = "OutcomeUnknown", "NotAttempted"

_MUTATING_CONFIG = Config(connect_timeout=5, read_timeout=60, retries={"total_max_attempts": 1, "mode": "standard"})


def sleep(seconds: float) -> None:
    """Backoff between throttled attempts (a module function so tests can count the waits instead of waiting)."""
    time.sleep(seconds)


def mutating_client(region: str, endpoint_url: str | None = None):
    return aws_calls.client("sagemaker", region, endpoint_url, config=_MUTATING_CONFIG)


@dataclass(frozen=True)
class Target:
    """A node as the user named it, resolved against ListClusterNodes."""

    argument: str
    instance_id: str  # "" for a node still being provisioned (Continuous mode), named by its logical id
    logical_id: str | None
    group: str
    status: str

    @property
    def request_id(self) -> str:
        return self.instance_id or self.logical_id or self.argument


@dataclass(frozen=True)
class NodeResult:
    target: Target
    ok: bool
    code: str = ""
    message: str = ""


class CallFailed(StatusError):
    """A whole request failed (not one node): the exit code of the underlying error."""

    def __init__(self, error: StatusError, code: str):
        super().__init__(error.reason)
        self.exit_code = error.exit_code
        self.code = code


def _error_code(error: botocore.exceptions.ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "Error")


def call(client, operation: str, method: str, region: str, **request) -> dict:
    """One mutating request: throttling retried with backoff, every other failure as CallFailed."""
    for attempt in range(THROTTLE_ATTEMPTS):
        try:
            return getattr(client, method)(**request)
        except botocore.exceptions.ClientError as error:
            code = _error_code(error)
            if code in THROTTLING_CODES and attempt + 1 < THROTTLE_ATTEMPTS:
                sleep(min(20.0, 0.5 * 2 ** attempt) * random.uniform(0.5, 1.0))
                continue
            raise CallFailed(refused(operation, error), code) from None
        except _ANSWER_LOST as error:
            raise CallFailed(Unreachable(f"SageMaker {operation} sent, but its answer was lost ({error}): whether "
                                         "it took effect is unknown; check with `hyperpod-nodes list`"),
                             OUTCOME_UNKNOWN) from None
        except _NOT_SENT as error:
            raise CallFailed(Unreachable(f"could not reach SageMaker in {region}: {error}"), "Unreachable") from None
        except aws_calls.CREDENTIAL_ERRORS as error:
            raise CallFailed(UsageError(f"AWS credentials: {error}"), "Credentials") from None
        except botocore.exceptions.ParamValidationError as error:
            raise CallFailed(UsageError(f"SageMaker {operation}: {error}"), "ParamValidation") from None
        except botocore.exceptions.BotoCoreError as error:
            raise CallFailed(Unreachable(f"SageMaker {operation} failed in {region}: {error}"),
                             OUTCOME_UNKNOWN) from None
    raise AssertionError("unreachable")  # the loop returns or raises


@dataclass(frozen=True)
class _Batch:
    operation: str
    method: str
    size: int
    code_key: str  # BatchDeleteClusterNodes says Code, the others ErrorCode


BATCHES = {
    "reboot": _Batch("BatchRebootClusterNodes", "batch_reboot_cluster_nodes", REBOOT_REPLACE_BATCH, "ErrorCode"),
    "replace": _Batch("BatchReplaceClusterNodes", "batch_replace_cluster_nodes", REBOOT_REPLACE_BATCH, "ErrorCode"),
    "remove": _Batch("BatchDeleteClusterNodes", "batch_delete_cluster_nodes", DELETE_BATCH, "Code"),
}


def _chunk_results(batch: _Batch, chunk: list[Target], response: dict) -> list[NodeResult]:
    succeeded = set(response.get("Successful") or []) | set(response.get("SuccessfulNodeLogicalIds") or [])
    failed = {f.get("NodeId"): f for f in response.get("Failed") or []}
    failed |= {f.get("NodeLogicalId"): f for f in response.get("FailedNodeLogicalIds") or []}
    results = []
    for target in chunk:
        key = target.request_id
        if key in failed:
            failure = failed[key]
            results.append(NodeResult(target, False, failure.get(batch.code_key) or "Failed",
                                      (failure.get("Message") or "").strip()))
        elif key in succeeded:
            results.append(NodeResult(target, True))
        else:
            results.append(NodeResult(target, False, "NotReported",
                                      f"{batch.operation} reported neither success nor failure for this node"))
    return results


def run_batch(client, action: str, cluster: str, region: str, targets: list[Target]) -> list[NodeResult]:
    """Send the targets in AWS's batch sizes; one result per target. A request that fails as a whole fails its nodes
    (and leaves later batches unsent); when nothing at all was done, its error is raised instead."""
    batch = BATCHES[action]
    results: list[NodeResult] = []
    for start in range(0, len(targets), batch.size):
        chunk = targets[start:start + batch.size]
        request = {"ClusterName": cluster}
        ids = [t.instance_id for t in chunk if t.instance_id]
        logical = [t.logical_id for t in chunk if not t.instance_id and t.logical_id]
        if ids:
            request["NodeIds"] = ids
        if logical:
            request["NodeLogicalIds"] = logical
        try:
            response = call(client, batch.operation, batch.method, region, **request)
        except CallFailed as failed:
            if not results and failed.code != OUTCOME_UNKNOWN:  # the first request, refused: nothing happened
                raise
            results += [NodeResult(t, False, failed.code, failed.reason) for t in chunk]
            results += [NodeResult(t, False, NOT_ATTEMPTED, f"not sent: an earlier {batch.operation} request "
                                   "failed") for t in targets[start + batch.size:]]
            return results
        results += _chunk_results(batch, chunk, response)
    return results


def start_health_check(client, cluster: str, region: str, configurations: list[dict]) -> str:
    """StartClusterHealthCheck; the cluster ARN it answers with."""
    response = call(client, "StartClusterHealthCheck", "start_cluster_health_check", region,
                    ClusterName=cluster, DeepHealthCheckConfigurations=configurations)
    return response.get("ClusterArn", "")
