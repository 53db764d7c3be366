"""Walk configuration values (msgpack-decoded) against a schema block: plan them, and check what core does not.

Values arrive as Terraform encodes them: objects as dicts holding every attribute (null when unset), list and set
blocks as lists, single objects as dicts or None, unknown values as msgpack extension 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from msgpack import ExtType
from tf.types import Unknown

UNKNOWN = ExtType(0, b"")  # a plain unknown value, no refinements


def is_unknown(value: Any) -> bool:
    return value is Unknown or (isinstance(value, ExtType) and value.code == 0)


def _each(nesting: str, value: Any, visit: Callable[[Any, Any], Any]) -> Any:
    """Apply visit(element, key) to each object of a nested value, keeping its shape."""
    if value is None or is_unknown(value):
        return value
    if nesting == "single":
        return visit(value, None)
    if nesting == "map":
        return {key: visit(element, key) for key, element in value.items()}
    return [visit(element, index) for index, element in enumerate(value)]


def plan(block: dict, value: Any) -> Any:
    """The planned new value for a create: configuration as given, computed attributes left null become unknown."""
    if not isinstance(value, dict):
        return value
    planned = dict(value)
    for name, spec in block.get("attributes", {}).items():
        current = value.get(name)
        if current is None:
            if spec.get("computed"):
                planned[name] = UNKNOWN
        elif "nested_type" in spec:
            nested = spec["nested_type"]
            objects = {"attributes": nested["attributes"]}
            planned[name] = _each(nested["nesting_mode"], current, lambda element, _: plan(objects, element))
    for name, spec in block.get("block_types", {}).items():
        planned[name] = _each(spec["nesting_mode"], value.get(name), lambda element, _: plan(spec["block"], element))
    return planned


@dataclass
class Problem:
    summary: str
    detail: str
    path: list = field(default_factory=list)  # attribute names (str) and element keys (int or 1-tuples of str)


def check(block: dict, value: Any, path: list | None = None) -> list[Problem]:
    """Configuration errors real providers report and Terraform core does not: read-only attributes set, and
    required attributes missing inside a nested-attribute object."""
    path = path or []
    if not isinstance(value, dict):
        return []
    problems = []
    for name, spec in block.get("attributes", {}).items():
        current = value.get(name)
        here = path + [name]
        if spec.get("computed") and not spec.get("optional") and current is not None:
            problems.append(Problem(
                "Read-only attribute set",
                f'"{_dotted(here)}" is computed by the provider and cannot be set in configuration; remove it.',
                here,
            ))
        elif "nested_type" in spec and current is not None and not is_unknown(current):
            problems.extend(_check_objects(spec["nested_type"], current, here))
    for name, spec in block.get("block_types", {}).items():
        def visit(element, key, name=name, spec=spec):
            step = [] if key is None else [key if isinstance(key, int) else (key,)]
            problems.extend(check(spec["block"], element, path + [name] + step))
        _each(spec["nesting_mode"], value.get(name), visit)
    return problems


def _check_objects(nested: dict, value: Any, path: list) -> list[Problem]:
    problems = []
    objects = {"attributes": nested["attributes"]}

    def visit(element, key):
        here = path if key is None else path + [key if isinstance(key, int) else (key,)]
        if not isinstance(element, dict):
            return
        for name, spec in nested["attributes"].items():
            if spec.get("required") and element.get(name) is None:
                problems.append(Problem(
                    "Missing required argument",
                    f'The argument "{name}" is required in "{_dotted(here)}", but no definition was found.',
                    here + [name],
                ))
        problems.extend(check(objects, element, here))

    _each(nested["nesting_mode"], value, visit)
    return problems


def _dotted(path: list) -> str:
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        elif isinstance(step, tuple):
            text += f'["{step[0]}"]'
        else:
            text += ("." if text else "") + step
    return text
