"""What a synthesis wrote, in a few lines for the person who ran it."""

from __future__ import annotations

from pathlib import Path


def _type_names(group) -> tuple[str, ...]:
    """The group's instance type, or a flexible group's types in priority order."""
    return tuple(getattr(group, "instance_types", None) or (group.instance_type,))


def _accelerator_ranges(group) -> dict[str, tuple[int, int]]:
    """Accelerator kind -> (fewest, most) per instance over the group's types. A flexible group's instances may be of
    any listed type, so its count is a range (a CPU type in the list makes the fewest 0)."""
    from hyperpod import instance_types

    kinds = [kind for kind in map(instance_types.lookup, _type_names(group)) if kind is not None]
    ranges = {}
    for accelerator in sorted({kind.accelerator for kind in kinds} - {"none"}):
        counts = [kind.accelerators if kind.accelerator == accelerator else 0 for kind in kinds]
        ranges[accelerator] = (min(counts), max(counts))
    return ranges


def _amount(kind: str, low: int, high: int) -> str:
    noun = "GPUs" if kind == "gpu" else "Trainium chips"
    return f"{low} {noun}" if low == high else f"{low}-{high} {noun}"


def summary(config, written: Path) -> str:
    from hyperpod import instance_types

    if not config.hyperpod_enabled:
        return f"stack {config.stack_name}: hyperpod_enabled is false, no HyperPod resources\n  wrote {written}"
    lines = [f"stack {config.stack_name}: HyperPod cluster {config.hyperpod_cluster_name} on EKS cluster "
             f"{config.eks_cluster_name}"]
    totals: dict[str, tuple[int, int]] = {}
    instances = 0
    for group in config.hyperpod_instance_groups:
        checks = ", ".join(group.deep_health_checks) or "no deep health checks"
        types = group.instance_type or "one of " + " > ".join(group.instance_types)
        lines.append(f"  group {group.name}: {group.instance_count} x {types}, {group.ebs_volume_gb} GB, {checks}")
        instances += group.instance_count
        for kind, (low, high) in _accelerator_ranges(group).items():
            before = totals.get(kind, (0, 0))
            totals[kind] = (before[0] + low * group.instance_count, before[1] + high * group.instance_count)
    for group in config.restricted_instance_groups:
        lines.append(f"  restricted group {group.name}: {group.instance_count} x {group.instance_type}, "
                     f"{group.ebs_volume_gb} GB")
        instances += group.instance_count
        for kind, (low, high) in _accelerator_ranges(group).items():
            before = totals.get(kind, (0, 0))
            totals[kind] = (before[0] + low * group.instance_count, before[1] + high * group.instance_count)
    amounts = ", ".join(_amount(kind, *totals[kind]) for kind in sorted(totals)) or "no accelerators"
    count = len(config.hyperpod_instance_groups) + len(config.restricted_instance_groups)
    every_type = sorted({name for group in [*config.hyperpod_instance_groups, *config.restricted_instance_groups]
                         for name in _type_names(group)})
    unknown = [name for name in every_type if instance_types.lookup(name) is None]
    if unknown:
        amounts += f" (not counted: {', '.join(unknown)}, accelerators unknown)"
    lines.append(f"  total: {count} group(s), {instances} instance(s), {amounts}")
    lines += [f"  note: {note}" for note in sorted(note for name in every_type for note in instance_types.notes(name))]
    lines.append(f"  wrote {written}")
    return "\n".join(lines)
