"""The README's configuration tables, generated from the config model so the docs cannot drift from the code.

    python -m hyperpod.config.reference            prints the tables
    python -m hyperpod.config.reference README.md  rewrites them in place (tests/core/test_readme.py checks them)
"""

from __future__ import annotations

import json
import types
import typing
from typing import Literal

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from hyperpod import instance_types
from hyperpod.config.model import HyperPodConfig

BEGIN = "<!-- BEGIN GENERATED CONFIG REFERENCE (python -m hyperpod.config.reference) -->"
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


def _size_order(size: str) -> tuple[int, int]:
    named = {"medium": 0, "large": 1, "xlarge": 2}
    return (0, named[size]) if size in named else (1, int("".join(c for c in size if c.isdigit()) or 0))


def instance_type_table() -> list[str]:
    """Every type the SageMaker API model accepts, by family, with its accelerators where the table knows them."""
    families: dict[tuple[str, str], list[str]] = {}
    known = instance_types.catalog()
    for name in [*known, *sorted(instance_types.cluster_instance_types() - set(known))]:
        if not instance_types.is_cluster_instance_type(name):
            continue
        kind = known.get(name)
        families.setdefault((kind.accelerator if kind else "unknown", name.split(".")[1]), []).append(name)
    label = {"gpu": "NVIDIA GPU", "trainium": "AWS Trainium", "none": "CPU only",
             "unknown": "unknown (no device plugins)"}
    checks = {"gpu": "yes", "trainium": "yes", "none": "no", "unknown": "warning"}
    rows = ["| Family | Accelerator | Sizes (accelerators per instance) | Deep health checks |",
            "| --- | --- | --- | --- |"]
    order = {"gpu": 0, "trainium": 0, "none": 1, "unknown": 2}
    for (accelerator, family), names in sorted(families.items(), key=lambda item: (order[item[0][0]], item[0])):
        if accelerator == "unknown":
            names = sorted(names, key=lambda n: _size_order(n.split(".", 2)[2]))
        sizes = ", ".join(n.split(".", 2)[2] + (f" ({known[n].accelerators})" if n in known and known[n].accelerators
                                                else "") for n in names)
        rows.append(f"| `ml.{family}` | {label[accelerator]} | {sizes} | {checks[accelerator]} |")
    return rows


def _nested(annotation) -> type[BaseModel] | None:
    """The model a field holds (directly, in a list, or optional), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _nested(arg)
        if found is not None:
            return found
    return None


def _is_list(annotation) -> bool:
    arms = typing.get_args(annotation) if typing.get_origin(annotation) in (typing.Union, types.UnionType) \
        else (annotation,)
    return any(typing.get_origin(arm) is list for arm in arms)


def sections(model: type[BaseModel] = HyperPodConfig, prefix: str = "") -> list[tuple[str, type[BaseModel], str]]:
    """(key prefix, model, heading) for the top level and every nested object, depth first in declaration order:
    a new nested config area appears in the README without touching this module."""
    found = [(prefix, model, (model.__doc__ or "").strip().split("\n")[0])] if prefix else []
    for name, field in model.model_fields.items():
        nested = _nested(field.annotation)
        if nested is None:
            continue
        found += sections(nested, f"{prefix}{name}{'[]' if _is_list(field.annotation) else ''}.")
    return found


def documented_keys() -> set[str]:
    keys = set(HyperPodConfig.model_fields)
    for prefix, model, _ in sections():
        keys |= {f"{prefix}{name}" for name in model.model_fields}
    return keys


def markdown() -> str:
    header = ["| Key | Type | Default | Description |", "| --- | --- | --- | --- |"]
    lines = [BEGIN, *header, *_rows(HyperPodConfig)]
    for prefix, model, heading in sections():
        lines += ["", f"`{prefix[:-1]}`: {heading}", "", *header, *_rows(model, prefix)]
    return "\n".join([
        *lines,
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
