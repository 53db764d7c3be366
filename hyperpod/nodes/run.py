"""One hyperpod-nodes run: list, reboot, replace or health-check (remove is in removal.py)."""

from __future__ import annotations

import json
import sys

from hyperpod import instance_types
from hyperpod.nodes import actions
from hyperpod.nodes.report import render_list, render_plan, render_results, results_json, target_json
from hyperpod.nodes.targets import resolve
from hyperpod.commands.errors import StatusError, UsageError
from hyperpod.commands.output import use_colour
from hyperpod.status.sagemaker import SageMakerState, fetch_sagemaker_state, sagemaker_client

DONE, SOME_FAILED = 0, 1

# The data loss AWS documents for BatchReplaceClusterNodes (SageMaker API reference, "Data Loss Warning"), in our words.
REPLACE_WARNING = ("Replacing a node destroys all of its instance volumes, the root volume and the secondary one: "
                   "whatever is stored on them is lost for good. Back up what matters to Amazon S3 or FSx for Lustre "
                   "first (SageMaker API reference, BatchReplaceClusterNodes).")
HEALTH_CHECK_NOTE = ("While deep health checks run (hours on large instances) the nodes take no work, and HyperPod "
                     "reboots or replaces the nodes that fail them (SageMaker API reference, StartClusterHealthCheck).")


class Cancelled(StatusError):
    """The user answered no at the prompt: nothing was done."""

    exit_code = SOME_FAILED


def cluster_state(client, options) -> SageMakerState:
    state = fetch_sagemaker_state(client, options.cluster, options.region, include_logical_ids=True)
    if not state.found:
        raise UsageError(f"CLUSTER: no HyperPod cluster {options.cluster!r} in {options.region}")
    return state


def say(text: str, options) -> None:
    """The plan: on stdout for people, on stderr when stdout carries the JSON document."""
    print(text, file=sys.stderr if options.json else sys.stdout)


def confirm(question: str, options) -> None:
    """Ask on the terminal unless --yes; without a terminal, refuse rather than guess."""
    if options.yes:
        return
    if not (sys.stdin and sys.stdin.isatty()):
        raise UsageError(f"not confirmed ({question}): stdin is not a terminal; pass --yes to go ahead (or --dry-run "
                         "to see the plan); nothing was done")
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline()
    if answer.strip().lower() not in ("y", "yes"):
        raise Cancelled("cancelled at the prompt; nothing was done")


def _list(options, client) -> int:
    state = cluster_state(client, options)
    nodes = [n for n in state.nodes if options.group is None or n.group == options.group]
    if options.group is not None and options.group not in {g.name for g in state.instance_groups}:
        raise UsageError(f"--group: {options.group!r} is not an instance group of {state.cluster_name}; it has: "
                         f"{', '.join(sorted(g.name for g in state.instance_groups)) or 'none'}")
    health, note = {}, None
    try:
        from hyperpod.status.kubernetes import api_client, fetch_hyperpod_nodes

        api = api_client(options.kubeconfig, options.context)
        try:
            health = {k.instance_id: k for k in fetch_hyperpod_nodes(api, state.cluster_name) if k.instance_id}
        finally:
            api.close()
    except StatusError as error:  # the labels are extra: SageMaker's view stands on its own
        note = error.reason
    print(render_list(state, nodes, health, note, options.json, use_colour(sys.stdout)))
    return DONE


def _reboot_or_replace(options, client) -> int:
    state = cluster_state(client, options)
    targets = resolve(options.nodes, state)
    verb = "Reboot" if options.command == "reboot" else "Replace"
    lines = [f"{verb} {len(targets)} node{'' if len(targets) == 1 else 's'} of HyperPod cluster "
             f"{state.cluster_name} ({state.region}):"]
    if options.command == "replace":
        lines.insert(0, f"WARNING: {REPLACE_WARNING}")
    say(render_plan(lines, targets), options)
    if options.dry_run:
        if options.json:
            print(json.dumps({"cluster": state.cluster_name, "region": state.region, "action": options.command,
                              "dry_run": True, "nodes": [target_json(t) for t in targets]}, indent=2))
        return DONE
    confirm(f"{verb} these {len(targets)} node(s)?", options)
    results = actions.run_batch(actions.mutating_client(options.region, options.endpoint_url), options.command,
                                state.cluster_name, options.region, targets)
    return report_results(options, state, results)


def report_results(options, state: SageMakerState, results, extra: dict | None = None) -> int:
    if options.json:
        print(json.dumps({"cluster": state.cluster_name, "region": state.region, "action": options.command,
                          "dry_run": False, "succeeded": sum(r.ok for r in results),
                          "failed": sum(not r.ok for r in results), "nodes": results_json(results),
                          **(extra or {})}, indent=2))
    else:
        print(render_results(options.command, state.cluster_name, results, use_colour(sys.stdout)))
    failed = [r for r in results if not r.ok]
    if failed:
        print(f"hyperpod-nodes: {len(failed)} of {len(results)} node(s) failed: "
              + "; ".join(f"{r.target.argument} {r.code}" for r in failed), file=sys.stderr)
    return SOME_FAILED if failed else DONE


