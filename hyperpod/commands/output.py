"""One output style for the operator commands: the same colours for the same verdicts, only on a terminal and never
under NO_COLOR, and the same JSON document for an error."""

from __future__ import annotations

import json
import os

# The verdict words every command prints per check, and their colours: green passing, yellow waiting or warning, red
# failing.
PASS, PENDING, FAIL = "pass", "pending", "fail"
_COLOURS = {PASS: "32", PENDING: "33", FAIL: "31", "healthy": "32", "progressing": "33", "unhealthy": "31"}


def use_colour(stream) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return bool(getattr(stream, "isatty", lambda: False)()) and not os.environ.get("NO_COLOR")


def paint(text: str, key: str, colour: bool, width: int = 0) -> str:
    """`text` padded to `width`, in the colour of verdict `key` when colour is on."""
    padded = text.ljust(width)
    return f"\033[{_COLOURS[key]}m{padded}\033[0m" if colour and key in _COLOURS else padded


def render_error_json(code: int, reason: str) -> str:
    """The document `--json` prints when a command ends without a verdict."""
    return json.dumps({"verdict": "error", "healthy": False, "exit_code": code, "reason": reason}, indent=2)
