"""The hashicorp/kubernetes provider configuration, without the prebuilt binding's jsii assembly.

The stack declares this provider (authenticated to EKS) so apps that extend it can add Kubernetes resources, but
creates no Kubernetes resource itself. Loading the prebuilt `cdktf_cdktf_provider_kubernetes` assembly for that one
block costs ~430 MB and ~0.8 s per synthesis (bench/synth_bench.py); this writes the same JSON. Apps that add
Kubernetes resources import them from the prebuilt package as usual; they bind to this provider by type.
"""

from __future__ import annotations

from typing import Any, Sequence

from hyperpod.runtime import core as cdk
from hyperpod.runtime.constructs import Construct

from hyperpod.bindings.hcl import typed_for_hcl

PROVIDER_SOURCE = "kubernetes"  # hashicorp/kubernetes, written as the prebuilt binding writes it
PROVIDER_VERSION = "2.38.0"  # the version cdktf-cdktf-provider-kubernetes 12.1.1 targets


class KubernetesProvider(cdk.TerraformProvider):
    """`provider "kubernetes"` with exec-based authentication (e.g. `aws eks get-token`)."""

    def __init__(self, scope: Construct, id: str, *, host: str, cluster_ca_certificate: str, exec_api_version: str,
                 exec_command: str, exec_args: Sequence[str]):
        super().__init__(
            scope, id,
            terraform_resource_type="kubernetes",
            terraform_generator_metadata=cdk.TerraformProviderGeneratorMetadata(
                provider_name="kubernetes", provider_version=PROVIDER_VERSION,
                provider_version_constraint=PROVIDER_VERSION),
            terraform_provider_source=PROVIDER_SOURCE,
        )
        self._attributes = {
            "host": host,
            "cluster_ca_certificate": cluster_ca_certificate,
            # `exec` is a block in kubernetes 2.x: a list of one object in Terraform JSON.
            "exec": [{"api_version": exec_api_version, "command": exec_command, "args": list(exec_args)}],
        }

    def _synthesize_attributes(self) -> dict[str, Any]:
        return self._attributes

    def _synthesize_hcl_attributes(self) -> dict[str, Any]:
        # hashicorp/kubernetes 2.x (SDKv2): every list of objects in its Terraform JSON is a block.
        return typed_for_hcl(self._attributes, lists_of_objects_are_blocks=True)


class KubernetesResource(cdk.TerraformResource):
    """Any hashicorp/kubernetes resource, written as Terraform JSON without the prebuilt binding (~430 MB).

    `attributes` is the resource body exactly as Terraform JSON has it (blocks as lists of one object); the caller
    owns its shape, and tests/terraform plans it against the provider schema.
    """

    def __init__(self, scope: Construct, id: str, *, resource_type: str, attributes: dict[str, Any],
                 depends_on: Sequence[cdk.ITerraformDependable] = (),
                 lifecycle: cdk.TerraformResourceLifecycle | None = None):
        super().__init__(
            scope, id,
            terraform_resource_type=resource_type,
            terraform_generator_metadata=cdk.TerraformProviderGeneratorMetadata(
                provider_name="kubernetes", provider_version=PROVIDER_VERSION,
                provider_version_constraint=PROVIDER_VERSION),
            depends_on=list(depends_on) or None,
            lifecycle=lifecycle,
        )
        self._attributes = attributes

    def _synthesize_attributes(self) -> dict[str, Any]:
        return self._attributes

    def _synthesize_hcl_attributes(self) -> dict[str, Any]:
        # hashicorp/kubernetes 2.x (SDKv2): every list of objects in its Terraform JSON is a block.
        return typed_for_hcl(self._attributes, lists_of_objects_are_blocks=True)
