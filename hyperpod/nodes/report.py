"""hyperpod-nodes output: tables for people, one JSON document for machines, in hyperpod-status's style."""

from __future__ import annotations

import json
from datetime import datetime

from hyperpod.nodes.actions import NodeResult, Target
from hyperpod.nodes.history import History
from hyperpod.commands.output import FAIL, PASS, PENDING, paint

RESULT_WORDS = {"reboot": "rebooting", "replace": "replacing", "remove": "deleted"}  # what an accepted node is now
_LEVEL_COLOURS = {"Error": FAIL, "Warn": PENDING, "Info": PASS}


def table(header: tuple[str, ...], rows: list[tuple[str, ...]], colour_keys: list[str | None] | None = None,
          colour: bool = False) -> list[str]:
    """Aligned columns, two spaces apart; the last column is painted by its row's key."""
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header) - 1)]
    lines = ["  " + "  ".join(h.ljust(w) for h, w in zip(header, widths)) + "  " + header[-1]]
    for index, row in enumerate(rows):
        lead = "  ".join(c.ljust(w) for c, w in zip(row, widths))
        key = (colour_keys or [None] * len(rows))[index]
        lines.append(("  " + lead + "  " + (paint(row[-1], key, colour) if key else row[-1])).rstrip())
    return lines


def node_rows_json(nodes, health: dict) -> list[dict]:
    return [{"instance_id": n.instance_id or None, "logical_id": n.logical_id, "group": n.group,
             "instance_type": n.instance_type, "status": n.status, "message": n.message or None,
             "node_health_status": health[n.instance_id].health if n.instance_id in health else None,
             "deep_health_check_status": health[n.instance_id].deep_health if n.instance_id in health else None}
            for n in nodes]


def render_list(state, nodes, health: dict, kube_note: str | None, as_json: bool, colour: bool) -> str:
    if as_json:
        return json.dumps({"cluster": state.cluster_name, "region": state.region, "status": state.status,
                           "nodes": node_rows_json(nodes, health),
                           "kubernetes": {"read": kube_note is None, "reason": kube_note}}, indent=2)
    lines = [f"HyperPod cluster {state.cluster_name} ({state.region}): {state.status or 'unknown'}, "
             f"{len(nodes)} node{'' if len(nodes) == 1 else 's'}"]
    if not nodes:
        return "\n".join(lines)
    logical = any(n.logical_id for n in nodes)
    header = ("INSTANCE", *(("LOGICAL ID",) if logical else ()), "GROUP", "TYPE", "HEALTH", "DEEP CHECK", "STATUS")
    rows, keys = [], []
    for n in sorted(nodes, key=lambda n: (n.group, n.instance_id or "", n.logical_id or "")):
        kube = health.get(n.instance_id)
        status = n.status + (f": {n.message}" if n.message and n.status != "Running" else "")
        rows.append((n.instance_id or "-", *((n.logical_id or "-",) if logical else ()), n.group, n.instance_type,
                     (kube.health or "no label") if kube else "-", (kube.deep_health or "-") if kube else "-",
                     status))
        keys.append(PASS if n.status == "Running" else PENDING if n.status in ("Pending", "AttachInProgress",
                                                                                 "DeepHealthCheckInProgress",
                                                                                 "SystemUpdating") else FAIL)
    lines += table(header, rows, keys, colour)
    if kube_note:
        lines.append(f"Health labels not shown: {kube_note}")
    return "\n".join(lines)


def target_json(target: Target) -> dict:
    return {"node": target.argument, "instance_id": target.instance_id or None, "logical_id": target.logical_id,
            "group": target.group, "status": target.status}


def render_plan(lines: list[str], targets: list[Target]) -> str:
    rows = [(t.argument, t.instance_id or t.logical_id or "-", t.group, t.status) for t in targets]
    return "\n".join(lines + (table(("NODE", "INSTANCE", "GROUP", "STATUS"), rows) if rows else []))


def render_results(action: str, cluster: str, results: list[NodeResult], colour: bool) -> str:
    failed = [r for r in results if not r.ok]
    verb = RESULT_WORDS[action]
    lines = [f"{cluster}: {action} {len(results) - len(failed)} of {len(results)} node"
             f"{'' if len(results) == 1 else 's'} accepted" + (f", {len(failed)} failed" if failed else "")]
    rows = [(r.target.argument, r.target.group, verb if r.ok else r.code, "" if r.ok else r.message)
            for r in results]
    lines += table(("NODE", "GROUP", "RESULT", "DETAIL"), [(a, g, res, d) for a, g, res, d in rows],
                   [PASS if r.ok else FAIL for r in results], colour)
    return "\n".join(lines)


def results_json(results: list[NodeResult]) -> list[dict]:
    return [{**target_json(r.target), "ok": r.ok, "code": r.code or None, "message": r.message or None}
            for r in results]


def _time(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z") if isinstance(value, datetime) else "-"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None


def render_history(history: History, as_json: bool, colour: bool) -> str:
    if as_json:
        document = {"cluster": history.cluster_name, "region": history.region, "since": _iso(history.since),
                    "truncated": history.truncated}
        if history.events is not None:
            document["events"] = [{"time": _iso(e.time), "level": e.level, "resource_type": e.resource_type,
                                   "instance_group": e.group or None, "instance_id": e.instance_id or None,
                                   "description": e.description, "event_id": e.event_id,
                                   "operation_id": e.operation_id or None} for e in history.events]
        else:
            document["operations"] = [{"time": _iso(o.time), "type": o.type, "status": o.status,
                                       "operation_id": o.operation_id} for o in history.operations]
        return json.dumps(document, indent=2)
    kind = "events" if history.events is not None else "operations"
    items = history.events if history.events is not None else history.operations
    lines = [f"HyperPod cluster {history.cluster_name} ({history.region}): {len(items)} {kind} since "
             f"{_time(history.since)}" + (" (the newest only; narrow --since for the rest)" if history.truncated
                                          else "")]
    if not items:
        return "\n".join(lines)
    if history.events is not None:
        rows = [(_time(e.time), e.level, e.group or "-", e.instance_id or "-", e.description or "-")
                for e in history.events]
        keys = [_LEVEL_COLOURS.get(e.level) for e in history.events]
        lines += table(("TIME", "LEVEL", "GROUP", "INSTANCE", "DESCRIPTION"), rows, keys, colour)
    else:
        rows = [(_time(o.time), o.type, o.operation_id or "-", o.status) for o in history.operations]
        lines += table(("CREATED", "TYPE", "OPERATION", "STATUS"), rows)
    return "\n".join(lines)
