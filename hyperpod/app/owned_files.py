"""The files a synthesis owns in the output folder: written in place one by one, and recorded.

Each file is first written whole to a temporary file in its destination folder (a rename never crosses folders, so
never file systems: an output folder may be a mount point or a container volume), and only when every file is
written are they renamed over the old ones. Everything else in the folder is the user's or Terraform's and stays.
`.hyperpod-synthesis.json` records what was written, with a SHA-256 of each file: a later synthesis removes a file
it no longer writes (cdk.tf.json after a switch to HCL output, a dropped asset) only when the record names it and it
is unchanged since, so a user's file is never taken for ours.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import tempfile
from pathlib import Path, PurePosixPath

RECORD = ".hyperpod-synthesis.json"
SCRATCH_PREFIX = ".hyperpod-scratch-"
PARTIAL_SUFFIX = ".hyperpod-partial"
_PARTIAL = re.compile(r"^\..+\.[a-z0-9_]+" + re.escape(PARTIAL_SUFFIX) + "$")  # tempfile.mkstemp's names
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


class PartlyWritten(OSError):
    """Renaming the written files into place failed after some had been replaced (they are listed)."""

    def __init__(self, error: OSError, replaced: list[Path]):
        super().__init__(error.errno, error.strerror)
        self.replaced = replaced


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def synthesized_files(scratch: Path) -> list[str]:
    """The files CDKTF wrote, relative to its output folder; manifest.json last (it names the stacks' files)."""
    files = [p.relative_to(scratch).as_posix() for p in scratch.rglob("*") if p.is_file() and not p.is_symlink()]
    return sorted(files, key=lambda rel: (rel == "manifest.json", rel))


def clear_leftovers(outdir: Path, stacks: list[str]) -> None:
    """Scratch folders and temporary files of a run that was killed. Only called under the output folder's lock, so
    no running synthesis owns them; the names are this module's, never a user's."""
    for scratch in outdir.glob(SCRATCH_PREFIX + "*"):
        if scratch.is_dir() and not scratch.is_symlink():
            shutil.rmtree(scratch, ignore_errors=True)
    for folder in [outdir, *(outdir / "stacks" / name for name in stacks)]:
        if folder.is_dir():
            for entry in folder.iterdir():
                if _PARTIAL.match(entry.name) and (entry.is_symlink() or entry.is_file()):
                    entry.unlink(missing_ok=True)


def read_record(outdir: Path) -> tuple[dict[str, str], str | None]:
    """The files the last syntheses wrote and their digests, and a note when the record is not usable (it is input
    from disk like any other: an unusable one removes nothing)."""
    path = outdir / RECORD
    if not path.exists():
        return {}, None
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        document = None
    files = document.get("files") if isinstance(document, dict) else None
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        return {}, f"{path}: not a record of a synthesis; no file of an earlier synthesis was removed"
    return files, None


def _stack_of(rel: str) -> str | None:
    """The stack folder a recorded path lies in, or None for a path that is not plainly inside one."""
    parts = PurePosixPath(rel).parts
    if rel != PurePosixPath(rel).as_posix() or rel.startswith("/") or any(p in ("..", ".") for p in parts):
        return None
    return parts[1] if len(parts) >= 3 and parts[0] == "stacks" else None


def _stage(source: Path, target: Path, created: list[Path]) -> Path:
    """`source`'s bytes in a new temporary file beside `target`, flushed to disk."""
    missing = [folder for folder in [target.parent, *target.parent.parents] if not os.path.lexists(folder)]
    for folder in reversed(missing):
        folder.mkdir()  # an existing folder (or a link to one) is used as it is
        created.append(folder)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=PARTIAL_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(source.read_bytes())
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, stat.S_IMODE(os.stat(source).st_mode))  # what CDKTF gave it under the user's umask
    except BaseException:
        os.unlink(temporary)
        raise
    return Path(temporary)


