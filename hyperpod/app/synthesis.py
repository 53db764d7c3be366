"""Synthesis behind the change guard: nothing is written unless the new stack is safe to deploy (or allowed)."""

from __future__ import annotations

import json
import signal
import sys
import tempfile
from pathlib import Path
from typing import Callable

from hyperpod.app.configs import UsageError

STACK_NAME = "hyperpod"
PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
# An output folder here would be uploaded as lifecycle scripts, picked up by tests or gates, or replace sources.
SOURCE_FOLDERS = ("hyperpod", "charts", "gates", "tests", "examples", "bench", "scripts", "tools", ".git")


class ChangeRefused(Exception):
    """The new synthesis would replace or break the running cluster."""


class WriteError(Exception):
    """The synthesis could not be written (disk full, I/O error, ...); what was there before is left as it was."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C; the message says whether anything was written."""


def check_output_directory(outdir: Path) -> None:
    """`UsageError` for an `--out` that cannot hold a synthesis: inside the project's sources, or not a folder."""
    try:
        resolved = outdir.resolve()
    except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop (Python 3.11)
        raise UsageError(f"--out {outdir}: cannot be resolved: {error}") from None
    if resolved == PROJECT_ROOT or any(resolved.is_relative_to(PROJECT_ROOT / folder) for folder in SOURCE_FOLDERS):
        raise UsageError(f"--out {outdir}: inside the project's sources ({PROJECT_ROOT}); allowed: a folder outside "
                         f"{', '.join(f + '/' for f in SOURCE_FOLDERS)} and the project root itself, e.g. cdktf.out")
    if outdir.exists() and not outdir.is_dir():
        raise UsageError(f"--out {outdir}: is a file, not a folder; allowed: a folder, new or from a synthesis")


def prepare_output_directory(outdir: Path) -> None:
    """Create `outdir` (if new): `UsageError` when that is impossible (below a file, in /proc, read-only)."""
    check_output_directory(outdir)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"--out {outdir}: cannot write there: {error.strerror or error}") from None


def previous_stack_path(outdir: Path, check_against: Path | None) -> Path:
    return check_against or outdir / "stacks" / STACK_NAME / "cdk.tf.json"


def load_previous(outdir: Path, check_against: Path | None) -> dict | None:
    """The previous synthesis to compare with, or None on a first synthesis."""
    from hyperpod.change_guard import PreviousSynthesisError
    from hyperpod.change_guard import load_previous as load

    path = previous_stack_path(outdir, check_against)
    if check_against is None and not path.exists():
        return None  # first synthesis, or an empty or different --out: the caller says so
    try:
        return load(path, STACK_NAME)
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


class _InterruptDeferred:
    """Ctrl-C waits until the block is done, so moving the synthesis into place is never cut in half."""

    def __enter__(self):
        self.received = False
        try:
            self.previous = signal.signal(signal.SIGINT, self._note)
        except ValueError:  # not the main thread: signals go elsewhere, nothing to defer
            self.previous = None
        return self

    def _note(self, *_) -> None:
        self.received = True

    def __exit__(self, *exc) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def _move_into_place(scratch: Path, outdir: Path) -> None:
    """Each item of the new synthesis replaces its old version; on an error every old version is put back."""
    backup = scratch / ".previous"
    backup.mkdir()
    moved: list[tuple[Path, Path | None]] = []
    try:
        for item in sorted(p for p in scratch.iterdir() if p != backup):
            target = outdir / item.name
            kept = None
            if target.exists() or target.is_symlink():
                kept = backup / item.name
                target.replace(kept)
            moved.append((target, kept))
            item.replace(target)
    except OSError:
        for target, kept in reversed(moved):
            if target.exists() and kept is not None:
                target.replace(scratch / f".failed-{target.name}")
            if kept is not None:
                kept.replace(target)
        raise


def synthesize(config, outdir: Path, check: Callable[[dict], None] | None = None) -> Path:
    """Synthesize into a scratch folder beside `outdir`, then move it into place: never a half-written stack.
    `check(new_json)` may raise to stop before anything is moved. `UsageError` when `outdir` cannot be used,
    `WriteError` when writing fails, `Interrupted` on Ctrl-C."""
    from cdktf import App
    from jsii.errors import JSIIError

    from hyperpod.lifecycle_scripts import shipped_scripts
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
    written = outdir / "stacks" / STACK_NAME / "cdk.tf.json"
    try:
        with scratch_folder as scratch:
            try:
                app = App(outdir=scratch)
                HyperPodStack(app, STACK_NAME, config=config, lifecycle_scripts=scripts)
                try:
                    app.synth()
                except JSIIError as error:  # node writes the files: its I/O errors (ENOSPC, EIO) arrive so
                    raise WriteError(f"--out {outdir}: writing the synthesis failed ({str(error).splitlines()[0]}); "
                                     "what was there before is unchanged") from None
                if check is not None:
                    check(json.loads((Path(scratch) / "stacks" / STACK_NAME / "cdk.tf.json").read_text()))
            except KeyboardInterrupt:
                raise Interrupted("interrupted: nothing was written") from None
            with _InterruptDeferred() as deferred:
                _move_into_place(Path(scratch), outdir)
            if deferred.received:
                raise Interrupted(f"interrupted after the synthesis was written to {written}")
    except OSError as error:
        raise WriteError(f"--out {outdir}: writing the synthesis failed ({error.strerror or error}); what was there "
                         "before is unchanged") from None
    return written
