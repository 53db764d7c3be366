"""Reading the previous synthesis: untrusted input, checked for the shape the change guard reads before it is used.

A file that is not JSON, not this app's stack, or has a wrong type anywhere the guard looks (`resource` a list,
`instance_groups` a string, ...) is a `PreviousSynthesisError` with one line naming the file and the place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

from hyperpod.config.errors import JsonFileError, json_path, load_json, value_repr
from hyperpod.config.tags import DEFAULT_TAGS

CLUSTER_TYPE = "awscc_sagemaker_cluster"
RELEASE_TYPE = "helm_release"
_HINT = "pass the cdk.tf.json of the last deploy with --check-against, or remove the file"
APP_TAG = next(iter(DEFAULT_TAGS))  # "managed-by": the aws provider's default tags carry it in every synthesis


class PreviousSynthesisError(Exception):
    """The previous synthesis cannot be read as this app's Terraform JSON."""


class _Open(BaseModel):
    """Keys the guard does not read are allowed (any JSON); the ones it reads must have the right type."""

    model_config = ConfigDict(extra="allow", strict=True)


class _Group(_Open):
    instance_group_name: StrictStr


class _VpcConfig(_Open):
    # A list of IDs, or a token string such as "${tolist(data.aws_eks_cluster.x.vpc_config[0].subnet_ids)}".
    subnets: list[StrictStr] | StrictStr | None = None
    security_group_ids: list[StrictStr] | StrictStr | None = None


class _Cluster(_Open):
    cluster_name: StrictStr
    instance_groups: list[_Group] = []
    vpc_config: _VpcConfig | None = None
    orchestrator: dict[str, Any] | None = None


class _Release(_Open):
    name: StrictStr
    namespace: StrictStr = "default"
    values: list[StrictStr] = []


class _Resources(_Open):
    awscc_sagemaker_cluster: dict[str, _Cluster] = {}
    helm_release: dict[str, _Release] = {}
    __pydantic_extra__: dict[str, dict[str, dict[str, Any]]]  # every other type: {logical id: {argument: value}}


class _Provider(_Open):
    region: StrictStr | None = None
    alias: StrictStr | None = None


class _Metadata(_Open):
    stackName: StrictStr  # noqa: N815 (CDKTF's key)


class _Comment(_Open):
    metadata: _Metadata


class _Document(_Open):
    comment: _Comment = Field(alias="//")
    terraform: dict[str, Any]
    resource: _Resources = _Resources()
    data: dict[str, dict[str, dict[str, Any]]] = {}
    provider: dict[str, list[_Provider]] = {}


def _where(error: ValidationError) -> str:
    first = error.errors()[0]
    loc = tuple("//" if part == "comment" else part for part in first["loc"])
    given = "" if first["type"] == "missing" else f", got {value_repr(first.get('input'))}"
    return f"{json_path(loc)}: {first['msg'].lower()}{given}"


def load_previous(path: Path, stack_name: str) -> dict:
    """The previous synthesis of `stack_name`, its shape checked; `PreviousSynthesisError` (one line) otherwise."""
    try:
        document = load_json(path, "previous synthesis")
    except JsonFileError as error:
        raise PreviousSynthesisError(f"{error}; {_HINT}") from None
    except (ValueError, RecursionError) as error:  # bytes that are not UTF-8, absurd nesting or numbers
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error).splitlines()[0]
        raise PreviousSynthesisError(f"{path}: the previous synthesis is not readable JSON: {reason}; {_HINT}") \
            from None
    if not isinstance(document, dict) or "terraform" not in document or "//" not in document:
        raise PreviousSynthesisError(f"{path}: not a cdk.tf.json synthesized by CDKTF (no terraform block or stack "
                                     f"metadata); {_HINT}")
    try:
        shape = _Document.model_validate(document)
    except ValidationError as error:
        raise PreviousSynthesisError(f"{path}: the previous synthesis is malformed at {_where(error)}; {_HINT}") \
            from None
    if shape.comment.metadata.stackName != stack_name:
        raise PreviousSynthesisError(
            f"{path}: a synthesis of stack {shape.comment.metadata.stackName!r}, not of this app's stack "
            f"{stack_name!r}; {_HINT}")
    if not _made_by_this_app(document):
        raise PreviousSynthesisError(
            f"{path}: stack {stack_name!r} of another app (its aws provider has no {APP_TAG!r} default tag, which "
            f"every synthesis of this app carries); {_HINT}")
    return document


def _made_by_this_app(document: dict) -> bool:
    """Every stack this app synthesizes tags all it creates through the aws provider's default tags."""
    for provider in document.get("provider", {}).get("aws", []):
        for default_tags in provider.get("default_tags", []) if isinstance(provider, dict) else []:
            if isinstance(default_tags, dict) and APP_TAG in (default_tags.get("tags") or {}):
                return True
    return False


def resources_of_type(document: dict, resource_type: str) -> dict[str, dict]:
    """`{logical id: arguments}` of one resource type in a synthesis; entries that are not objects are left out."""
    found = document.get("resource", {}).get(resource_type, {})
    return {key: value for key, value in found.items() if isinstance(value, dict)} if isinstance(found, dict) else {}
