"""A preflight run for people (one table per config, a fix under each failure) and for pipelines (one JSON
document with the same facts)."""

from __future__ import annotations

import json

from hyperpod.preflight.runner import ConfigReport
from hyperpod.preflight.verdicts import FAIL, OK, SKIPPED, WARN
from hyperpod.commands.output import paint

_COLOUR_KEYS = {OK: "pass", WARN: "pending", FAIL: "fail", SKIPPED: "pending"}


def _header(report: ConfigReport) -> str:
    d = report.deployment
    target = f"HyperPod cluster {d.cluster_name}" if d.cluster_name else "HyperPod disabled"
    return (f"{d.path}: {target} on EKS {d.eks_cluster}, {d.region}, account {report.identity.account}: "
            f"{report.summary()}")


def render_table(reports: list[ConfigReport], colour: bool) -> str:
    blocks = []
    for report in reports:
        width = max([len("CHECK")] + [len(c.name) for c in report.checks])
        lines = [_header(report), f"  {'CHECK'.ljust(width)}  {'VERDICT'.ljust(7)}  FACTS"]
        for check in report.checks:
            verdict = paint(check.verdict, _COLOUR_KEYS[check.verdict], colour, 7)
            lines.append(f"  {check.name.ljust(width)}  {verdict}  {check.facts}")
            if check.fix and check.verdict in (FAIL, WARN):
                lines.append(f"  {''.ljust(width)}  {''.ljust(7)}  fix: {check.fix}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def as_dict(reports: list[ConfigReport], exit_code: int) -> dict:
    return {
        "ready": not any(r.failed for r in reports),
        "exit_code": exit_code,
        "configs": [{
            "config": str(r.deployment.path),
            "region": r.deployment.region,
            "account": r.identity.account,
            "partition": r.identity.partition,
            "hyperpod_cluster": r.deployment.cluster_name,
            "eks_cluster": r.deployment.eks_cluster,
            "ready": not r.failed,
            "checks": [{"name": c.name, "verdict": c.verdict.lower(), "facts": c.facts, "fix": c.fix or None,
                        "missing_permission": c.missing_permission or None} for c in r.checks],
        } for r in reports],
    }


def render_json(reports: list[ConfigReport], exit_code: int) -> str:
    return json.dumps(as_dict(reports, exit_code), indent=2)
