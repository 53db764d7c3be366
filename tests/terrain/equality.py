"""What may differ between a stack synthesized by CDKTF and the same stack synthesized by CDK Terrain.

Moving a deployed stack to CDK Terrain must change no resource address and no argument: Terraform would then plan no
change. `differences(cdktf, terrain)` lists every path where the two Terraform JSON documents differ, less those in
ALLOWED; the equality test asserts the list is empty. Each allowed difference, and why it changes nothing deployed:

- `//.metadata.version`: the version of the CDK that generated the file (0.21.0 vs 0.24.0). A comment for tools;
  Terraform ignores the `//` key entirely.
- `terraform.required_providers.aws.version` 6.25.0 -> 6.69.1 and `...helm.version` 3.1.1 -> 3.3.0: each prebuilt
  binding writes the provider version it was generated from (cdktf-cdktf-provider-aws 21.22.1 / cdktn-provider-aws
  25.8.1; cdktf-cdktf-provider-helm 12.1.2 / cdktn-provider-helm 15.1.0). A version constraint is not recorded
  against any resource: the state keeps the addresses, and `terraform init -upgrade` installs the newer provider
  (docs/runtimes.md says how to plan the move with no changes). The project's own bindings (awscc 1.106.0, kubernetes
  2.38.0, external 2.3.5) write the same version under both runtimes, so they may not differ.
- `terraform.required_providers.aws.source` "aws" -> "hashicorp/aws": CDKTF's aws binding writes the short form,
  CDK Terrain's the namespaced one. Terraform expands both to registry.terraform.io/hashicorp/aws, the provider
  address the state records for every aws resource (`provider["registry.terraform.io/hashicorp/aws"]`).

Everything else (every resource, data source, output, variable, local, backend, address, argument, dependency and
lifecycle rule) must be identical, and the stack folders must hold the same other files (assets) byte for byte.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

# (path in the document, CDKTF's value, CDK Terrain's value): the only differences the equality test accepts.
ALLOWED: tuple[tuple[tuple[str, ...], Any, Any], ...] = (
    (("//", "metadata", "version"), "0.21.0", "0.24.0"),
    (("terraform", "required_providers", "aws", "version"), "6.25.0", "6.69.1"),
    (("terraform", "required_providers", "aws", "source"), "aws", "hashicorp/aws"),
    (("terraform", "required_providers", "helm", "version"), "3.1.1", "3.3.0"),
)
MISSING = "<absent>"


def raw_differences(cdktf: Any, terrain: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any, Any]]:
    """Every leaf path where the documents differ: (path, CDKTF's value, CDK Terrain's value); MISSING for absent."""
    if isinstance(cdktf, dict) and isinstance(terrain, dict):
        found = []
        for key in sorted(set(cdktf) | set(terrain)):
            found += raw_differences(cdktf.get(key, MISSING), terrain.get(key, MISSING), (*path, key))
        return found
    if isinstance(cdktf, list) and isinstance(terrain, list) and len(cdktf) == len(terrain):
        found = []
        for index, (left, right) in enumerate(zip(cdktf, terrain)):
            found += raw_differences(left, right, (*path, str(index)))
        return found
    if type(cdktf) is not type(terrain) or cdktf != terrain:  # 1 and 1.0, or True and 1, are different arguments
        return [(path, cdktf, terrain)]
    return []


def differences(cdktf: dict, terrain: dict) -> list[str]:
    """The differences ALLOWED does not list, one line each: `path: cdktf value != terrain value`."""
    return [f"{'.'.join(path)}: {left!r} != {right!r}" for path, left, right in raw_differences(cdktf, terrain)
            if (path, left, right) not in ALLOWED]


def other_files(stack_folder: Path) -> dict[str, bytes]:
    """The stack folder's files besides the Terraform JSON (assets such as the Karpenter chart), by relative path."""
    return {path.relative_to(stack_folder).as_posix(): path.read_bytes() for path in sorted(stack_folder.rglob("*"))
            if path.is_file() and path.name != "cdk.tf.json"}
