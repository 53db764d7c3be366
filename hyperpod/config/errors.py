"""Configuration problems as users read them: JSON path, the value given, what is allowed."""

from __future__ import annotations

import difflib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

_JSON_TYPES = {"int_type": "an integer", "bool_type": "true or false", "string_type": "a string",
               "list_type": "a JSON array", "dict_type": "a JSON object", "model_type": "a JSON object",
               "float_type": "a number", "none_required": "null"}


def json_type(value: object) -> str:
    """JSON's name for the type of a parsed value, with its article: what a user wrote, not Python's class name."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object" if isinstance(value, dict) else type(value).__name__


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.severity}: {self.path}: {self.message}"


class ConfigError(ValueError):
    """Every problem found in a configuration, reported together."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class JsonFileError(ValueError):
    """A JSON file that cannot be read or parsed; the message names the file (and line and column)."""


# A line such as `hyperpod_enabled = true` or a comment: the file is HCL (terraform.tfvars), not JSON.
_HCL_LINE = re.compile(r"\s*(?:[A-Za-z_][A-Za-z0-9_-]*\s*=|#|//|/\*)")


def load_json(path: Path, what: str) -> object:
    """The JSON document in `path`; `JsonFileError` with one line for anything else (unreadable, not UTF-8, HCL,
    invalid, duplicate keys, nested too deeply, a number too long to convert)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise JsonFileError(f"{path}: cannot read the {what}: {error.strerror}") from None
    try:
        text = data.decode("utf-8-sig")  # a UTF-8 byte order mark (Windows editors write one) is not content
    except UnicodeDecodeError as error:
        raise JsonFileError(f"{path}: the {what} is not UTF-8 text (byte {error.start} is "
                            f"0x{data[error.start]:02x}); save it as UTF-8") from None
    duplicates: dict[int, list[str]] = {}

    def unique_keys(pairs: list[tuple[str, object]]) -> dict:
        document = dict(pairs)
        if len(document) < len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    duplicates.setdefault(id(document), []).append(key)
                seen.add(key)
        return document

    try:
        document = json.loads(text, object_pairs_hook=unique_keys)
    except json.JSONDecodeError as error:
        first_line = next((line for line in text.splitlines() if line.strip()), "")
        if _HCL_LINE.match(first_line):
            raise JsonFileError(f"{path}: the {what} looks like HCL (terraform.tfvars), not JSON; write it as JSON: "
                                f"`name = \"value\"` lines become {{\"name\": \"value\"}}, lists stay [...], and name "
                                f"the file *.tfvars.json") from None
        raise JsonFileError(f"{path}:{error.lineno}:{error.colno}: the {what} is not valid JSON: {error.msg}") \
            from None
    except RecursionError:
        raise JsonFileError(f"{path}: the {what} is nested too deeply to be a configuration") from None
    except ValueError:  # Python refuses to convert integers of more than 4300 digits (int-string limit)
        raise JsonFileError(f"{path}: the {what} holds a number of more than {sys.get_int_max_str_digits()} "
                            "digits; no configuration value is that large") from None
    if duplicates:
        paths = _duplicate_paths(document, duplicates)
        raise JsonFileError(f"{path}: the {what} repeats key(s) {', '.join(paths)}; JSON keeps only the last "
                            "value, so write each key once")
    return document


def _duplicate_paths(document: object, duplicates: dict[int, list[str]]) -> list[str]:
    """JSON paths of the repeated keys, in document order (iterative: nesting may be deep)."""
    found: list[str] = []
    stack: list[tuple[tuple, object]] = [((), document)]
    while stack:
        loc, node = stack.pop()
        if isinstance(node, dict):
            found += [json_path((*loc, key)) for key in duplicates.get(id(node), [])]
            stack += [((*loc, key), value) for key, value in reversed(node.items())]
        elif isinstance(node, list):
            stack += [((*loc, index), value) for index, value in reversed(list(enumerate(node)))]
    return list(dict.fromkeys(found))


def value_repr(value: object) -> str:
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def json_path(loc: tuple) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(top level)"


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class that owns the last key of `loc` (to suggest its field names)."""
    current: type[BaseModel] | None = model
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        field = current.model_fields.get(part)
        current = _nested_model(field.annotation) if field else None
    return current


def _nested_model(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _nested_model(arg)
        if found:
            return found
    return None


def _message(error: dict, root: type[BaseModel]) -> str:
    kind, given, ctx = error["type"], error.get("input"), error.get("ctx", {})
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        owner = _model_at(root, error["loc"])
        known = sorted(owner.model_fields) if owner else []
        key = str(error["loc"][-1])
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return f"unknown key; {hint}allowed keys: {', '.join(known)}"
    if kind in _JSON_TYPES:
        return f"got {value_repr(given)}; allowed: {_JSON_TYPES[kind]}"
    if kind == "literal_error":
        return f"got {value_repr(given)}; allowed: {ctx.get('expected')}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"got {value_repr(given)}; allowed: {'at least' if kind.endswith('equal') else 'more than'} " \
               f"{ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"got {value_repr(given)}; allowed: {'at most' if kind.endswith('equal') else 'less than'} " \
               f"{ctx.get('le', ctx.get('lt'))}"
    if kind in ("too_short", "too_long"):
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        return f"got {ctx.get('actual_length')} items or characters; allowed: " \
               f"{'at least' if kind == 'too_short' else 'at most'} {bound}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return f"got {value_repr(given)}; {error['msg']}"


def problems_from_pydantic(error: ValidationError, root: type[BaseModel]) -> list[Problem]:
    problems: list[Problem] = []
    for item in error.errors():
        nested = item.get("ctx", {}).get("error")
        if isinstance(nested, ConfigError):
            problems += [p for p in nested.problems if p not in problems]
            continue
        # A union with None reports each arm; the non-None arm carries the useful message.
        loc = tuple(part for part in item["loc"] if not (isinstance(part, str) and part in ("none", "str")
                                                          and item["type"] != "extra_forbidden"))
        loc = tuple(part for part in loc if not (isinstance(part, str) and (part.startswith("function-") or
                                                                           part.startswith("list["))))
        if item["type"] == "none_required":
            continue
        problem = Problem(json_path(loc), _message(item, root))
        if problem not in problems:
            problems.append(problem)
    return problems
