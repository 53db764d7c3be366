"""Render an evaluation: a table for people, JSON for pipelines."""

from __future__ import annotations

import json

from hyperpod.commands.output import paint as _paint
from hyperpod.status.checks import PASS, Evaluation
from hyperpod.status.sagemaker import SageMakerState
from hyperpod.status.scheduler import policy_dict

def render_table(evaluation: Evaluation, sagemaker: SageMakerState, colour: bool) -> str:
    verdict = evaluation.verdict
    lines = [
        f"HyperPod cluster {sagemaker.cluster_name} ({sagemaker.region}): "
        + _paint(verdict.upper(), verdict, colour)
    ]
    width = max(len(c.name) for c in evaluation.checks)
    lines.append(f"  {'CHECK'.ljust(width)}  {'STATUS'.ljust(7)}  DETAIL")
    for check in evaluation.checks:
        informational = check not in evaluation.deciding()
        status = _paint(check.status, check.status, colour, 7)
        note = " (informational: --min-schedulable)" if informational and check.status != PASS else ""
        lines.append(f"  {check.name.ljust(width)}  {status}  {check.detail}{note}")
    if evaluation.node_problems:
        lines += ["", "Nodes not schedulable:"]
        rows = [
            (p.node.name, p.node.group, p.node.health or "-", p.node.deep_health or "-",
             "; ".join(p.reasons), p.status)
            for p in sorted(evaluation.node_problems, key=lambda p: (p.node.group, p.node.name))
        ]
        header = ("NODE", "GROUP", "HEALTH", "DEEP CHECK", "WHY")
        widths = [max(len(r[i]) for r in rows + [header]) for i in range(4)]
        lines.append("  " + "  ".join(h.ljust(w) for h, w in zip(header[:4], widths)) + "  WHY")
        for *cells, why, status in rows:
            lead = "  ".join(c.ljust(w) for c, w in zip(cells, widths))
            lines.append("  " + lead + "  " + _paint(why, status, colour))
    return "\n".join(lines)


def as_dict(evaluation: Evaluation, sagemaker: SageMakerState) -> dict:
    deciding = evaluation.deciding()
    return {
        "cluster": sagemaker.cluster_name,
        "region": sagemaker.region,
        "verdict": evaluation.verdict,
        "healthy": evaluation.verdict == "healthy",
        "schedulable_nodes": evaluation.schedulable,
        "min_schedulable": evaluation.min_schedulable,
        "checks": [
            {"name": c.name, "status": c.status, "detail": c.detail, "deciding": c in deciding}
            for c in evaluation.checks
        ],
        "sagemaker": {
            "found": sagemaker.found,
            "status": sagemaker.status,
            "failure_message": sagemaker.failure_message or None,
            "instance_groups": [
                {"name": g.name, "instance_type": g.instance_type, "current": g.current_count,
                 "target": g.target_count, "status": g.status,
                 **({"min": g.min_count} if g.min_count is not None else {}),
                 **({"patching": g.patching} if g.patching else {})}
                for g in sagemaker.instance_groups
            ],
            **({"restricted_instance_groups": [
                {"name": g.name, "instance_type": g.instance_type, "current": g.current_count,
                 "target": g.target_count, "status": g.status} for g in sagemaker.restricted_groups]}
               if sagemaker.restricted_groups else {}),
            **({"provisioning_mode": sagemaker.provisioning_mode} if sagemaker.provisioning_mode else {}),
            **({"autoscaling": {"mode": sagemaker.autoscaling.mode, "autoscaler": sagemaker.autoscaling.autoscaler,
                                "status": sagemaker.autoscaling.status,
                                "failure_message": sagemaker.autoscaling.failure_message or None}}
               if sagemaker.autoscaling else {}),
            **({"scheduler_config": policy_dict(sagemaker.scheduler_policy)} if sagemaker.scheduler_policy else {}),
            "nodes": [
                {"instance_id": n.instance_id, "group": n.group, "status": n.status}
                for n in sagemaker.nodes
            ],
        },
        "unschedulable_nodes": [
            {"name": p.node.name, "instance_id": p.node.instance_id, "group": p.node.group,
             "ready": p.node.ready, "node_health_status": p.node.health,
             "deep_health_check_status": p.node.deep_health, "status": p.status,
             "reasons": list(p.reasons)}
            for p in evaluation.node_problems
        ],
    }


def render_json(evaluation: Evaluation, sagemaker: SageMakerState) -> str:
    return json.dumps(as_dict(evaluation, sagemaker), indent=2)
