"""How every operator command ends: arguments parsed (`--help` is exit 0), the work run, and a `StatusError` or
Ctrl-C turned into its documented exit code and one line on stderr (with `--json` also a JSON error document on
stdout), never a traceback."""

from __future__ import annotations

import json
import sys
from typing import Callable

from hyperpod.commands.errors import StatusError
from hyperpod.commands.output import render_error_json

INTERRUPTED = 130


def verdict_error_document(error: StatusError) -> str:
    """The error document of the commands whose `--json` output carries a verdict (status, preflight)."""
    return render_error_json(error.exit_code, error.reason)


def run_command(prog: str, argv: list[str], parse: Callable, act: Callable[..., int], *,
                error_document: Callable[[StatusError], str] = verdict_error_document,
                interrupted: str = "interrupted") -> int:
    """`act(parse(argv))`, ended as the module docstring says; `interrupted` is the line printed on Ctrl-C."""
    json_requested = "--json" in argv
    try:
        try:
            options = parse(argv)
        except SystemExit as done:  # --help
            return int(done.code or 0)
        return act(options)
    except StatusError as error:
        if json_requested:
            print(error_document(error))
        print(f"{prog}: {error.reason}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"{prog}: {interrupted}", file=sys.stderr)
        return INTERRUPTED


def ok_false_document(error: StatusError) -> str:
    """The error document of the commands whose `--json` output reports actions (hyperpod-nodes)."""
    return json.dumps({"ok": False, "exit_code": error.exit_code, "reason": error.reason}, indent=2)
