"""HyperPod task governance: the add-on, which installs Kueue.

Compute quotas and the cluster scheduling policy are SageMaker API objects (CreateComputeQuota,
CreateClusterSchedulerConfig) that neither the pinned aws provider (6.25) nor the project's awscc binding can declare;
they are set in the SageMaker console or API after the add-on is ACTIVE (README, "Task governance").
"""

from __future__ import annotations

from typing import Sequence

from hyperpod.runtime.core import ITerraformDependable
from hyperpod.runtime.constructs import Construct

from hyperpod.addons.pinned_addon import minimum_kubernetes, pinned_addon
from hyperpod.config.addons import TASK_GOVERNANCE_MIN_KUBERNETES, TaskGovernanceAddon
from hyperpod.eks import EksCluster

ADDON_NAME = "amazon-sagemaker-hyperpod-taskgovernance"


class TaskGovernance(Construct):
    def __init__(self, scope: Construct, id: str, *, addon: TaskGovernanceAddon, eks: EksCluster,
                 depends_on: Sequence[ITerraformDependable]):
        super().__init__(scope, id)
        self.addon = pinned_addon(
            self, "addon", cluster_name=eks.name, addon_name=ADDON_NAME, version=addon.version, depends_on=depends_on,
            preconditions=minimum_kubernetes(eks.kubernetes_version, TASK_GOVERNANCE_MIN_KUBERNETES, ADDON_NAME))
