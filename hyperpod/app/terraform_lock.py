"""Terraform's own lock on a local state, seen from a synthesis that is about to write beside it.

With the local backend, Terraform (1.11, internal/states/statemgr/filesystem_lock_unix.go) locks the state file for
a whole plan or apply with an fcntl write lock on the entire file (F_SETLK) and describes the holder in
`.<state file>.lock.info` beside it (removed on unlock; left behind by a killed terraform, whose fcntl lock went with
the process). So the fcntl lock decides, and the info file only names who holds it. A synthesis asks for a shared
lock on each state file in the stack folders it writes (never waiting, never taking Terraform's): refused means
Terraform is working there. Held while the files are written, it also keeps a terraform that starts meanwhile from
locking the state until they are all in place (that terraform reports the state as locked and can be run again).
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

from hyperpod.app.configs import UsageError


def state_files(stack_folder: Path) -> list[Path]:
    """The local states Terraform may keep in a stack folder: the default workspace's and each workspace's."""
    if not stack_folder.is_dir():
        return []
    return sorted(stack_folder.glob("*.tfstate")) + sorted(stack_folder.glob("terraform.tfstate.d/*/*.tfstate"))


def _printable(value: object) -> str:
    text = "".join(c for c in str(value) if c.isprintable())
    return text if len(text) <= 80 else text[:77] + "..."


def _holder(state: Path) -> str:
    info = state.with_name(f".{state.name}.lock.info")
    try:
        with open(info, "rb") as file:
            document = json.loads(file.read(65536))
    except (OSError, ValueError, RecursionError):
        document = None
    if not isinstance(document, dict):
        return f"no lock information in {info}"
    operation, who, created = (_printable(document.get(key, "?")) for key in ("Operation", "Who", "Created"))
    return f"{info}: {operation} by {who} since {created}"


class TerraformStateLocks:
    """Shared fcntl locks on every local state in `stack_folders` while the block runs; `UsageError` (exit 2), naming
    the state and its lock information, when Terraform holds one."""

    def __init__(self, stack_folders: list[Path]):
        self.stack_folders = stack_folders
        self._fds: list[int] = []

    def __enter__(self) -> TerraformStateLocks:
        import fcntl

        try:
            for state in (s for folder in self.stack_folders for s in state_files(folder)):
                try:
                    fd = os.open(state, os.O_RDONLY | os.O_CLOEXEC)
                except OSError:  # gone meanwhile, or not ours to read: nothing Terraform can hold against us
                    continue
                self._fds.append(fd)
                try:
                    fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except OSError as error:
                    if error.errno not in (errno.EACCES, errno.EAGAIN):
                        continue  # a file system without locks: nothing to learn
                    raise UsageError(f"Terraform holds the lock on {state} ({_holder(state)}); run again when it "
                                     "has finished; nothing was written") from None
        except BaseException:
            self._release()
            raise
        return self

    def _release(self) -> None:
        for fd in self._fds:
            os.close(fd)  # closing releases this process's fcntl lock on the file
        self._fds = []

    def __exit__(self, *exc) -> None:
        self._release()
