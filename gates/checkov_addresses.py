"""Terraform addresses for checkov findings.

checkov's terraform_json runner names findings inconsistently ("resource.lifecycle" for an aws_s3_bucket and for its
policy alike, "data.x" without the data source type), so acknowledgements cannot key on its names. Every finding does
carry the line where its block starts: the gate writes the scanned copy with a known layout and maps lines back to
real addresses (aws_s3_bucket.lifecycle, data.aws_iam_policy_document.x, provider.aws).
"""
from __future__ import annotations

import bisect
import json
import re

_KEY_LINE = re.compile(r'^( *)"((?:[^"\\]|\\.)*)": ')
INDENT = 2


def render(document: dict) -> str:
    """The exact text the gate hands to checkov; line numbers in findings refer to it."""
    return json.dumps(document, indent=INDENT) + "\n"


class AddressIndex:
    """Maps a finding's first line to the Terraform address of the block that starts there."""

    def __init__(self, rendered: str):
        self._starts: list[int] = []
        self._addresses: list[str | None] = []
        keys: list[str] = []
        for number, line in enumerate(rendered.splitlines(), start=1):
            match = _KEY_LINE.match(line)
            if not match:
                continue
            depth = len(match.group(1)) // INDENT
            keys = keys[: depth - 1] + [json.loads(f'"{match.group(2)}"')]
            address = _address(keys)
            if depth <= 3:
                self._starts.append(number)
                self._addresses.append(address)

    def address_at(self, line: int) -> str | None:
        """Address of the innermost addressable block starting at or before `line`, None outside any block."""
        position = bisect.bisect_right(self._starts, line) - 1
        return self._addresses[position] if position >= 0 else None

    def addresses(self) -> list[str]:
        return [address for address in self._addresses if address]


def _address(keys: list[str]) -> str | None:
    if len(keys) == 3 and keys[0] == "resource":
        return f"{keys[1]}.{keys[2]}"
    if len(keys) == 3 and keys[0] == "data":
        return f"data.{keys[1]}.{keys[2]}"
    if len(keys) == 2 and keys[0] in ("provider", "output", "module", "variable", "locals"):
        return f"{keys[0]}.{keys[1]}"
    return None
