"""HyperPod task governance's cluster policy: the cluster scheduler configuration (`awscc_sagemaker_cluster_scheduler_
config`, AWS::SageMaker::ClusterSchedulerConfig): fair share, priority classes and idle resource sharing.

Every rule below is the SageMaker API model's (botocore sagemaker 2017-07-24, CreateClusterSchedulerConfig:
EntityName, EntityDescription, SchedulerConfig, PriorityClass, ClusterSchedulerPriorityClassName, PriorityWeight,
PriorityClassList max 10), which the CloudFormation schema repeats. Compute quotas per team
(AWS::SageMaker::ComputeQuota, CreateComputeQuota) have no resource in the pinned providers (awscc 1.106.0, aws 6.25):
docs/addons.md says how to set them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal

from pydantic import Field

from hyperpod.config.errors import Problem, value_repr
from hyperpod.config.fields import Strict, matching

# SageMaker API model: EntityName, 1-63 characters.
POLICY_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
# SageMaker API model: ClusterSchedulerPriorityClassName. Task governance names the Kueue WorkloadPriorityClass
# <name>-priority, so jobs and endpoints carry kueue.x-k8s.io/priority-class: <name>-priority (the charts do).
PRIORITY_CLASS_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9]){0,39}?")
MAX_PRIORITY_CLASSES = 10
DEFAULT_POLICY_NAME = "cluster-policy"


class PriorityClass(Strict):
    """A task priority: higher weights are admitted first and may preempt lower ones."""

    name: Annotated[str, matching(PRIORITY_CLASS_NAME, "1-41 lowercase letters, digits and hyphens, starting and "
                                                       "ending with a letter or digit (SageMaker "
                                                       "ClusterSchedulerPriorityClassName)", tokens=False)] = Field(
        description="Priority class name; workloads select it with the label "
                    "kueue.x-k8s.io/priority-class: <name>-priority.")
    weight: int = Field(ge=0, le=100, description="0 (lowest) to 100 (highest) (SageMaker PriorityWeight).")


class SchedulerConfig(Strict):
    """The cluster policy (`awscc_sagemaker_cluster_scheduler_config`); needs the task governance add-on."""

    name: Annotated[str, matching(POLICY_NAME, "1-63 letters, digits and hyphens, starting and ending with a letter "
                                               "or digit (SageMaker EntityName)", tokens=False)] = Field(
        DEFAULT_POLICY_NAME, description="Policy name, unique within the HyperPod cluster. Changing it replaces the "
                                         "policy (create-only).")
    description: str | None = Field(None, max_length=1024, description="Policy description (up to 1024 "
                                                                       "characters).")
    fair_share: Literal["Enabled", "Disabled"] = Field(
        "Enabled", description="Enabled: teams borrow idle compute by their fair-share weight; Disabled: first come, "
                               "first served (SageMaker FairShare; AWS's default is Enabled).")
    idle_resource_sharing: Literal["Enabled", "Disabled"] | None = Field(
        None, description="Share idle compute across teams (SageMaker IdleResourceSharing). Default: AWS's.")
    priority_classes: list[PriorityClass] = Field(
        [], max_length=MAX_PRIORITY_CLASSES, description="Task priorities, at most 10 (SageMaker PriorityClassList).")


def scheduler_config_problems(raw: dict) -> list[Problem]:
    """Rules that span the cluster policy and the rest of the config; works on raw (possibly invalid) data."""
    addons = raw.get("hyperpod_addons")
    governance = addons.get("task_governance") if isinstance(addons, dict) else None
    policy = governance.get("scheduler_config") if isinstance(governance, dict) else None
    if not isinstance(policy, dict):
        return []
    where = "hyperpod_addons.task_governance.scheduler_config"
    problems = []
    if governance.get("enabled") is not True:
        # SageMaker AI developer guide, "Policies" (task governance): cluster policies and compute quotas need the
        # task governance add-on installed on the cluster.
        problems.append(Problem(where, "set with task governance off: a cluster policy needs the task governance "
                                       "add-on; allowed: hyperpod_addons.task_governance.enabled true, or no "
                                       "scheduler_config"))
    classes = policy.get("priority_classes")
    names = [c.get("name") for c in classes if isinstance(c, dict)] if isinstance(classes, list) else []
    repeated = sorted({n for n in names if isinstance(n, str) and names.count(n) > 1})
    if repeated:
        # Each priority class becomes one Kueue WorkloadPriorityClass named <name>-priority: names must differ.
        problems.append(Problem(f"{where}.priority_classes", f"names {', '.join(map(value_repr, repeated))} appear "
                                "more than once; allowed: one class per name (each becomes the Kueue "
                                "WorkloadPriorityClass <name>-priority)"))
    description = policy.get("description")
    # SageMaker API model: EntityDescription is [\p{L}\p{M}\p{Z}\p{S}\p{N}\p{P}]*, i.e. no "other" (C*) characters.
    if isinstance(description, str) and any(unicodedata.category(c).startswith("C") for c in description):
        problems.append(Problem(f"{where}.description", f"got {value_repr(description)}; allowed: letters, marks, "
                                "spaces, symbols, digits and punctuation, no control characters (SageMaker "
                                "EntityDescription)"))
    return problems
