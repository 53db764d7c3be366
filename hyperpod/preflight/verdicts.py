"""What one preflight check says: a verdict, the facts it saw, and for a failure what to do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from hyperpod.commands.errors import AccessDenied

OK, WARN, FAIL, SKIPPED = "ok", "warn", "FAIL", "skipped"
VERDICTS = (OK, WARN, FAIL, SKIPPED)


@dataclass(frozen=True)
class Check:
    name: str
    verdict: str
    facts: str
    fix: str = ""  # for FAIL (and some warnings): the quota to request, the endpoint to add, the version to pin
    missing_permission: str = ""  # for SKIPPED (AccessDenied): the IAM action the caller lacks


def skipped(name: str, why: str) -> Check:
    return Check(name, SKIPPED, why)


def guarded(name: str, check: Callable[[], list[Check]]) -> list[Check]:
    """Run one check; a permission the caller lacks makes it `skipped (AccessDenied: <action>)` instead of ending
    the run, so one missing grant does not hide every other answer."""
    try:
        return check()
    except AccessDenied as denied:
        return [Check(name, SKIPPED, f"AccessDenied: {denied.action}", missing_permission=denied.action)]


def plural(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
