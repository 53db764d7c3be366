"""Synthesis behind the change guard: one App, one stack per config, nothing written unless every stack is safe to
deploy (or allowed), and then only the files the synthesis owns, each replaced in place (see `owned_files`)."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable, Mapping

from hyperpod.app.configs import UsageError
from hyperpod.app.node_runtime import killed_by_interrupt
from hyperpod.app.output import Interrupted, InterruptDeferred, OutputLock, WriteError
from hyperpod.app.owned_files import SCRATCH_PREFIX, PartlyWritten, clear_leftovers, write_owned_files
from hyperpod.app.previous import ChangeRefused
from hyperpod.app.terraform_lock import TerraformStateLocks


def synthesize(config, outdir: Path, check: Callable[[dict], None] | None = None) -> Path:
    """Synthesize one config's stack; see `synthesize_stacks`."""
    checks = {config.stack_name: check} if check is not None else {}
    return synthesize_stacks([config], outdir, checks)[config.stack_name]


def synthesize_stacks(configs: list, outdir: Path, checks: Mapping[str, Callable[[dict], None]],
                      written_to: dict[str, Path] | None = None) -> dict[str, Path]:
    """Synthesize into a scratch folder inside `outdir` (holding its lock), then write the files this synthesis owns
    into place. `checks[stack_name](new_json)` may raise `ChangeRefused`; every stack is checked before anything is
    written, so a refused change in one environment writes nothing for any. `UsageError` when `outdir` cannot be
    used, another run holds it or Terraform holds a stack's state; `WriteError` when writing fails; `Interrupted`
    on Ctrl-C (its message says whether the synthesis was written). `written_to`, if given, receives each stack's
    file the moment the files are in place, so a caller interrupted later still knows."""
    from hyperpod.bindings.node import SwitchError, lazy_provider_modules
    from hyperpod.runtime import RuntimeUnavailable

    try:  # the CDK runtime is chosen (hyperpod.runtime) and importable before anything is touched; importing it
        # starts jsii's Node, which then loads only the provider modules the stack uses (hyperpod/bindings/node.py)
        with lazy_provider_modules():
            from hyperpod.runtime.core import App  # noqa: F401
    except (RuntimeUnavailable, SwitchError) as unavailable:
        raise UsageError(str(unavailable)) from None
    from hyperpod.lifecycle_bucket import shipped_scripts

    try:
        scripts = shipped_scripts()
    except OSError as error:  # a broken installation: one line, not a traceback
        raise UsageError(str(error)) from None
    names = [config.stack_name for config in configs]
    stack_folders = [outdir / "stacks" / name for name in names]
    written_to = {} if written_to is None else written_to
    with OutputLock(outdir):
        with TerraformStateLocks(stack_folders):  # refuse before the work when Terraform is busy there
            pass
        try:
            clear_leftovers(outdir, names)
            scratch = Path(tempfile.mkdtemp(dir=outdir, prefix=SCRATCH_PREFIX))
        except OSError as error:
            raise UsageError(f"--out {outdir}: cannot write there: {error.strerror or error}") from None
        try:
            stacks = _synthesize_in(scratch, configs, scripts, checks, outdir)
        except BaseException:
            # A Ctrl-C that Python notes late (its handler runs in whichever thread the kernel picked) must not cut
            # the clean-up short and leave the scratch folder behind.
            with InterruptDeferred():
                shutil.rmtree(scratch, ignore_errors=True)
            raise
        written = {name: _stack_file(outdir / "stacks" / name, scratch / "stacks" / name) for name in stacks}
        with InterruptDeferred() as deferred:  # from the first file written to the end: reported as written
            try:
                with TerraformStateLocks(stack_folders):
                    notes = write_owned_files(scratch, outdir, names)
                written_to.update(written)
            except PartlyWritten as error:
                replaced = ", ".join(str(path) for path in error.replaced)
                raise WriteError(f"--out {outdir}: writing the synthesis failed ({error.strerror or error}) after "
                                 f"replacing {replaced}; every other file is as before") from None
            except OSError as error:
                raise WriteError(f"--out {outdir}: writing the synthesis failed ({error.strerror or error}); what "
                                 "was there before is unchanged") from None
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            for note in notes:
                print(f"note: {note}", file=sys.stderr)
    if deferred.received:
        raise Interrupted(f"interrupted after the synthesis was written to {', '.join(map(str, written.values()))}")
    return written


def _synthesize_in(scratch: Path, configs: list, scripts, checks: Mapping, outdir: Path) -> dict:
    """The App's synthesis in `scratch`, every stack checked; the stacks by name."""
    from jsii.errors import JSIIError

    # Ctrl-C reaches the whole process group: jsii's node process may die before Python sees the signal, so the
    # interrupt is only noted here and wins over whatever error node's death causes. That includes loading the
    # bindings: importing one sends its assembly to node, and a node killed meanwhile leaves an empty reply (seen
    # as a JSONDecodeError traceback when the imports stood before this block).
    with InterruptDeferred() as synthesis_interrupt:
        try:
            from hyperpod.runtime.core import App
            from hyperpod.stack import HyperPodStack

            app = App(outdir=str(scratch))
            stacks = {config.stack_name: HyperPodStack(app, config.stack_name, config=config,
                                                       lifecycle_scripts=scripts) for config in configs}
            app.synth()
            if not synthesis_interrupt.received:
                _check_every_stack(scratch, stacks, checks)
        except (Exception, KeyboardInterrupt) as error:
            if synthesis_interrupt.received or isinstance(error, KeyboardInterrupt) or killed_by_interrupt(error):
                raise Interrupted("interrupted: nothing was written") from None
            if isinstance(error, JSIIError):  # node writes the files: its I/O errors (ENOSPC, EIO) arrive so
                raise WriteError(f"--out {outdir}: writing the synthesis failed ({str(error).splitlines()[0]}); "
                                 "what was there before is unchanged") from None
            raise
    if synthesis_interrupt.received:
        raise Interrupted("interrupted: nothing was written")
    return stacks


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
