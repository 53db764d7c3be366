"""hyperpod-nodes remove: delete nodes and lower their groups' instance_count in the config, so the next synthesis and
`terraform plan` agree with the cluster instead of adding the nodes back.

Everything that can refuse does so before anything is deleted: nodes of this cluster in groups the config names, no
Karpenter-scaled group (Karpenter owns its count), no count under min_instance_count, a config that is this cluster's,
still the bytes that were read, writable, and editable in place (the edit is computed and verified up front).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from hyperpod.nodes import actions
from hyperpod.nodes.config_file import (
    ConfigChanged,
    ensure_unchanged,
    lowered_counts,
    read_config_file,
    write_backup,
    write_config,
)
from hyperpod.nodes.report import render_plan, target_json
from hyperpod.nodes.run import DONE, SOME_FAILED, cluster_state, confirm, report_results, say
from hyperpod.nodes.targets import resolve
from hyperpod.commands.errors import UsageError


def _refusals(targets, model, path: Path) -> list[str]:
    groups = {g.name: g for g in model.hyperpod_instance_groups}
    scaling = model.hyperpod_autoscaling
    autoscaled = set(scaling.instance_groups) if scaling.enabled else set()
    problems = [f"{t.argument} is in instance group {t.group}, which {path} does not name"
                for t in targets if t.group not in groups]
    if len(targets) > actions.MAX_DELETE:
        # BatchDeleteClusterNodes NodeIds: "If you need to delete more than 99 instances, contact Support".
        problems.append(f"{len(targets)} nodes; AWS deletes at most {actions.MAX_DELETE} at a time "
                        "(BatchDeleteClusterNodes), more needs AWS Support")
    for name, count in sorted(Counter(t.group for t in targets).items()):
        group = groups.get(name)
        if group is None:
            continue
        if name in autoscaled:
            problems.append(f"instance group {name} is scaled by Karpenter (hyperpod_autoscaling.instance_groups): "
                            "its instance_count is Karpenter's, not the config's; let Karpenter remove nodes")
            continue
        new, floor = group.instance_count - count, group.min_instance_count or 0
        if new < 0:
            problems.append(f"instance group {name}: instance_count {group.instance_count} - {count} = {new}: the "
                            "config already counts fewer nodes than the cluster has; set instance_count to what the "
                            "cluster runs first")
        elif new < floor:
            problems.append(f"instance group {name}: instance_count {group.instance_count} - {count} = {new} is "
                            f"below its min_instance_count {floor} (hyperpod_instance_groups.min_instance_count)")
    return problems


def _plan_lines(state, model, config, targets, new_counts: dict[str, int]) -> list[str]:
    groups = {g.name: g for g in model.hyperpod_instance_groups}
    reported = {g.name: g for g in state.instance_groups}
    lines = [f"Delete {len(targets)} node{'' if len(targets) == 1 else 's'} of HyperPod cluster {state.cluster_name} "
             f"({state.region}) for good (no replacement), and lower instance_count in {config.path}:"]
    for name, count in sorted(new_counts.items()):
        lines.append(f"  group {name}: instance_count {groups[name].instance_count} -> {count}")
        target = reported.get(name)
        if target is not None and target.target_count != groups[name].instance_count:
            lines.append(f"  note: SageMaker's target count for group {name} is {target.target_count}, the config "
                         f"says {groups[name].instance_count}: they already disagree")
    return lines


def _fixes(counts: dict[str, int]) -> str:
    return ", ".join(f"group {name} to {count}" for name, count in sorted(counts.items()))


def _config_json(config, before: dict[str, int], after: dict[str, int], written: bool, backup) -> dict:
    return {"config": {"path": str(config.path), "written": written, "backup": str(backup) if backup else None,
                       "groups": [{"name": name, "instance_count_before": before[name],
                                   "instance_count_after": after.get(name, before[name])} for name in sorted(before)]}}


def remove(options, client) -> int:
    config, model = read_config_file(Path(options.config))
    state = cluster_state(client, options)
    if not model.hyperpod_enabled or model.hyperpod_cluster_name != state.cluster_name:
        raise UsageError(f"--config: {config.path} describes HyperPod cluster {model.hyperpod_cluster_name!r}"
                         f"{'' if model.hyperpod_enabled else ' (hyperpod_enabled is false)'}, not "
                         f"{state.cluster_name!r}; nothing was deleted")
    targets = resolve(options.nodes, state)
    problems = _refusals(targets, model, config.path)
    if problems:
        raise UsageError("remove refused, nothing was deleted: " + "; ".join(problems))
    before = {g.name: g.instance_count for g in model.hyperpod_instance_groups
              if g.name in {t.group for t in targets}}
    planned = {name: before[name] - n for name, n in Counter(t.group for t in targets).items()}
    lowered_counts(config, planned)  # an edit that cannot be made refuses now, before anything is deleted
    say(render_plan(_plan_lines(state, model, config, targets, planned), targets), options)
    if options.dry_run:
        if options.json:
            import json

            print(json.dumps({"cluster": state.cluster_name, "region": state.region, "action": "remove",
                              "dry_run": True, "nodes": [target_json(t) for t in targets],
                              **_config_json(config, before, planned, False, None)}, indent=2))
        return DONE
    confirm(f"Delete these {len(targets)} node(s) and write {config.path}?", options)
    backup = write_backup(config)
    try:
        ensure_unchanged(config)
    except ConfigChanged as changed:
        raise UsageError(f"{changed.reason}; nothing was deleted (read it again: run the command again)") from None
    results = actions.run_batch(actions.mutating_client(options.region, options.endpoint_url), "remove",
                                state.cluster_name, options.region, targets)
    deleted = Counter(r.target.group for r in results if r.ok)
    after = {name: before[name] - n for name, n in deleted.items()}
    write_error = None
    if after:
        try:
            write_config(config, lowered_counts(config, after))
        except UsageError as error:  # ConfigChanged included: never overwrite someone else's edit
            write_error = error.reason
        except KeyboardInterrupt:  # the file is whole (old or new); say what the user must still check
            print(f"hyperpod-nodes: interrupted after deleting {sum(deleted.values())} node(s): make sure "
                  f"{config.path} sets instance_count of {_fixes(after)}", file=sys.stderr)
            raise
    code = report_results(options, state, results, _config_json(config, before, after, bool(after) and
                                                                write_error is None, backup))
    unknown = [r.target.argument for r in results if r.code == actions.OUTCOME_UNKNOWN]
    if unknown:
        print(f"hyperpod-nodes: whether {', '.join(unknown)} {'was' if len(unknown) == 1 else 'were'} deleted is "
              f"unknown and {config.path} does not count {'it' if len(unknown) == 1 else 'them'}: check with "
              f"`hyperpod-nodes list {state.cluster_name}` and lower instance_count by hand for each one gone",
              file=sys.stderr)
    if write_error is not None:
        print(f"hyperpod-nodes: the nodes were deleted but {config.path} was not updated ({write_error}); set "
              f"instance_count of {_fixes(after)} before the next apply, or Terraform adds the nodes back",
              file=sys.stderr)
        return SOME_FAILED
    if after and not options.json:
        print(f"{config.path}: " + ", ".join(f"group {name} instance_count {before[name]} -> {count}"
                                             for name, count in sorted(after.items()))
              + f" (previous file kept as {backup.name})")
    return code
