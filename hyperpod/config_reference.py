"""The README's configuration tables, generated from the config model so the docs cannot drift from the code.

    python -m hyperpod.config_reference        prints the tables (tests/core/test_readme.py compares them)
"""

from __future__ import annotations

import json
import types
import typing
from typing import Literal

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from hyperpod.config import HelmChartSource, HyperPodConfig, InstanceGroup

BEGIN = "<!-- BEGIN GENERATED CONFIG REFERENCE (python -m hyperpod.config_reference) -->"
END = "<!-- END GENERATED CONFIG REFERENCE -->"


def _type(annotation) -> str:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type(args[0])
    if origin is Literal:
        return " \\| ".join(json.dumps(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type(a) for a in args if a is not type(None))
    if origin is list:
        return f"list({_type(args[0])})"
    if origin is dict:
        return f"map({_type(args[1])})"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "object"
    return {str: "string", int: "number", bool: "bool"}.get(annotation, str(annotation))


def _default(field) -> str:
    if field.is_required():
        return "**required**"
    if field.default_factory is not None:
        value = field.default_factory()
        return "`{}`" if isinstance(value, BaseModel) else f"`{json.dumps(value)}`"
    if field.default is PydanticUndefined:
        return ""
    return f"`{json.dumps(field.default)}`"


def _rows(model: type[BaseModel], prefix: str = "") -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        description = (field.description or "").replace("|", "\\|")
        rows.append(f"| `{prefix}{name}` | {_type(field.annotation)} | {_default(field)} | {description} |")
    return rows


def markdown() -> str:
    header = ["| Key | Type | Default | Description |", "| --- | --- | --- | --- |"]
    return "\n".join([
        BEGIN,
        *header, *_rows(HyperPodConfig),
        "",
        "Each entry of `hyperpod_instance_groups`:",
        "",
        *header, *_rows(InstanceGroup, "hyperpod_instance_groups[]."),
        "",
        "`hyperpod_helm_chart` (git at the pinned commit unless `local_path` or `repository` is given):",
        "",
        *header, *_rows(HelmChartSource, "hyperpod_helm_chart."),
        END,
    ])


if __name__ == "__main__":
    print(markdown())
