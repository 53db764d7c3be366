"""A typed CDKTF binding for awscc's `awscc_sagemaker_cluster_scheduler_config` (AWS::SageMaker::ClusterSchedulerConfig),
hand-written like hyperpod/bindings/awscc.py against awscc 1.106.0 (gates/awscc_sagemaker_cluster_scheduler_config.
schema.json holds the schema the gate checks it with). Nested objects are plain objects in Terraform JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Sequence

from hyperpod.bindings.awscc import AwsccResource, Tag


@dataclass(frozen=True)
class PriorityClass:
    name: str
    weight: int


@dataclass(frozen=True)
class SchedulerConfig:
    fair_share: Literal["Enabled", "Disabled"] | None = None
    idle_resource_sharing: Literal["Enabled", "Disabled"] | None = None
    priority_classes: Sequence[PriorityClass] | None = None


@dataclass(frozen=True)
class SagemakerClusterSchedulerConfigConfig:
    cluster_arn: str
    name: str
    scheduler_config: SchedulerConfig
    description: str | None = None
    tags: Sequence[Tag] = field(default_factory=tuple)


class SagemakerClusterSchedulerConfig(AwsccResource):
    """`awscc_sagemaker_cluster_scheduler_config`: `name` and `cluster_arn` are create-only (a change replaces it)."""

    TF_RESOURCE_TYPE = "awscc_sagemaker_cluster_scheduler_config"
    config: SagemakerClusterSchedulerConfigConfig

    @property
    def cluster_scheduler_config_arn(self) -> str:
        return self.get_string_attribute("cluster_scheduler_config_arn")

    @property
    def status(self) -> str:
        return self.get_string_attribute("status")
