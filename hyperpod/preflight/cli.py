"""hyperpod-preflight: before apply, ask AWS (read-only) whether each config can deploy.

    hyperpod-preflight --config FILE [--config FILE ...] [--json] [--region R] [--strict]

Exit codes: 0 ready (warnings allowed); 1 at least one check failed; 2 usage or config error (bad arguments, a config
main.py would refuse, missing credentials); 3 AWS unreachable, credentials refused, or (with --strict) a check skipped
because a permission is missing; 130 interrupted. Errors are one line (with --json also a JSON error document), never
a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from hyperpod.commands.entry import run_command
from hyperpod.commands.errors import UNREACHABLE, UsageError

READY, NOT_READY = 0, 1
PROG = "hyperpod-preflight"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        raise UsageError(f"{message} (see {self.prog} --help)")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = _Parser(prog=PROG, description=__doc__.split("\n\n")[0], allow_abbrev=False,
                     epilog=__doc__[__doc__.index("Exit codes:"):].replace("\n", " "))
    parser.add_argument("--config", type=Path, action="append", required=True, metavar="FILE",
                        help="tfvars-style JSON config, as main.py reads it; repeat for several")
    parser.add_argument("--region", help="AWS region for every config (default: the config's region, then "
                                         "AWS_REGION, then AWS_DEFAULT_REGION)")
    parser.add_argument("--json", action="store_true", help="print one JSON document for pipelines")
    parser.add_argument("--strict", action="store_true",
                        help="exit 3 when a check was skipped for a missing permission")
    return parser.parse_args(argv)


def _region(option: str | None, config, path: Path) -> str:
    from hyperpod.config.fields import REGION

    region = option or config.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not region:
        raise UsageError(f"{path}: no region: give --region, set region in the config, or set AWS_REGION")
    if not REGION.fullmatch(region):
        raise UsageError(f"--region: {region!r} is not an AWS region name; expected e.g. us-west-2")
    return region


def deployments(options) -> list:
    """The configs through main.py's reader (hyperpod.app.environments: same model, same errors, all reported)."""
    from hyperpod.app.configs import UsageError as ConfigUsageError
    from hyperpod.app.environments import read_environments
    from hyperpod.preflight.deployment import Deployment

    try:
        environments = read_environments(options.config)
    except ConfigUsageError as error:
        raise UsageError(str(error)) from None
    for environment in environments:
        for warning in environment.warnings:
            print(f"{environment.path}: {warning}", file=sys.stderr)
    return [Deployment(e.path, e.config, _region(options.region, e.config, e.path)) for e in environments]


def exit_code(reports, strict: bool) -> int:
    from hyperpod.preflight.verdicts import SKIPPED

    if any(r.failed for r in reports):
        return NOT_READY
    if strict and any(r.count(SKIPPED) for r in reports):
        return UNREACHABLE
    return READY


def _run(options) -> int:
    found = deployments(options)
    # boto3 loads only once the arguments and configs are good.
    from hyperpod.commands.output import use_colour
    from hyperpod.preflight.report import render_json, render_table
    from hyperpod.preflight.runner import run_preflight

    reports = run_preflight(found)
    code = exit_code(reports, options.strict)
    print(render_json(reports, code) if options.json else render_table(reports, use_colour(sys.stdout)))
    if code == UNREACHABLE:
        print(f"{PROG}: checks skipped for missing permissions (--strict); see docs/preflight.md for the "
              "read-only policy", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    return run_command(PROG, sys.argv[1:] if argv is None else argv, parse_args, _run)


if __name__ == "__main__":
    sys.exit(main())