def _health_check_plan(options, state: SageMakerState) -> list[dict]:
    """DeepHealthCheckConfigurations: one entry per group, with InstanceIds when nodes were named."""
    groups = {g.name: g for g in state.instance_groups}
    if options.nodes:
        targets = resolve(options.nodes, state)
        pending = [t.argument for t in targets if not t.instance_id]
        if pending:
            raise UsageError(f"NODE: {', '.join(pending)} has no instance yet; deep health checks run on launched "
                             "instances (StartClusterHealthCheck InstanceIds)")
        chosen: dict[str, list[str]] = {}
        for target in targets:
            chosen.setdefault(target.group, []).append(target.instance_id)
    elif options.group is not None:
        if options.group not in groups:
            raise UsageError(f"--group: {options.group!r} is not an instance group of {state.cluster_name}; it has: "
                             f"{', '.join(sorted(groups)) or 'none'}")
        chosen = {options.group: []}
    else:
        chosen = {name: [] for name, group in groups.items() if group.current_count > 0}
    problems = []
    for name in chosen:
        kind = instance_types.lookup(groups[name].instance_type) if name in groups else None
        if kind is not None and not kind.takes_deep_health_checks:
            # Every deep health check AWS lists is for GPU or Trainium instances (SageMaker developer guide, "Deep
            # health checks", sagemaker-hyperpod-eks-resiliency-deep-health-checks.html); the config model refuses
            # them on other types for the same reason. InstanceConnectivity needs 2 or more nodes (same guide, Slurm).
            problems.append(f"group {name} runs {kind.name}, which has no GPU or Trainium (deep health checks run on "
                            "GPU and Trainium instance types only)")
        if len(chosen[name]) > 500:  # InstanceGroupHealthCheckConfiguration.InstanceIds: at most 500
            problems.append(f"group {name}: {len(chosen[name])} nodes, at most 500 in one request")
    if not chosen:
        problems.append(f"cluster {state.cluster_name} has no instance group with nodes")
    if problems:
        raise UsageError("health-check refused, nothing started: " + "; ".join(problems))
    return [{"InstanceGroupName": name, **({"InstanceIds": ids} if ids else {}), "DeepHealthChecks": options.checks}
            for name, ids in chosen.items()]


def _health_check(options, client) -> int:
    state = cluster_state(client, options)
    configurations = _health_check_plan(options, state)
    groups = {g.name: g for g in state.instance_groups}
    lines = [f"Start deep health checks {', '.join(options.checks)} on HyperPod cluster {state.cluster_name} "
             f"({state.region}):"]
    for entry in configurations:
        ids = entry.get("InstanceIds")
        count = len(ids) if ids else groups[entry["InstanceGroupName"]].current_count
        lines.append(f"  group {entry['InstanceGroupName']}: " + (", ".join(ids) if ids else f"all {count} nodes"))
        if "InstanceConnectivity" in options.checks and count < 2:
            lines.append(f"  note: InstanceConnectivity needs 2 or more instances; group "
                         f"{entry['InstanceGroupName']} has {count} here")
    lines.append(HEALTH_CHECK_NOTE)
    say("\n".join(lines), options)
    document = {"cluster": state.cluster_name, "region": state.region, "action": "health-check",
                "checks": options.checks, "configurations": configurations}
    if options.dry_run:
        if options.json:
            print(json.dumps({**document, "dry_run": True}, indent=2))
        return DONE
    confirm("Start these deep health checks?", options)
    arn = actions.start_health_check(actions.mutating_client(options.region, options.endpoint_url),
                                     state.cluster_name, options.region, configurations)
    if options.json:
        print(json.dumps({**document, "dry_run": False, "started": True, "cluster_arn": arn}, indent=2))
    else:
        print(f"{state.cluster_name}: deep health checks started; follow them with `hyperpod-nodes list "
              f"{state.cluster_name}` (DEEP CHECK column) or `hyperpod-status --operations {state.cluster_name}`")
    return DONE


def show_history(options) -> int:
    """hyperpod-status --events / --operations."""
    from hyperpod.nodes.history import fetch_history
    from hyperpod.nodes.report import render_history

    history = fetch_history(sagemaker_client(options.region, options.endpoint_url), options.cluster, options.region,
                            since_seconds=options.since_seconds, events=options.history == "events",
                            group=options.group, node=options.node)
    print(render_history(history, options.json, use_colour(sys.stdout)))
    return DONE


def run(options) -> int:
    client = sagemaker_client(options.region, options.endpoint_url)
    if options.command == "remove":
        from hyperpod.nodes.removal import remove

        return remove(options, client)
    flows = {"list": _list, "reboot": _reboot_or_replace, "replace": _reboot_or_replace,
             "health-check": _health_check}
    return flows[options.command](options, client)
