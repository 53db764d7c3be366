"""Synthesis behind the change guard: nothing is written unless the new stack is safe to deploy (or allowed)."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable

from hyperpod.app.configs import UsageError

STACK_NAME = "hyperpod"
# The lifecycle scripts this project ships (see lifecycle_scripts/README.md).
LIFECYCLE_SCRIPTS = Path(__file__).resolve().parent.parent.parent / "lifecycle_scripts"


class ChangeRefused(Exception):
    """The new synthesis would replace or break the running cluster."""


def previous_stack_path(outdir: Path, check_against: Path | None) -> Path:
    return check_against or outdir / "stacks" / STACK_NAME / "cdk.tf.json"


def load_previous(outdir: Path, check_against: Path | None) -> dict | None:
    """The previous synthesis to compare with, or None on a first synthesis."""
    from hyperpod.change_guard import PreviousSynthesisError
    from hyperpod.change_guard import load_previous as load

    path = previous_stack_path(outdir, check_against)
    if check_against is None and not path.exists():
        return None  # first synthesis: nothing to protect yet
    try:
        return load(path)
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
    from hyperpod.change_guard import dangerous_changes

    def check(new: dict) -> None:
        changes = dangerous_changes(previous, new) if previous is not None else []
        if not changes:
            return
        report = "\n".join(f"  - {change}" for change in changes)
        if allow_replace:
            print(f"warning: going ahead (--allow-replace) with {len(changes)} dangerous change(s):\n{report}",
                  file=sys.stderr)
            return
        raise ChangeRefused(f"refused: {len(changes)} change(s) would replace or break the running HyperPod "
                            f"cluster; nothing was written.\n{report}\nRe-run with --allow-replace if you mean it.")

    return check


def synthesize(config, outdir: Path, check: Callable[[dict], None] | None = None) -> Path:
    """Synthesize into a scratch folder beside `outdir`, then move it into place: never a half-written stack.
    `check(new_json)` may raise to stop before anything is moved."""
    from cdktf import App

    from hyperpod.lifecycle_scripts import read_scripts
    from hyperpod.stack import HyperPodStack

    scripts = read_scripts(LIFECYCLE_SCRIPTS)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=outdir.parent, prefix=f".{outdir.name}.") as scratch:
        app = App(outdir=scratch)
        HyperPodStack(app, STACK_NAME, config=config, lifecycle_scripts=scripts)
        app.synth()
        if check is not None:
            check(json.loads((Path(scratch) / "stacks" / STACK_NAME / "cdk.tf.json").read_text()))
        for item in sorted(Path(scratch).iterdir()):
            target = outdir / item.name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            item.replace(target)
    return outdir / "stacks" / STACK_NAME / "cdk.tf.json"
