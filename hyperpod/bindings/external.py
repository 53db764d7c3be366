"""A small typed CDKTF binding for the hashicorp/external provider's `external` data source.

Used to materialise the HyperPod Helm chart during `terraform plan`: the helm provider loads a local chart while it
plans (terraform-provider-helm 3.1.1, HelmRelease.ModifyPlan -> getChart), so the chart must exist before any
resource is planned, on every machine that plans. A data source is read then; a resource provisioner is not.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from hyperpod.runtime import core as cdk
from hyperpod.runtime.constructs import Construct

from hyperpod.bindings.hcl import typed_for_hcl

PROVIDER_SOURCE = "hashicorp/external"
PROVIDER_VERSION = "2.3.5"


def _generator_metadata() -> cdk.TerraformProviderGeneratorMetadata:
    return cdk.TerraformProviderGeneratorMetadata(
        provider_name="external", provider_version=PROVIDER_VERSION, provider_version_constraint=PROVIDER_VERSION)


class ExternalProvider(cdk.TerraformProvider):
    def __init__(self, scope: Construct, id: str):
        super().__init__(scope, id, terraform_resource_type="external",
                         terraform_generator_metadata=_generator_metadata(),
                         terraform_provider_source=PROVIDER_SOURCE)

    def _synthesize_attributes(self) -> dict[str, Any]:
        return {}

    def _synthesize_hcl_attributes(self) -> dict[str, Any]:
        return typed_for_hcl(self._synthesize_attributes(), lists_of_objects_are_blocks=False)


class DataExternal(cdk.TerraformDataSource):
    """`data "external"`: runs `program` at plan time; it must print one JSON object of strings on stdout."""

    def __init__(self, scope: Construct, id: str, *, program: Sequence[str], query: Mapping[str, str] | None = None):
        super().__init__(scope, id, terraform_resource_type="external",
                         terraform_generator_metadata=_generator_metadata())
        self._attributes: dict[str, Any] = {"program": list(program)}
        if query:
            self._attributes["query"] = dict(query)

    def _synthesize_attributes(self) -> dict[str, Any]:
        return self._attributes

    def _synthesize_hcl_attributes(self) -> dict[str, Any]:
        return typed_for_hcl(self._synthesize_attributes(), lists_of_objects_are_blocks=False)

    def result(self, key: str) -> str:
        return self.get_string_attribute(f"result.{key}")
