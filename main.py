#!/usr/bin/env python3
"""Synthesize the HyperPod stack from a tfvars-style JSON config into Terraform JSON.

    python main.py [--config PATH] [--out DIR]
    cdktf synth            (config from $HYPERPOD_CONFIG, output directory from the CLI)

This is the only place that reads files and environment variables; constructs get plain values.
Before anything is written, the new synthesis is compared with the previous one (the stack JSON already in the
output directory, or --check-against PATH): changes that would replace the cluster or that the API refuses are
explained and refused unless --allow-replace is given.

Exit codes: 0 written, 2 the configuration (or the previous synthesis) is wrong, 3 a dangerous change was refused.
Nothing is written unless the exit code is 0.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEFAULT_CONFIG = ROOT / "examples" / "terraform.tfvars.json"
LIFECYCLE_SCRIPTS = ROOT / "lifecycle_scripts"
STACK_NAME = "hyperpod"
CONFIG_ENV = "HYPERPOD_CONFIG"
ALLOW_REPLACE_ENV = "HYPERPOD_ALLOW_REPLACE"  # --allow-replace for `cdktf synth/deploy`, which pass no arguments

# jsii prints an end-of-life banner for Node 20 on every run unless told the major version it may ignore.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


class UsageError(Exception):
    """A problem with the command line or the config file; reported in one line (or one per problem)."""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=None,
                        help=f"tfvars-style JSON config (default: ${CONFIG_ENV} or {DEFAULT_CONFIG.relative_to(ROOT)})")
    parser.add_argument("--out", type=Path, default=None,
                        help="output directory in place of cdktf.out (default: the cdktf CLI's, else cdktf.out)")
    parser.add_argument("--check-against", type=Path, default=None, metavar="PREVIOUS_JSON",
                        help="the cdk.tf.json of the last deploy (default: the stack JSON in the output directory)")
    parser.add_argument("--allow-replace", action="store_true",
                        help="go ahead with changes that replace the cluster or remove groups")
    return parser.parse_args(argv)


class ChangeRefused(Exception):
    """The new synthesis would replace or break the running cluster."""


def load_previous(args: argparse.Namespace, outdir: Path) -> dict | None:
    from hyperpod.change_guard import PreviousSynthesisError
    from hyperpod.change_guard import load_previous as load

    path = args.check_against or outdir / "stacks" / STACK_NAME / "cdk.tf.json"
    if args.check_against is None and not path.exists():
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


def guard(previous: dict | None, allow_replace: bool):
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


def read_config(path: Path):
    from hyperpod.config import parse_config
    from hyperpod.config_errors import ConfigError, JsonFileError, load_json

    try:
        return parse_config(load_json(path, "config file"))
    except JsonFileError as error:
        raise UsageError(str(error)) from None
    except ConfigError as error:
        lines = [f"{path}: {len(error.problems)} problem(s) in the configuration:"]
        lines += [f"  {problem}" for problem in error.problems]
        raise UsageError("\n".join(lines)) from None


def synthesize(config, outdir: Path, check=None) -> Path:
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


def summary(config, written: Path) -> str:
    from hyperpod import instance_types

    if not config.hyperpod_enabled:
        return f"stack {STACK_NAME}: hyperpod_enabled is false, no HyperPod resources\n  wrote {written}"
    lines = [f"stack {STACK_NAME}: HyperPod cluster {config.hyperpod_cluster_name} on EKS cluster "
             f"{config.eks_cluster_name}"]
    totals: dict[str, int] = {}
    instances = 0
    for group in config.hyperpod_instance_groups:
        kind = instance_types.lookup(group.instance_type)
        checks = ", ".join(group.deep_health_checks) or "no deep health checks"
        lines.append(f"  group {group.name}: {group.instance_count} x {group.instance_type}, "
                     f"{group.ebs_volume_gb} GB, {checks}")
        instances += group.instance_count
        if kind.accelerator != "none":
            totals[kind.accelerator] = totals.get(kind.accelerator, 0) + kind.accelerators * group.instance_count
    accelerators = ", ".join(f"{count} {'GPUs' if kind == 'gpu' else 'Trainium chips'}"
                             for kind, count in sorted(totals.items())) or "no accelerators"
    lines.append(f"  total: {len(config.hyperpod_instance_groups)} group(s), {instances} instance(s), {accelerators}")
    lines.append(f"  wrote {written}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    config_path = args.config or Path(os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)
    outdir = args.out or Path(os.environ.get("CDKTF_OUTDIR") or "cdktf.out")
    try:
        config, warnings = read_config(config_path)
        previous = load_previous(args, outdir)
    except UsageError as error:
        print(f"error: {error}" if "\n" not in str(error) else str(error), file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"{config_path}: {warning}", file=sys.stderr)
    config = keep_group_order(config, previous)
    try:
        allow = args.allow_replace or os.environ.get(ALLOW_REPLACE_ENV) == "1"
        written = synthesize(config, outdir, check=guard(previous, allow))
    except ChangeRefused as refused:
        print(str(refused), file=sys.stderr)
        return 3
    print(summary(config, written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
