"""Synthesis behind the change guard: nothing is written unless the new stack is safe to deploy (or allowed)."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable, Mapping

from hyperpod.app.configs import UsageError
from hyperpod.config.state import DEFAULT_STACK_NAME
# The lifecycle scripts this project ships (see lifecycle_scripts/README.md).
LIFECYCLE_SCRIPTS = Path(__file__).resolve().parent.parent.parent / "lifecycle_scripts"


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
    """Synthesize one config's stack; see `synthesize_stacks`."""
    checks = {config.stack_name: check} if check is not None else {}
    return synthesize_stacks([config], outdir, checks)[config.stack_name]


def synthesize_stacks(configs: list, outdir: Path, checks: Mapping[str, Callable[[dict], None]]) -> dict[str, Path]:
    """One App, one stack per config, synthesized into a scratch folder beside `outdir` and then moved into place:
    never a half-written output. `checks[stack_name](new_json)` may raise `ChangeRefused`; every stack is checked
    before anything moves, so a refused change in one environment writes nothing for any."""
    from cdktf import App

    from hyperpod.lifecycle_scripts import read_scripts
    from hyperpod.stack import HyperPodStack

    scripts = read_scripts(LIFECYCLE_SCRIPTS)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=outdir.parent, prefix=f".{outdir.name}.") as scratch:
        app = App(outdir=scratch)
        stacks = {config.stack_name: HyperPodStack(app, config.stack_name, config=config, lifecycle_scripts=scripts)
                  for config in configs}
        app.synth()
        refusals = []
        for name, check in checks.items():
            try:
                check(_synthesized_json(Path(scratch), stacks[name]))
            except ChangeRefused as refused:
                refusals.append(f"stack {name}: {refused}" if len(configs) > 1 else str(refused))
        if refusals:
            raise ChangeRefused("\n".join(refusals))
        for item in sorted(Path(scratch).iterdir()):
            target = outdir / item.name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            item.replace(target)
    return {name: _stack_file(outdir / "stacks" / name) for name in stacks}


def _synthesized_json(scratch: Path, stack) -> dict:
    path = scratch / "stacks" / stack.node.id / "cdk.tf.json"
    if path.exists():
        return json.loads(path.read_text())
    # `cdktf synth --hcl` (SYNTH_HCL_OUTPUT) writes cdk.tf instead: the guard compares the stack's JSON form.
    return json.loads(json.dumps(stack.to_terraform()))


def _stack_file(directory: Path) -> Path:
    json_file = directory / "cdk.tf.json"
    return json_file if json_file.exists() else directory / "cdk.tf"
