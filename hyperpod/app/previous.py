"""The previous synthesis of each stack, and the change guard that compares a new synthesis with it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from hyperpod.app.configs import UsageError
from hyperpod.config.state import DEFAULT_STACK_NAME


class ChangeRefused(Exception):
    """The new synthesis would replace or break the running cluster."""


def previous_stack_path(outdir: Path, check_against: Path | None, stack_name: str = DEFAULT_STACK_NAME) -> Path:
    return check_against or outdir / "stacks" / stack_name / "cdk.tf.json"


def load_previous(outdir: Path, check_against: Path | None, stack_name: str = DEFAULT_STACK_NAME) -> dict | None:
    """The previous synthesis of one stack to compare with, or None on a first synthesis."""
    from hyperpod.change_guard import PreviousSynthesisError
    from hyperpod.change_guard import load_previous as load

    path = previous_stack_path(outdir, check_against, stack_name)
    if check_against is None and not path.exists():
        return None  # first synthesis, or an empty or different --out: the caller says so
    try:
        return load(path, stack_name)
    except PreviousSynthesisError as error:
        raise UsageError(str(error)) from None


def keep_group_order(config, previous: dict | None):
    """Existing groups keep their previous order; new groups are appended (the provider matches by position)."""
    from hyperpod.change_guard import previous_group_order, stable_group_order

    if previous is None:
        return config
    groups = {g.name: g for g in config.hyperpod_instance_groups}
    order = stable_group_order(list(groups), previous_group_order(previous))
    if order == list(groups):
        return config
    print(f"note: instance groups kept in their deployed order: {', '.join(order)}", file=sys.stderr)
    return config.model_copy(update={"hyperpod_instance_groups": [groups[name] for name in order]})


def keep_provisioning_mode(config, previous: dict | None):
    """A cluster deployed before continuous provisioning was the default keeps the standard mode unless the config
    asks for Continuous explicitly (or a feature needs it): a new default must not change a running cluster."""
    from hyperpod.change_guard import previous_provisioning_modes

    modes = previous_provisioning_modes(previous) if previous is not None else []
    if not modes or any(mode is not None for mode in modes):
        return config
    if "hyperpod_node_provisioning_mode" in config.model_fields_set or needs_continuous(config):
        return config
    print("note: hyperpod_node_provisioning_mode kept as deployed (standard); set it to \"Continuous\" to switch",
          file=sys.stderr)
    return config.model_copy(update={"hyperpod_node_provisioning_mode": None})


def needs_continuous(config) -> bool:
    return config.hyperpod_autoscaling.enabled or any(
        g.capacity_type == "spot" or g.ebs_kms_key_id for g in config.hyperpod_instance_groups)


def guard(previous: dict | None, allow_replace: bool) -> Callable[[dict], None]:
    """A check for `synthesize`: raises `ChangeRefused` when the new stack would replace or break the cluster."""
    from hyperpod.change_guard import change_warnings, dangerous_changes

    def check(new: dict) -> None:
        for warning in change_warnings(previous, new) if previous is not None else []:
            print(f"warning: {warning}", file=sys.stderr)
        changes = dangerous_changes(previous, new) if previous is not None else []
        refuse_unless_allowed([str(change) for change in changes], allow_replace, warned="dangerous change(s)",
                              refused="change(s) would replace or break the running HyperPod cluster")

    return check


def refuse_unless_allowed(items: list[str], allow: bool, *, warned: str, refused: str) -> None:
    """Every refusal of a synthesis ends the same way: with --allow-replace a warning listing `items`, otherwise
    `ChangeRefused` (exit 3) saying nothing was written and how to go ahead. Nothing happens for no items."""
    if not items:
        return
    report = "\n".join(f"  - {item}" for item in items)
    if allow:
        print(f"warning: going ahead (--allow-replace) with {len(items)} {warned}:\n{report}", file=sys.stderr)
        return
    raise ChangeRefused(f"refused: {len(items)} {refused}; nothing was written.\n{report}\nRe-run with "
                        "--allow-replace if you mean it.")
