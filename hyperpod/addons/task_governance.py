"""HyperPod task governance: the add-on, which installs Kueue, and the cluster policy when the config has one
(`awscc_sagemaker_cluster_scheduler_config`, created once the add-on is ACTIVE: the policy is applied through it).

Compute quotas (CreateComputeQuota) have no resource in the pinned providers (awscc 1.106.0, aws 6.25); they are set
in the SageMaker console or API after the add-on is ACTIVE (docs/addons.md, "Task governance").
"""

from __future__ import annotations

from typing import Mapping, Sequence

from hyperpod.runtime.core import ITerraformDependable
from hyperpod.runtime.constructs import Construct

from hyperpod.addons.pinned_addon import minimum_kubernetes, pinned_addon
from hyperpod.config.addons import TASK_GOVERNANCE_MIN_KUBERNETES, TaskGovernanceAddon
from hyperpod.config.tokens import terraform_literal  # a description may hold ${ or %{: stored verbatim
from hyperpod.eks import EksCluster

ADDON_NAME = "amazon-sagemaker-hyperpod-taskgovernance"


class TaskGovernance(Construct):
    def __init__(self, scope: Construct, id: str, *, addon: TaskGovernanceAddon, eks: EksCluster,
                 hyperpod_cluster_arn: str, tags: Mapping[str, str], depends_on: Sequence[ITerraformDependable]):
        super().__init__(scope, id)
        self.addon = pinned_addon(
            self, "addon", cluster_name=eks.name, addon_name=ADDON_NAME, version=addon.version, depends_on=depends_on,
            preconditions=minimum_kubernetes(eks.kubernetes_version, TASK_GOVERNANCE_MIN_KUBERNETES, ADDON_NAME))
        self.scheduler_config = None
        if addon.scheduler_config is not None:
            from hyperpod.bindings import awscc as bindings
            from hyperpod.bindings import awscc_scheduler as scheduler

            policy = addon.scheduler_config
            self.scheduler_config = scheduler.SagemakerClusterSchedulerConfig(
                self, "scheduler-config", scheduler.SagemakerClusterSchedulerConfigConfig(
                    cluster_arn=hyperpod_cluster_arn, name=policy.name,
                    description=terraform_literal(policy.description) if policy.description else None,
                    scheduler_config=scheduler.SchedulerConfig(
                        fair_share=policy.fair_share, idle_resource_sharing=policy.idle_resource_sharing,
                        priority_classes=[scheduler.PriorityClass(c.name, c.weight)
                                          for c in policy.priority_classes] or None),
                    tags=[bindings.Tag(key, value) for key, value in sorted(tags.items())]),
                depends_on=[self.addon])
