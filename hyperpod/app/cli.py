"""Synthesize the HyperPod stack from a tfvars-style JSON config into Terraform JSON.

    python main.py [--config PATH ...] [--out DIR] [--check-against PREVIOUS_JSON] [--allow-replace] [--check]
    cdktf synth            (configs from $HYPERPOD_CONFIG, output directory from the CLI)

Each config becomes one stack named by its `stack_name` (one App, one process): `--config dev.json --config
prod.json`, or HYPERPOD_CONFIG=dev.json:prod.json (the OS path separator) for `cdktf synth`/`cdktf deploy hp-prod`.

Before anything is written, each stack is compared with its previous synthesis (its stack JSON already in the
output directory, or --check-against PATH for a single config): changes that would replace the cluster or that the
API refuses are explained and refused unless --allow-replace is given. --check validates the configs and the
previous syntheses only (no synthesis, nothing written), for pre-commit hooks and CI.

Only the files a synthesis writes are replaced in the output directory (each through a temporary file beside it);
Terraform's files, the state and anything else there are kept (docs/output-folder.md). One run at a time holds
<out>/.hyperpod.lock.

Exit codes: 0 written (or, with --check, valid); 1 writing the output failed (disk full, I/O error); 2 the command
line (e.g. an --out that is a file, unwritable or inside the project's sources; an empty --out or HYPERPOD_CONFIG),
the configuration or the previous synthesis is wrong, another run holds the output directory, or Terraform holds
the lock of a stack's local state; 3 a dangerous change was refused (a renamed stack whose local state stays behind
is one); 130 interrupted (Ctrl-C). Nothing is written unless the exit code is 0 (or 130 after the synthesis was
complete, which the message says). Errors are one line, never a traceback.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import sys
from pathlib import Path

from hyperpod.app.configs import UsageError
from hyperpod.app.environments import config_paths, read_environments
from hyperpod.app.output import OutputLock, WriteError, check_output_directory
from hyperpod.app.previous import (
    ChangeRefused,
    guard,
    keep_group_order,
    keep_provisioning_mode,
    load_previous,
    previous_stack_path,
)
from hyperpod.app.stack_folders import (
    refuse_cdktf_cli_removal,
    refuse_colliding_stacks,
    refuse_renamed_stacks,
    run_by_cdktf_cli,
)
from hyperpod.app.node_runtime import stop_node_runtime
from hyperpod.app.synthesis import synthesize_stacks
from hyperpod.app.terraform_lock import TerraformStateLocks

CONFIG_ENV = "HYPERPOD_CONFIG"
ALLOW_REPLACE_ENV = "HYPERPOD_ALLOW_REPLACE"  # --allow-replace for `cdktf synth/deploy`, which pass no arguments
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent.parent / "examples" / "terraform.tfvars.json"

EXIT_OK, EXIT_WRITE_FAILED, EXIT_USAGE, EXIT_REFUSED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def parse_args(argv: list[str]) -> argparse.Namespace:
    # allow_abbrev=False: argparse would otherwise read `--check` as an abbreviation of `--check-against`.
    parser = argparse.ArgumentParser(prog="main.py", description=__doc__.split("\n\n")[0], allow_abbrev=False,
                                     epilog=__doc__[__doc__.index("Exit codes:"):].replace("\n", " "))
    parser.add_argument("--config", type=Path, action="append", default=None,
                        help=f"tfvars-style JSON config; repeat for one stack per config (default: ${CONFIG_ENV}, "
                             "paths separated by the OS path separator, or examples/terraform.tfvars.json)")
    parser.add_argument("--out", default=None,
                        help="output directory in place of cdktf.out (default: the cdktf CLI's, else cdktf.out)")
    parser.add_argument("--check-against", type=Path, default=None, metavar="PREVIOUS_JSON",
                        help="the cdk.tf.json of the last deploy (default: the stack JSON in the output directory)")
    parser.add_argument("--allow-replace", action="store_true",
                        help="go ahead with changes that replace the cluster or remove groups")
    parser.add_argument("--check", action="store_true",
                        help="validate the config and the previous synthesis only; write nothing")
    return parser.parse_args(argv)


def _error(message: str) -> None:
    print(f"error: {message}" if "\n" not in message else message, file=sys.stderr)


class _Run:
    """What a run has done so far, so that a Ctrl-C at any moment is reported truthfully."""

    def __init__(self, stop_runtime_when_written: bool = False):
        self.written: dict[str, Path] = {}  # each stack's file, once the synthesis is in place
        # A process of its own (entry_point) shuts jsii's Node down as soon as the synthesis is written: a Ctrl-C
        # after that moment would otherwise kill Node, whose dying words jsii forwards to stderr after the summary.
        self.stop_runtime_when_written = stop_runtime_when_written


def main(argv: list[str] | None = None, *, stop_runtime_when_written: bool = False) -> int:
    """Every way a run can end, mapped to its exit code and one line on stderr."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    run = _Run(stop_runtime_when_written)
    try:
        return _run(args, run)
    except UsageError as error:
        _error(str(error))
        return EXIT_USAGE
    except ChangeRefused as refused:
        print(str(refused), file=sys.stderr)
        return EXIT_REFUSED
    except WriteError as error:
        _error(str(error))
        return EXIT_WRITE_FAILED
    except KeyboardInterrupt as interrupted:
        if run.written:
            message = f"interrupted after the synthesis was written to {', '.join(map(str, run.written.values()))}"
        else:
            message = str(interrupted) or "interrupted: nothing was written"
        print(message, file=getattr(interrupted, "report_to", sys.stderr))
        if run.stop_runtime_when_written:
            # A process of its own ends now: what jsii still forwards from the Node process this Ctrl-C killed (its
            # dying stack trace) must not follow the one line.
            sys.stderr = open(os.devnull, "w", encoding="utf-8")
        return EXIT_INTERRUPTED


