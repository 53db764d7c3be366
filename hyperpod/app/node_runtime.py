"""jsii's Node process, which a synthesis runs beside this one: whether a Ctrl-C killed it, and shutting it down.

A Ctrl-C reaches the whole process group. Node may die (and its pipe close) before this process runs its own SIGINT
handler: the handler runs in whichever thread the kernel picked, and under load the main thread can read the closed
pipe first and fail on the empty reply. Node's exit status says what happened regardless of that order.
"""

from __future__ import annotations

import signal
import subprocess

from hyperpod.bindings.node import node_process


def killed_by_interrupt(error: BaseException) -> bool:
    """Whether `error` is how a Ctrl-C looks from here: jsii's Node process has ended by SIGINT. Only the symptoms of
    a dead Node (an empty reply is a ValueError, a broken pipe an OSError) wait, up to a second, for it to be
    reaped; any other error asks without waiting, so a refused change or a config error is never slowed."""
    process = node_process()
    if process is None:
        return False
    node = process._process
    try:
        code = node.wait(timeout=1.0) if isinstance(error, (ValueError, OSError)) else node.poll()
    except (subprocess.TimeoutExpired, OSError):
        return False
    return code == -signal.SIGINT


def stop_node_runtime() -> None:
    """Shut jsii's Node process down now, so its broken pipe (if the same Ctrl-C killed it) cannot print a traceback
    from an atexit hook."""
    process = node_process()
    if process is None:
        return
    node = process._process
    try:
        if node.poll() is not None and not node.stdin.closed:
            node.stdin.close()  # dead already: jsii's stop() must not write to it
    except OSError:
        pass
    try:
        process.stop()  # unregisters its atexit hook
    except (OSError, ValueError):
        pass
