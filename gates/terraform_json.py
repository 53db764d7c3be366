"""Reading cdk.tf.json documents: loading with a clear error, walking resources, telling expressions from literals."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from hyperpod.config.errors import JsonFileError, load_json

# A Terraform interpolation inside a JSON string value; cdktf renders every token this way.
_EXPRESSION = re.compile(r"\$\{")
# A direct reference such as ${aws_s3_bucket.lifecycle.bucket} (no function call around it).
_REFERENCE = re.compile(r"^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}")


class DocumentError(Exception):
    """A file that is not a readable Terraform JSON document; the message names the file and the problem."""


@dataclass(frozen=True)
class Violation:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def load_document(path: Path | str) -> dict:
    path = Path(path)
    try:
        document = load_json(path, "Terraform JSON")
    except JsonFileError as error:
        raise DocumentError(str(error)) from None
    if not isinstance(document, dict):
        raise DocumentError(f"{path}: expected a JSON object at the top level, got {type(document).__name__}")
    return document


def is_expression(value: Any) -> bool:
    """True for a string that Terraform evaluates at plan time: its literal value is unknown here."""
    return isinstance(value, str) and bool(_EXPRESSION.search(value))


def literal_prefix(value: str) -> str:
    """The part of a string before its first interpolation: the only part that is known before plan."""
    match = _EXPRESSION.search(value)
    return value if match is None else value[: match.start()]


def leading_reference(value: str) -> tuple[str, str, str] | None:
    """(type, name, attribute) when the string starts with a plain reference like ${aws_s3_bucket.x.bucket}."""
    match = _REFERENCE.match(value)
    return match.groups() if match else None


def resources_of_type(document: dict, resource_type: str) -> Iterator[tuple[str, dict]]:
    """(name, body) of every resource of one type; the name is its Terraform logical id."""
    for name, body in (document.get("resource", {}).get(resource_type) or {}).items():
        yield name, body


def data_sources_of_type(document: dict, data_type: str) -> Iterator[tuple[str, dict]]:
    for name, body in (document.get("data", {}).get(data_type) or {}).items():
        yield name, body


def resource(document: dict, resource_type: str, name: str) -> dict | None:
    return (document.get("resource", {}).get(resource_type) or {}).get(name)
