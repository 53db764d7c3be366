#!/usr/bin/env python3
"""Repair the two defects of CDKTF 0.21's `cdktf synth --hcl` output that this project's stacks hit, in place.

    python scripts/hcl_exit.py cdktf.out/stacks/*/cdk.tf

1. `lifecycle { precondition = [ {condition = ..., error_message = ...}, ] }`: CDKTF renders the precondition
   blocks as a list attribute, which Terraform refuses ("An argument named "precondition" is not expected here").
   Each list element becomes a `precondition { ... }` block.
2. `depends_on = [ "aws_x.y", ]`: quoted references, which Terraform accepts with a deprecation warning; the
   quotes are dropped.
Nothing else changes, so resource addresses (and therefore state) stay exactly as CDKTF synthesized them.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_CONDITION_LIST = re.compile(r"^(?P<indent>[ \t]*)(?P<kind>precondition|postcondition) = \[\n(?P<body>.*?)^(?P=indent)\]\n",
                             re.M | re.S)
_ELEMENT = re.compile(r"^[ \t]*\{\n(?P<fields>.*?)^[ \t]*\},?\n", re.M | re.S)
_DEPENDS_ON = re.compile(r"^(?P<indent>[ \t]*)depends_on = \[\n(?P<body>.*?)^(?P=indent)\]\n", re.M | re.S)
_QUOTED_REFERENCE = re.compile(r'^([ \t]*)"((?:data\.)?[A-Za-z0-9_]+\.[A-Za-z0-9_-]+)",$', re.M)


def _conditions_as_blocks(match: re.Match) -> str:
    indent, kind = match.group("indent"), match.group("kind")
    blocks = []
    for element in _ELEMENT.finditer(match.group("body")):
        fields = "".join(f"{indent}  {line.strip()}\n" for line in element.group("fields").splitlines() if line.strip())
        blocks.append(f"{indent}{kind} {{\n{fields}{indent}}}\n")
    return "".join(blocks)


def _unquoted_dependencies(match: re.Match) -> str:
    body = _QUOTED_REFERENCE.sub(r"\1\2,", match.group("body"))
    return f"{match.group('indent')}depends_on = [\n{body}{match.group('indent')}]\n"


def repair(hcl: str) -> str:
    return _DEPENDS_ON.sub(_unquoted_dependencies, _CONDITION_LIST.sub(_conditions_as_blocks, hcl))


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    for name in paths:
        path = Path(name)
        path.write_text(repair(path.read_text()))
        print(f"repaired {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