def _keep_old(target: Path, created: list[Path]) -> Path | None:
    """A second name for the current `target` (a hard link, else a copy) in its folder, to put back on failure."""
    backup = target.with_name(f".{target.name}.{secrets.token_hex(4)}{PARTIAL_SUFFIX}")
    if os.path.islink(target):
        os.symlink(os.readlink(target), backup)
        return backup
    if not os.path.isfile(target):
        return None
    try:
        os.link(target, backup)
    except OSError:  # a file system without hard links
        return _stage(target, target, created)
    return backup


def _replace_all(pairs: list[tuple[Path, Path]]) -> None:
    """Write every (source, target) to a temporary file beside its target, then rename them all into place. Any
    failure leaves every target as it was (the old versions keep a second name until the end); `PartlyWritten` only
    when even putting them back failed."""
    staged: list[tuple[Path, Path, Path | None]] = []  # (new version, target, old version)
    created: list[Path] = []
    replaced: list[tuple[Path, Path | None]] = []
    done = False
    try:
        for source, target in pairs:
            new = _stage(source, target, created)
            staged.append((new, target, None))
            staged[-1] = (new, target, _keep_old(target, created))
        for new, target, old in staged:
            os.replace(new, target)  # the same folder: atomic, and never across devices
            replaced.append((target, old))
        done = True
    except BaseException as error:
        _put_back(replaced, error)
        raise
    finally:
        for new, _, old in staged:
            for leftover in (new, old):
                if leftover is not None:
                    leftover.unlink(missing_ok=True)
        if not done:
            for folder in reversed(created):
                try:
                    folder.rmdir()
                except OSError:
                    pass


def _put_back(replaced: list[tuple[Path, Path | None]], error: BaseException) -> None:
    try:
        for target, old in reversed(replaced):
            if old is None:
                target.unlink(missing_ok=True)
            else:
                os.replace(old, target)
    except OSError:
        cause = error if isinstance(error, OSError) else OSError(0, str(error))
        raise PartlyWritten(cause, [target for target, _ in replaced]) from None


def _remove_unchanged(outdir: Path, rel: str, digest: str) -> str | None:
    """Remove a file an earlier synthesis wrote if it is as written; a note when it was kept because it changed."""
    path = outdir.joinpath(*PurePosixPath(rel).parts)
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        if _digest(path) != digest:
            return f"{path}: written by an earlier synthesis and changed since; kept"
        path.unlink()
    except FileNotFoundError:
        return None
    stack_folder = outdir / "stacks" / PurePosixPath(rel).parts[1]
    for folder in path.parents:  # folders the file needed, while they are empty
        if folder == stack_folder:
            break
        try:
            folder.rmdir()
        except OSError:
            break
    return None


def write_owned_files(scratch: Path, outdir: Path, stacks: list[str]) -> list[str]:
    """Put a synthesis from `scratch` into `outdir` (see the module's text); notes for the user."""
    files = synthesized_files(scratch)
    record, note = read_record(outdir)
    notes = [note] if note else []
    _replace_all([(scratch / rel, outdir / rel) for rel in files])
    written = set(files)
    for rel, digest in sorted(record.items()):
        if rel not in written and _stack_of(rel) in stacks and _DIGEST.match(digest):
            kept = _remove_unchanged(outdir, rel, digest)
            if kept:
                notes.append(kept)
    others = {rel: digest for rel, digest in record.items()
              if _stack_of(rel) is not None and _stack_of(rel) not in stacks and _DIGEST.match(digest)}
    document = {"about": "Files the HyperPod app wrote here, and their SHA-256; a later synthesis removes only these "
                         "(when unchanged). Everything else in this folder is kept.",
                "files": dict(sorted({**others, **{rel: _digest(scratch / rel) for rel in files}}.items()))}
    record_source = scratch / RECORD
    record_source.write_text(json.dumps(document, indent=2) + "\n")
    _replace_all([(record_source, outdir / RECORD)])
    return notes
