"""The elements of a list-valued Terraform expression, as far as they can be known before plan.

cdktf renders a list built from tokens as one expression, e.g. an IAM statement's resources as
  ${concat(["arn:...:instance/*", ...], formatlist("arn:%s:ec2:%s:%s:subnet/%s", a, b, c, ids))}
Checking such a statement needs its element shapes: each formatlist becomes its format string with every %s
replaced by an expression placeholder (or by "*" when a literal "*" is among the arguments, so a wildcard cannot hide).
"""
from __future__ import annotations

import json

UNKNOWN = "${(unknown)}"  # stands for a value only known at plan time; matches {seg} in reference patterns


def expand(value) -> list[str]:
    """The elements of a list attribute: the list itself, or the shapes of a concat/formatlist/list expression."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if not isinstance(value, str):
        return [str(value)]
    text = value.strip()
    if not (text.startswith("${") and text.endswith("}")):
        return [value]
    inner = text[2:-1].strip()
    if not inner.startswith(("concat(", "formatlist(", "tolist(", "[")):
        return [value]  # a plain reference or another function: one opaque value
    shapes = _elements(inner)
    return [value] if shapes is None else shapes


def _elements(expression: str) -> list[str] | None:
    """Element shapes of one HCL list expression, or None when it is not a form this module understands."""
    if expression.startswith("[") and expression.endswith("]"):
        return [_string_shape(item) for item in split_arguments(expression[1:-1])]
    name, _, rest = expression.partition("(")
    if not rest.endswith(")"):
        return None
    arguments = split_arguments(rest[:-1])
    if name == "concat":
        out = []
        for argument in arguments:
            shapes = _elements(argument)
            if shapes is None:
                return None
            out += shapes
        return out
    if name == "tolist" and len(arguments) == 1:
        return _elements(arguments[0])
    if name == "formatlist" and arguments and arguments[0].startswith('"'):
        template = json.loads(arguments[0])
        filler = "*" if any('"*"' in a for a in arguments[1:]) else UNKNOWN
        return [template.replace("%s", filler)]
    return None


def _string_shape(item: str) -> str:
    """A quoted HCL string as its text (interpolations kept), anything else as an unknown value."""
    if item.startswith('"') and item.endswith('"'):
        try:
            return json.loads(item)
        except json.JSONDecodeError:
            return UNKNOWN
    return UNKNOWN


def split_arguments(text: str) -> list[str]:
    """Split on top-level commas, respecting quotes, brackets, parentheses and ${...} inside strings."""
    parts, depth, current, quoted, escaped = [], 0, [], False, False
    for char in text:
        if quoted:
            current.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quoted = False
            continue
        if char == '"':
            quoted = True
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    tail = "".join(current).strip()
    if tail:
        parts.append(tail)
    return parts
