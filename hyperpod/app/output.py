"""The output folder: where a synthesis may go, and moving a finished synthesis into place in one step.

Terraform works inside each stack's folder (`cdktf.out/stacks/<stack>/`): its providers (`.terraform/`), lock file,
the chart the plan fetched and, with the local backend, the state itself live there. A new synthesis replaces what
CDKTF wrote and carries Terraform's files over, so re-synthesizing never loses a deployment's state; stacks the run
did not synthesize keep their folders.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import signal
from pathlib import Path

from hyperpod.app.configs import UsageError

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
# An output folder here would be uploaded as lifecycle scripts, picked up by tests or gates, or replace sources.
SOURCE_FOLDERS = ("hyperpod", "lifecycle_scripts", "charts", "gates", "tests", "examples", "bench", "scripts", "tools",
                  "docs", ".git")
# What Terraform (and the chart fetch) leave in a stack folder; never written by CDKTF, so never replaced by it.
TERRAFORM_WORKING_FILES = (".terraform", ".terraform.lock.hcl", ".hyperpod-chart", "*.tfstate", "*.tfstate.*",
                           "terraform.tfstate.d")


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


class InterruptDeferred:
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


def _is_terraform_working_file(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in TERRAFORM_WORKING_FILES)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)  # same file system (the scratch folder sits beside --out): instant, no extra space
    except OSError:
        shutil.copy2(source, target)


def _copy_entry(entry: Path, target: Path) -> None:
    if entry.is_symlink():
        os.symlink(os.readlink(entry), target)
    elif entry.is_dir():
        shutil.copytree(entry, target, symlinks=True, copy_function=_link_or_copy)
    else:
        _link_or_copy(str(entry), str(target))


def carry_terraform_files(outdir: Path, scratch: Path) -> None:
    """Give each new stack folder the Terraform files of its previous synthesis, and keep the folders of stacks this
    run did not synthesize (another environment's state must not vanish because it was left off the command line).
    Hard links (or copies): the old folders stay whole until the swap succeeds, so a failed write restores them."""
    old_stacks, new_stacks = outdir / "stacks", scratch / "stacks"
    if not new_stacks.is_dir() or not old_stacks.is_dir() or old_stacks.is_symlink():
        return
    for old in sorted(p for p in old_stacks.iterdir() if p.is_dir() and not p.is_symlink()):
        new = new_stacks / old.name
        if not new.exists():
            _copy_entry(old, new)
            continue
        for entry in sorted(old.iterdir()):
            if _is_terraform_working_file(entry.name) and not (new / entry.name).exists():
                _copy_entry(entry, new / entry.name)


def move_into_place(scratch: Path, outdir: Path) -> None:
    """Each item of the new synthesis replaces its old version; on an error every old version is put back."""
    carry_terraform_files(outdir, scratch)
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
