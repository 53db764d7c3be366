"""What a synthesis wrote, in a few lines for the person who ran it."""

from __future__ import annotations

from pathlib import Path


def summary(config, written: Path) -> str:
    from hyperpod import instance_types

    if not config.hyperpod_enabled:
        return f"stack {config.stack_name}: hyperpod_enabled is false, no HyperPod resources\n  wrote {written}"
    lines = [f"stack {config.stack_name}: HyperPod cluster {config.hyperpod_cluster_name} on EKS cluster "
             f"{config.eks_cluster_name}"]
    totals: dict[str, int] = {}
    instances = 0
    for group in config.hyperpod_instance_groups:
        kind = instance_types.lookup(group.instance_type)
        checks = ", ".join(group.deep_health_checks) or "no deep health checks"
        lines.append(f"  group {group.name}: {group.instance_count} x {group.instance_type}, "
                     f"{group.ebs_volume_gb} GB, {checks}")
        instances += group.instance_count
        if kind is not None and kind.accelerator != "none":
            totals[kind.accelerator] = totals.get(kind.accelerator, 0) + kind.accelerators * group.instance_count
    accelerators = ", ".join(f"{count} {'GPUs' if kind == 'gpu' else 'Trainium chips'}"
                             for kind, count in sorted(totals.items())) or "no accelerators"
    types = {group.instance_type for group in config.hyperpod_instance_groups}
    unknown = sorted(t for t in types if instance_types.lookup(t) is None)
    if unknown:
        accelerators += f" (not counted: {', '.join(unknown)}, accelerators unknown)"
    lines.append(f"  total: {len(config.hyperpod_instance_groups)} group(s), {instances} instance(s), {accelerators}")
    notes = sorted(note for t in types for note in instance_types.notes(t))
    lines += [f"  note: {note}" for note in notes]
    lines.append(f"  wrote {written}")
    return "\n".join(lines)