def entry_point() -> int:
    """`python main.py`: `main`, then a quiet exit. Once the outcome is reported a Ctrl-C has nothing left to stop;
    jsii's Node process (which the same Ctrl-C may have killed) is shut down here, where its broken pipe cannot
    print a traceback from an atexit hook."""
    code = EXIT_INTERRUPTED
    try:
        code = main(stop_runtime_when_written=True)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except KeyboardInterrupt:  # between main's last line and the line above
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    stop_node_runtime()
    return code


def _run(args: argparse.Namespace, run: _Run) -> int:
    if args.out == "":
        raise UsageError("--out is empty; allowed: a folder such as cdktf.out (`--out .` for the current folder)")
    paths = config_paths(args.config, os.environ.get(CONFIG_ENV), DEFAULT_CONFIG)
    outdir = Path(args.out or os.environ.get("CDKTF_OUTDIR") or "cdktf.out")
    check_output_directory(outdir)
    environments = read_environments(paths)
    if args.check_against is not None and len(environments) > 1:
        raise UsageError("--check-against names the previous synthesis of one stack; with several configs each "
                         "stack is compared with its own stacks/<stack_name>/cdk.tf.json in --out")
    if args.check:
        return _check(args, outdir, environments)
    _previous(args, outdir, environments)  # a bad previous synthesis is exit 2 before --out is created
    with OutputLock(outdir):  # from reading the previous syntheses to the last file written
        refuse_colliding_stacks(outdir, [env.stack_name for env in environments])
        with TerraformStateLocks([outdir / "stacks" / env.stack_name for env in environments]):
            pass  # Terraform working in a stack folder: refused before anything else is said
        previous = _previous(args, outdir, environments)  # again: no other run can write it meanwhile
        allow = args.allow_replace or os.environ.get(ALLOW_REPLACE_ENV) == "1"
        refuse_renamed_stacks(outdir, [env.config for env in environments], previous, allow)
        if run_by_cdktf_cli(args.out):
            refuse_cdktf_cli_removal(outdir, [env.stack_name for env in environments], allow)
        _notes(args, outdir, environments, previous)
        configs = [keep_provisioning_mode(keep_group_order(env.config, before), before)
                   for env, before in ((env, previous[env.stack_name]) for env in environments)]
        checks = {config.stack_name: guard(previous[config.stack_name], allow) for config in configs}
        _synthesize_holding_runtime_output(configs, outdir, checks, run.written)
    if run.stop_runtime_when_written:
        stop_node_runtime()
    from hyperpod.app.summary import summary

    print("\n".join(summary(config, run.written[config.stack_name]) for config in configs))
    return EXIT_OK


def _previous(args: argparse.Namespace, outdir: Path, environments: list) -> dict:
    """Each stack's previous synthesis (None on a first one)."""
    return {env.stack_name: load_previous(outdir, args.check_against, env.stack_name) for env in environments}


def _notes(args: argparse.Namespace, outdir: Path, environments: list, previous: dict) -> None:
    """What the user must know before the synthesis: a skipped comparison, and each config's warnings."""
    for env in environments:
        if previous[env.stack_name] is None:  # a user who expected a comparison must know there was none
            path = previous_stack_path(outdir, args.check_against, env.stack_name)
            print(f"note: no previous synthesis at {path}: change guard skipped", file=sys.stderr)
        for warning in env.warnings:
            print(f"{env.path}: {warning}", file=sys.stderr)


def _check(args: argparse.Namespace, outdir: Path, environments: list) -> int:
    refuse_colliding_stacks(outdir, [env.stack_name for env in environments])
    previous = _previous(args, outdir, environments)
    _notes(args, outdir, environments, previous)
    for env in environments:
        compared = "no previous synthesis" if previous[env.stack_name] is None else "previous synthesis readable"
        print(f"{env.path}: valid ({len(env.warnings)} warning(s); {compared}); nothing written")
    return EXIT_OK


def _synthesize_holding_runtime_output(configs: list, outdir: Path, checks: dict, written: dict) -> None:
    """jsii's Node runtime writes through sys.stderr, and a Ctrl-C reaches it too (the whole process group): dying,
    it complains about its broken channel. What it (and this process) writes meanwhile is held and passed on when
    synthesis ends; after Ctrl-C it is dropped for good, so the interrupt is reported in one line."""
    real = sys.stderr
    held = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace", write_through=True)
    sys.stderr = held
    interrupted = False
    try:
        synthesize_stacks(configs, outdir, checks, written)
    except KeyboardInterrupt as interrupt:
        interrupted = True
        interrupt.report_to = real  # sys.stderr stays `held`: the runtime's last words go nowhere
        raise
    finally:
        if not interrupted:
            sys.stderr = real
            real.write(held.buffer.getvalue().decode("utf-8", "backslashreplace"))
