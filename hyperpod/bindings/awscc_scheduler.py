"""A typed CDKTF binding for awscc's `awscc_sagemaker_cluster_scheduler_config` (AWS::SageMaker::ClusterSchedulerConfig),
hand-written like hyperpod/bindings/awscc.py against awscc 1.106.0 (gates/awscc_sagemaker_cluster_scheduler_config.
schema.json holds the schema the gate checks it with). Nested objects are plain objects in Terraform JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Sequence

from hyperpod.runtime import core as cdk
from hyperpod.runtime.constructs import Construct

from hyperpod.bindings.awscc import Tag, _generator_metadata, _to_terraform
from hyperpod.bindings.hcl import typed_for_hcl


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


class SagemakerClusterSchedulerConfig(cdk.TerraformResource):
    """`awscc_sagemaker_cluster_scheduler_config`: `name` and `cluster_arn` are create-only (a change replaces it)."""

    TF_RESOURCE_TYPE = "awscc_sagemaker_cluster_scheduler_config"

    def __init__(self, scope: Construct, id: str, config: SagemakerClusterSchedulerConfigConfig, *,
                 depends_on: Sequence[cdk.ITerraformDependable] | None = None):
        super().__init__(scope, id, terraform_resource_type=self.TF_RESOURCE_TYPE,
                         terraform_generator_metadata=_generator_metadata(), depends_on=depends_on)
        self.config = config

    def _synthesize_attributes(self) -> dict[str, Any]:
        attributes = _to_terraform(self.config)
        if not attributes.get("tags"):
            attributes.pop("tags", None)
        return attributes

    def _synthesize_hcl_attributes(self) -> dict[str, Any]:
        return typed_for_hcl(self._synthesize_attributes(), lists_of_objects_are_blocks=False)

    @property
    def cluster_scheduler_config_arn(self) -> str:
        return self.get_string_attribute("cluster_scheduler_config_arn")

    @property
    def status(self) -> str:
        return self.get_string_attribute("status")
