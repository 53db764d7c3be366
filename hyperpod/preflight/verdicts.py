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


def in_eks_vpc(name: str, kind: str, resource_id: str, described: dict | None, vpc: str | None, region: str,
               fix_id: str) -> Check | None:
    """The failure of a subnet or security group that does not exist (`described` None) or lies outside the EKS
    cluster's VPC (HyperPod's nodes join the cluster through its VPC); None when it is in that VPC, for the caller to
    report with its own facts. `kind` is "subnet" or "security group"; `fix_id` says which key to fix."""
    if described is None:
        return Check(name, FAIL, f"no {kind} {resource_id} in {region}", fix_id)
    if described.get("VpcId") != vpc:
        return Check(name, FAIL, f"in {described.get('VpcId')}, not the EKS cluster's VPC {vpc}",
                     f"use {kind}s of the EKS cluster's VPC")
    return None
