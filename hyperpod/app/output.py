"""The output folder: where a synthesis may go, and one run at a time in it.

The folder is the user's too: Terraform works inside each stack's folder (`cdktf.out/stacks/<stack>/`), where its
providers (`.terraform/`), lock file, saved plans, override files and, with the local backend, the state itself
live. A synthesis therefore never replaces a folder: `owned_files` replaces only the files it wrote, one by one.
While it runs it holds `.hyperpod.lock` in the output folder (an exclusive flock), so two runs cannot interleave.
"""

from __future__ import annotations

import errno
import os
import signal
from pathlib import Path

from hyperpod.app.configs import UsageError

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
# An output folder here would be uploaded as lifecycle scripts, picked up by tests or gates, or replace sources.
SOURCE_FOLDERS = ("hyperpod", "lifecycle_scripts", "charts", "gates", "tests", "examples", "bench", "scripts", "tools",
                  "docs", ".git")
LOCK_FILE = ".hyperpod.lock"


class WriteError(Exception):
    """The synthesis could not be written (disk full, I/O error, ...); the message says what was left as it was."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C; the message says whether anything was written."""


def _unusable(outdir: Path, error: OSError) -> UsageError:
    if error.errno == errno.ENAMETOOLONG:
        return UsageError(f"--out {outdir}: a name in the path is longer than the file system allows "
                          f"({error.strerror})")
    return UsageError(f"--out {outdir}: cannot write there: {error.strerror or error}")


def check_output_directory(outdir: Path) -> None:
    """`UsageError` for an `--out` that cannot hold a synthesis: inside the project's sources, not a folder, or a
    path the file system refuses (a name longer than 255 bytes)."""
    try:
        resolved = outdir.resolve()
        is_file = outdir.exists() and not outdir.is_dir()
    except RuntimeError as error:  # a symlink loop (Python 3.11)
        raise UsageError(f"--out {outdir}: cannot be resolved: {error}") from None
    except OSError as error:
        raise _unusable(outdir, error) from None
    if resolved == PROJECT_ROOT or any(resolved.is_relative_to(PROJECT_ROOT / folder) for folder in SOURCE_FOLDERS):
        raise UsageError(f"--out {outdir}: inside the project's sources ({PROJECT_ROOT}); allowed: a folder outside "
                         f"{', '.join(f + '/' for f in SOURCE_FOLDERS)} and the project root itself, e.g. cdktf.out")
    if is_file:
        raise UsageError(f"--out {outdir}: is a file, not a folder; allowed: a folder, new or from a synthesis")


def prepare_output_directory(outdir: Path) -> None:
    """Create `outdir` (if new): `UsageError` when that is impossible (below a file, in /proc, read-only)."""
    check_output_directory(outdir)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _unusable(outdir, error) from None


_held: dict[str, int] = {}  # output folder -> how many nested holders in this process


class OutputLock:
    """The output folder for one run: an exclusive, non-blocking flock on `<outdir>/.hyperpod.lock`, held until the
    block ends (the kernel drops it when the process dies, so a killed run never leaves the folder locked). Nested
    use in one process (the CLI, then `synthesize_stacks`) shares the lock. `UsageError` when another run holds it.
    The file stays: removing a lock file lets a third run lock a new file while the second still holds the old."""

    def __init__(self, outdir: Path):
        self.outdir = outdir
        self.path = outdir / LOCK_FILE
        self._key = os.path.realpath(outdir)
        self._fd: int | None = None

    def __enter__(self) -> OutputLock:
        import fcntl

        if self._key in _held:
            _held[self._key] += 1
            return self
        prepare_output_directory(self.outdir)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as error:
            raise _unusable(self.outdir, error) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            os.close(fd)
            if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise _unusable(self.outdir, error) from None
            raise UsageError(f"--out {self.outdir}: another synthesis is writing this output folder (it holds "
                             f"{self.path}); run again when it has finished; nothing was written") from None
        self._fd = fd
        _held[self._key] = 1
        return self

    def __exit__(self, *exc) -> None:
        _held[self._key] -= 1
        if _held[self._key] == 0:
            del _held[self._key]
            if self._fd is not None:
                os.close(self._fd)  # closing the only descriptor releases the flock
                self._fd = None


class InterruptDeferred:
    """Ctrl-C waits until the block is done, so writing the synthesis is never cut in half."""

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
