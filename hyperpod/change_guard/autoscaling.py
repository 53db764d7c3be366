"""Changes to which instance groups Karpenter scales.

A synthesis marks the groups Karpenter scales by ignoring their `instance_groups[i].instance_count` in the cluster's
`lifecycle.ignore_changes` (hyperpod/cluster.py): Terraform leaves their counts to Karpenter. Sources for what
happens when that set changes: HyperPod user guide, "Create a NodeClass" (autoscaled groups must start with 0 nodes,
"If you start with more than 0 nodes, Karpenter will scale them down to 0"; nodes of a group removed from the
NodeClass are seen as drifted and disrupted).
"""

from __future__ import annotations

import re

from hyperpod.change_guard.change import DangerousChange

# ASCII digits only: the previous synthesis is untrusted, and int() would also read other scripts' digits.
_COUNT_PATH = re.compile(r"instance_groups\[([0-9]{1,4})\]\.instance_count")


def _groups(cluster: dict) -> list[dict]:
    groups = cluster.get("instance_groups")
    return [g for g in groups if isinstance(g, dict)] if isinstance(groups, list) else []


def autoscaled_groups(cluster: dict) -> list[str]:
    """Names of the groups whose instance_count Terraform leaves to Karpenter in one synthesis of a cluster."""
    lifecycle = cluster.get("lifecycle")
    ignored = lifecycle.get("ignore_changes") if isinstance(lifecycle, dict) else None
    groups = cluster.get("instance_groups") if isinstance(cluster.get("instance_groups"), list) else []
    names = []
    for path in ignored if isinstance(ignored, list) else []:
        match = _COUNT_PATH.fullmatch(path) if isinstance(path, str) else None
        index = int(match.group(1)) if match else len(groups)
        if index < len(groups) and isinstance(groups[index], dict):
            names.append(groups[index].get("instance_group_name"))
    return names


def _counts(cluster: dict) -> dict[object, object]:
    return {g.get("instance_group_name"): g.get("instance_count") for g in _groups(cluster)}


def autoscaling_changes(name: str, old: dict, new: dict) -> list[DangerousChange]:
    """Groups Karpenter scaled that the new synthesis hands back to Terraform (refused: nodes would be lost)."""
    new_counts, still_scaled = _counts(new), set(autoscaled_groups(new))
    changes = []
    for group in autoscaled_groups(old):
        if group not in new_counts or group in still_scaled:
            continue  # a removed group is refused on its own
        count = new_counts[group]
        changes.append(DangerousChange(
            f"cluster {name!r}, group {group!r}: Karpenter stops scaling it (hyperpod_autoscaling.enabled false, or "
            f"the group left out of hyperpod_autoscaling.instance_groups): its instance_count goes back to "
            f"Terraform, and the next apply sets it to {count}, terminating the nodes Karpenter added above that",
            "while Karpenter scaled the group, Terraform ignored its count; from now on it applies the configured "
            "count, and HyperPod removes the nodes above it with their local data (a group dropped from the "
            "NodeClass also has its Karpenter nodes disrupted as drifted: HyperPod user guide, Create a NodeClass)",
            "set the group's instance_count to the number of nodes it runs now (hyperpod-status shows it), then "
            "synthesize with --allow-replace"))
    return changes


def autoscaling_warnings(name: str, old: dict, new: dict) -> list[DangerousChange]:
    """Groups Karpenter starts to scale while they run nodes: AWS says Karpenter scales them down to 0."""
    old_counts, was_scaled = _counts(old), set(autoscaled_groups(old))
    warnings = []
    for group in autoscaled_groups(new):
        count = old_counts.get(group)
        if group in was_scaled or not isinstance(count, int) or isinstance(count, bool) or count <= 0:
            continue
        warnings.append(DangerousChange(
            f"cluster {name!r}, group {group!r}: Karpenter starts scaling a group that runs {count} node(s)",
            "Karpenter scales a group that starts with nodes down to 0 (HyperPod user guide, Create a NodeClass: "
            "\"You must start with 0 nodes in your instance group\"): the pods on those nodes are evicted and the "
            "nodes' local data is lost",
            "move work off the group and set its instance_count to 0 first, or give Karpenter a new group with "
            "instance_count 0"))
    return warnings
