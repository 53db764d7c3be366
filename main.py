#!/usr/bin/env python3
"""Synthesize the HyperPod stack from a tfvars-style JSON config into Terraform JSON.

    python main.py [--config PATH] [--out DIR]
    cdktf synth            (config from $HYPERPOD_CONFIG, output directory from the CLI)

This is the only place that reads files and environment variables; constructs get plain values.
Exit codes: 0 written, 2 the configuration is wrong (nothing written).
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
    return parser.parse_args(argv)


def read_config(path: Path):
    from hyperpod.config import parse_config
    from hyperpod.config_errors import ConfigError

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"{path}: cannot read the config file: {error.strerror}") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}") from None
    try:
        return parse_config(raw)
    except ConfigError as error:
        lines = [f"{path}: {len(error.problems)} problem(s) in the configuration:"]
        lines += [f"  {problem}" for problem in error.problems]
        raise UsageError("\n".join(lines)) from None


def synthesize(config, outdir: Path) -> Path:
    """Synthesize into a scratch folder beside `outdir`, then move it into place: never a half-written stack."""
    from cdktf import App

    from hyperpod.lifecycle_scripts import read_scripts
    from hyperpod.stack import HyperPodStack

    scripts = read_scripts(LIFECYCLE_SCRIPTS)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=outdir.parent, prefix=f".{outdir.name}.") as scratch:
        app = App(outdir=scratch)
        HyperPodStack(app, STACK_NAME, config=config, lifecycle_scripts=scripts)
        app.synth()
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
    except UsageError as error:
        print(f"error: {error}" if "\n" not in str(error) else str(error), file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"{config_path}: {warning}", file=sys.stderr)
    written = synthesize(config, outdir)
    print(summary(config, written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
