"""The README's configuration tables, generated from the config model so the docs cannot drift from the code.

    python -m hyperpod.config_reference            prints the tables
    python -m hyperpod.config_reference README.md  rewrites them in place (tests/core/test_readme.py checks them)
"""

from __future__ import annotations

import json
import types
import typing
from typing import Literal

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from hyperpod import instance_types
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


def instance_type_table() -> list[str]:
    families: dict[tuple[str, str], list[instance_types.InstanceType]] = {}
    for kind in instance_types.CATALOG.values():
        family = kind.name.split(".")[1]
        families.setdefault((kind.accelerator, family), []).append(kind)
    label = {"gpu": "NVIDIA GPU", "trainium": "AWS Trainium", "none": "CPU only"}
    rows = ["| Family | Accelerator | Sizes (accelerators per instance) | Deep health checks |",
            "| --- | --- | --- | --- |"]
    for (accelerator, family), kinds in sorted(families.items(), key=lambda item: (item[0][0] == "none", item[0])):
        sizes = ", ".join(f"{k.name.split('.', 2)[2]}" + (f" ({k.accelerators})" if k.accelerators else "")
                          for k in kinds)
        rows.append(f"| `ml.{family}` | {label[accelerator]} | {sizes} | "
                    f"{'yes' if kinds[0].takes_deep_health_checks else 'no'} |")
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
        "",
        "Supported instance types (`hyperpod_instance_groups[].instance_type`; the `ml.` prefix is optional):",
        "",
        *instance_type_table(),
        END,
    ])


def replace_block(text: str) -> str:
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + markdown() + text[end:]


if __name__ == "__main__":
    import sys
    from pathlib import Path

    if len(sys.argv) > 1:
        readme = Path(sys.argv[1])
        readme.write_text(replace_block(readme.read_text()))
    else:
        print(markdown())
