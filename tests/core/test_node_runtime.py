"""A Ctrl-C that kills jsii's Node process before this process runs its SIGINT handler is still an interrupt: under
load the main thread can read Node's closed pipe (an empty reply, a JSONDecodeError) before the handler runs in
another thread. Node's exit status decides, and only the symptoms of a dead Node wait for it."""

from __future__ import annotations

import json
import signal
import subprocess

import pytest

from hyperpod.app import node_runtime, synthesis
from hyperpod.app.output import Interrupted
from tests.conftest import minimal_config


class FakeRuntime:
    """What jsii's provider memoizes: an object holding the Node `subprocess.Popen` as `_process`."""

    def __init__(self, process: subprocess.Popen):
        self._process = process


def sleeper() -> subprocess.Popen:
    # SIGINT's default action in the stand-in, as in a terminal's Node: a shell's background job (nohup, `&`) passes
    # SIGINT on ignored, and an ignoring stand-in would never die.
    return subprocess.Popen(["sleep", "60"], preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def interrupted(process: subprocess.Popen) -> None:
    """Ctrl-C reaches Node, which dies: its pipe closes as it exits, so by the empty reply it is gone or going."""
    process.send_signal(signal.SIGINT)
    process.wait(timeout=60)


@pytest.fixture
def node(monkeypatch):
    started = []

    def use(process: subprocess.Popen) -> subprocess.Popen:
        started.append(process)
        monkeypatch.setattr(node_runtime, "node_process", lambda: FakeRuntime(process))
        return process

    yield use
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()


def test_a_node_killed_by_sigint_is_an_interrupt(node):
    interrupted(node(sleeper()))
    assert node_runtime.killed_by_interrupt(json.JSONDecodeError("Expecting value", "", 0))


def test_a_node_that_ended_otherwise_is_not(node):
    node(subprocess.Popen(["sh", "-c", "exit 3"])).wait(timeout=60)
    assert not node_runtime.killed_by_interrupt(json.JSONDecodeError("Expecting value", "", 0))


def test_a_running_node_and_an_unrelated_error_do_not_wait(node, monkeypatch):
    process = node(sleeper())
    waited = []
    monkeypatch.setattr(process, "wait", lambda timeout=None: waited.append(timeout))
    assert not node_runtime.killed_by_interrupt(RuntimeError("a refused change"))
    assert waited == []  # poll only: a refused change or a config error is never slowed


def test_no_node_is_no_interrupt(monkeypatch):
    monkeypatch.setattr(node_runtime, "node_process", lambda: None)
    assert not node_runtime.killed_by_interrupt(json.JSONDecodeError("Expecting value", "", 0))


def test_the_synthesis_reports_it_as_nothing_written(node, monkeypatch, tmp_path):
    """The race itself, made certain: the app fails on the empty reply and this process never sees SIGINT."""
    from hyperpod.config import parse_config
    from hyperpod.runtime import core

    interrupted(node(sleeper()))

    def dead_node(*_, **__):
        raise json.JSONDecodeError("Expecting value", "", 0)

    monkeypatch.setattr(core, "App", dead_node)
    config, _ = parse_config(minimal_config())
    with pytest.raises(Interrupted, match="^interrupted: nothing was written$"):
        synthesis._synthesize_in(tmp_path, [config], {"on_create.sh": "#!/bin/bash\n"}, {}, tmp_path)
