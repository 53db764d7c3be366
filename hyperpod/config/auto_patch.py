"""Automatic patching of an instance group: HyperPod applies security-patch AMI updates as its nodes become idle.

Sources: SageMaker API reference, ClusterAutoPatchConfig (PatchingStrategy `WhenIdle` or `WhenAllIdle`, the values
the pinned awscc 1.106.0 documents; DeploymentConfig "only applicable when using a rolling patching strategy"),
DeploymentConfiguration (WaitIntervalInSeconds 0-3600, AutoRollbackConfiguration 1-10 alarms), CapacitySizeConfig
(Value at least 1, a percentage at most 100) and AlarmDetails (AlarmName 1-255 characters); the SageMaker HyperPod
user guide, "AMI automatic patching" (opt-in per instance group, on CreateCluster or UpdateCluster).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from hyperpod.config.capacity import ALARM_NAME, MAX_WAIT_INTERVAL_SECONDS
from hyperpod.config.errors import Problem
from hyperpod.config.fields import Strict, matching

MAX_ROLLBACK_ALARMS = 10  # DeploymentConfiguration.AutoRollbackConfiguration: 1-10 alarms


class PatchDeployment(Strict):
    """How a patch rolls through the group: batches, the wait between them, the alarms that roll it back."""

    batch_type: Literal["INSTANCE_COUNT", "CAPACITY_PERCENTAGE"] = Field(
        "CAPACITY_PERCENTAGE", description="How `batch_size` counts: instances, or percent of the group.")
    batch_size: int = Field(ge=1, description="Instances (or percent, at most 100) patched per batch.")
    wait_interval_seconds: int | None = Field(None, ge=0, le=MAX_WAIT_INTERVAL_SECONDS,
                                              description="Seconds to wait between batches (0-3600).")
    rollback_alarms: list[Annotated[str, matching(ALARM_NAME, "a CloudWatch alarm name of 1-255 characters, no "
                                                              "control characters")]] = Field(
        default_factory=list, max_length=MAX_ROLLBACK_ALARMS,
        description="CloudWatch alarms (at most 10) that roll the patch back when they fire.")


class AutoPatchConfig(Strict):
    """Automatic security patching of the group's AMI, applied as nodes become idle."""

    patching_strategy: Literal["WhenIdle", "WhenAllIdle"] = Field(
        description="`WhenIdle` patches each node as it becomes idle; `WhenAllIdle` waits until every node of the "
                    "group is idle, then patches them all.")
    deployment_config: PatchDeployment | None = Field(
        None, description="`{batch_type, batch_size, wait_interval_seconds, rollback_alarms}` (the API applies it "
                          "to rolling patching only).")


def auto_patch_problems(group: dict, where: str) -> list[Problem]:
    """Rules that span fields of a raw group's auto_patch_config, and its relation to scheduled_update."""
    patch = group.get("auto_patch_config")
    if not isinstance(patch, dict):
        return []
    problems = []
    deployment = patch.get("deployment_config")
    if isinstance(deployment, dict) and deployment.get("batch_type", "CAPACITY_PERCENTAGE") == "CAPACITY_PERCENTAGE":
        size = deployment.get("batch_size")
        if isinstance(size, int) and not isinstance(size, bool) and size > 100:
            problems.append(Problem(f"{where}.auto_patch_config.deployment_config.batch_size", f"got {size} with "
                                    "batch_type CAPACITY_PERCENTAGE; allowed: a percentage of 1-100"))
    if isinstance(group.get("scheduled_update"), dict):
        # AWS documents no rule against both on one group; but both replace the group's AMI, and the scheduled
        # update rolls on its cron whether or not jobs run, which is what idle-only patching exists to avoid.
        problems.append(Problem(f"{where}.auto_patch_config", "set together with scheduled_update: both update "
                                "the group's AMI, and the scheduled update rolls out on its cron even on busy "
                                "nodes, interrupting the jobs idle-only patching waits for; keep one of them",
                                severity="warning"))
    return problems
