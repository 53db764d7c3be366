"""Synthesis behind the change guard: one App, one stack per config, nothing written unless every stack is safe to
deploy (or allowed), and then written in one step."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Callable, Mapping

from hyperpod.app.configs import UsageError
from hyperpod.app.output import Interrupted, InterruptDeferred, WriteError, move_into_place, prepare_output_directory
from hyperpod.app.previous import ChangeRefused


def synthesize(config, outdir: Path, check: Callable[[dict], None] | None = None) -> Path:
    """Synthesize one config's stack; see `synthesize_stacks`."""
    checks = {config.stack_name: check} if check is not None else {}
    return synthesize_stacks([config], outdir, checks)[config.stack_name]


def synthesize_stacks(configs: list, outdir: Path, checks: Mapping[str, Callable[[dict], None]]) -> dict[str, Path]:
    """Synthesize into a scratch folder beside `outdir`, then move it into place: never a half-written output.
    `checks[stack_name](new_json)` may raise `ChangeRefused`; every stack is checked before anything moves, so a
    refused change in one environment writes nothing for any. `UsageError` when `outdir` cannot be used,
    `WriteError` when writing fails, `Interrupted` on Ctrl-C."""
    from hyperpod.runtime import RuntimeUnavailable

    try:
        from hyperpod.runtime.core import App
    except RuntimeUnavailable as unavailable:
        raise UsageError(str(unavailable)) from None
    from jsii.errors import JSIIError

    from hyperpod.lifecycle_bucket import shipped_scripts
    from hyperpod.stack import HyperPodStack

    try:
        scripts = shipped_scripts()
    except OSError as error:  # a broken installation: one line, not a traceback
        raise UsageError(str(error)) from None
    prepare_output_directory(outdir)
    try:
        scratch_folder = tempfile.TemporaryDirectory(dir=outdir.parent, prefix=f".{outdir.name}.")
    except OSError as error:
        raise UsageError(f"--out {outdir}: cannot write there: {error.strerror or error}") from None
    try:
        with scratch_folder as scratch:
            # Ctrl-C reaches the whole process group: jsii's node process may die before Python sees the signal,
            # so the interrupt is only noted here and wins over whatever error node's death causes.
            with InterruptDeferred() as synthesis_interrupt:
                try:
                    app = App(outdir=scratch)
                    stacks = {config.stack_name: HyperPodStack(app, config.stack_name, config=config,
                                                               lifecycle_scripts=scripts) for config in configs}
                    app.synth()
                    if not synthesis_interrupt.received:
                        _check_every_stack(Path(scratch), stacks, checks)
                except (Exception, KeyboardInterrupt) as error:
                    if synthesis_interrupt.received or isinstance(error, KeyboardInterrupt):
                        raise Interrupted("interrupted: nothing was written") from None
                    if isinstance(error, JSIIError):  # node writes the files: its I/O errors (ENOSPC, EIO) arrive so
                        raise WriteError(f"--out {outdir}: writing the synthesis failed ({str(error).splitlines()[0]}"
                                         "); what was there before is unchanged") from None
                    raise
            if synthesis_interrupt.received:
                raise Interrupted("interrupted: nothing was written")
            written = {name: _stack_file(outdir / "stacks" / name, Path(scratch) / "stacks" / name)
                       for name in stacks}
            with InterruptDeferred() as deferred:
                move_into_place(Path(scratch), outdir)
            if deferred.received:
                paths = ", ".join(str(path) for path in written.values())
                raise Interrupted(f"interrupted after the synthesis was written to {paths}")
    except OSError as error:
        raise WriteError(f"--out {outdir}: writing the synthesis failed ({error.strerror or error}); what was there "
                         "before is unchanged") from None
    return written


def _check_every_stack(scratch: Path, stacks: dict, checks: Mapping[str, Callable[[dict], None]]) -> None:
    refusals = []
    for name, check in checks.items():
        try:
            check(_synthesized_json(scratch, stacks[name]))
        except ChangeRefused as refused:
            refusals.append(f"stack {name}: {refused}" if len(stacks) > 1 else str(refused))
    if refusals:
        raise ChangeRefused("\n".join(refusals))


def _synthesized_json(scratch: Path, stack) -> dict:
    path = scratch / "stacks" / stack.node.id / "cdk.tf.json"
    if path.exists():
        return json.loads(path.read_text())
    # `cdktf synth --hcl` (SYNTH_HCL_OUTPUT) writes cdk.tf instead: the guard compares the stack's JSON form.
    return json.loads(json.dumps(stack.to_terraform()))


def _stack_file(directory: Path, synthesized: Path) -> Path:
    return directory / ("cdk.tf.json" if (synthesized / "cdk.tf.json").exists() else "cdk.tf")
