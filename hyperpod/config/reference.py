"""The configuration reference (docs/configuration.md), generated from the config model so the docs cannot drift
from the code.

    python -m hyperpod.config.reference                                prints the tables
    python -m hyperpod.config.reference docs/configuration.md          rewrites them in place (`make docs`)
    python -m hyperpod.config.reference --check docs/configuration.md  exit 1 if they are stale (tests/core/test_docs.py
                                                                       checks the same in memory)
"""

from __future__ import annotations

import json
import sys
import types
import typing
from pathlib import Path
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
    a new nested config area appears in the reference without touching this module."""
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


def _block_span(text: str) -> tuple[int, int]:
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"no generated reference in it: it needs the lines {BEGIN} and {END}, in that order")
    return start, end + len(END)


def replace_block(text: str) -> str:
    start, end = _block_span(text)
    return text[:start] + markdown() + text[end:]


def stale(text: str, name: str) -> str | None:
    """Why the generated reference in `text` (the file `name`) differs from the model's, or None if it is current."""
    start, end = _block_span(text)
    if text[start:end] == markdown():
        return None
    current = text[start:end].splitlines()
    for number, (written, expected) in enumerate(zip(current, markdown().splitlines()), start=1):
        if written != expected:
            line = text[:start].count("\n") + number
            return (f"{name}:{line}: the configuration reference is stale (it says {written!r}, the model "
                    f"{expected!r}): run `make docs`")
    return f"{name}: the configuration reference is stale (its length differs from the model's): run `make docs`"


def main(argv: list[str]) -> int:
    """Exit codes: 0 written (or current), 1 stale (--check), 2 usage, or a file without the markers."""
    check = argv[:1] == ["--check"]
    paths = argv[1:] if check else argv
    if len(paths) > 1 or (check and not paths):
        print("usage: python -m hyperpod.config.reference [--check FILE | FILE]", file=sys.stderr)
        return 2
    if not paths:
        print(markdown())
        return 0
    path = Path(paths[0])
    try:
        text = path.read_text()
        if check:
            problem = stale(text, str(path))
            if problem:
                print(problem, file=sys.stderr)
            return 1 if problem else 0
        updated = replace_block(text)
    except (OSError, ValueError) as error:
        print(f"error: {path}: {error}", file=sys.stderr)
        return 2
    if updated != text:
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(updated)
        temporary.replace(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
