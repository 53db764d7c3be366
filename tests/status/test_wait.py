"""`hyperpod-status wait`: polls real servers until healthy, times out naming what is missing."""

import json
import os
import pty
import re
import subprocess
import sys
import time

import pytest

from hyperpod.status.checks import Check, Evaluation
from hyperpod.commands.errors import Unreachable
from hyperpod.status.waiting import format_duration, wait_until_healthy
from tests.status.conftest import REGION, free_port, healthy_kubernetes
from tests.status.test_sagemaker_side import run

GROUPS = {"worker": 2}


@pytest.fixture
def checking(clusters, kube):
    """A cluster whose second node is still in its deep health check."""
    name = clusters.create(GROUPS)
    healthy_kubernetes(kube, name, GROUPS,
                       {("worker", 1): {"health": "Unschedulable", "deep": "InProgress"}})
    return name


def finish_deep_health_check_at_poll(kube, cluster, poll: int) -> None:
    """The deep health check passes as of the `poll`-th node list: ordered by polls, not by a timer racing them."""
    with kube.state.lock:
        checking = kube.state.nodes
    healthy_kubernetes(kube, cluster, GROUPS)
    with kube.state.lock:
        kube.state.nodes_from_poll = (poll, kube.state.nodes)
        kube.state.nodes = checking


def node_polls(kube) -> int:
    return sum(path.startswith("/api/v1/nodes") for path in kube.state.requests)


def waited_seconds(err: str, verb: str) -> int:
    match = re.match(rf"hyperpod-status: {verb} after (\d+)s", err)
    assert match, err
    return int(match.group(1))


def test_wait_returns_zero_once_deep_health_checks_pass(checking, kube, capsys):
    finish_deep_health_check_at_poll(kube, checking, poll=3)

    # The timeout is a safety net only: the wait ends on the third poll, however slow the machine is.
    code, out, err = run(capsys, "wait", checking, "--region", REGION, "--kubeconfig", kube.kubeconfig,
                         "--timeout", "10m", "--interval", "0.05s", "--json")

    assert code == 0, err
    assert json.loads(out)["verdict"] == "healthy"
    assert node_polls(kube) == 3  # it polled until the change landed, and stopped at once
    assert err == ""  # no progress lines when stderr is not a terminal


def test_wait_times_out_naming_what_is_missing(checking, kube, capsys):
    started = time.monotonic()

    code, out, err = run(capsys, "wait", checking, "--region", REGION, "--kubeconfig", kube.kubeconfig,
                         "--timeout", "1s", "--interval", "0.25s")

    # Lower bounds only: a loaded machine may take longer, never shorter.
    assert code == 1
    assert time.monotonic() - started >= 1
    assert waited_seconds(err, "timed out") >= 1
    assert node_polls(kube) >= 1
    assert ": PROGRESSING" in out
    assert err.count("\n") == 1
    assert re.sub(r"after \d+s", "after Ns", err).startswith(
        "hyperpod-status: timed out after Ns; still missing: kubernetes: group worker "
        "(pending: 2 nodes, 2 Ready; 1 Schedulable, 1 Unschedulable;")


def test_wait_gives_up_at_once_on_a_failed_cluster(clusters, kube, capsys):
    name = clusters.create(GROUPS, tags={"test:ClusterStatus": "Failed",
                                         "test:FailureMessage": "capacity unavailable"})
    healthy_kubernetes(kube, name, GROUPS)

    code, _, err = run(capsys, "wait", name, "--region", REGION, "--kubeconfig", kube.kubeconfig,
                       "--timeout", "1h")

    assert code == 1
    assert node_polls(kube) <= 1  # "at once": after the first poll, not at the deadline
    assert err.startswith("hyperpod-status: gave up after ")
    assert err.endswith("s: cluster is Failed: capacity unavailable\n") and err.count("\n") == 1


def test_wait_with_min_schedulable_does_not_wait_for_stragglers(checking, kube, capsys):
    code, out, _ = run(capsys, "wait", checking, "--region", REGION, "--kubeconfig", kube.kubeconfig,
                       "--timeout", "5s", "--interval", "1s", "--min-schedulable", "1", "--json")

    assert code == 0
    assert json.loads(out)["schedulable_nodes"] == 1
    assert node_polls(kube) == 1


def test_wait_shows_a_progress_line_on_a_terminal(checking, kube, aws_env):
    """Run the installed module with stderr on a pseudo-terminal, as a person would see it. The check passes on the
    second poll, so exactly one progress line is drawn whatever the machine's load."""
    finish_deep_health_check_at_poll(kube, checking, poll=2)
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    process = subprocess.run(
        [sys.executable, "-m", "hyperpod.status.cli", "wait", checking, "--region", REGION,
         "--kubeconfig", kube.kubeconfig, "--timeout", "10m", "--interval", "0.05s"],
        stdout=subprocess.PIPE, stderr=follower, env=env, timeout=300)
    os.close(follower)
    terminal = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        terminal += chunk
    os.close(leader)

    assert process.returncode == 0, terminal
    text = terminal.decode()
    assert re.fullmatch(r"\r\x1b\[K\[\d+s\] progressing, 1 schedulable, 1 outstanding; kubernetes: group worker:"
                        r"[^\r\n]*\r\x1b\[K", text), text  # drawn once, then cleared before the report
    assert b"HEALTHY" in process.stdout
    assert b"\x1b[" not in process.stdout  # stdout is a pipe: the table has no colour


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def evaluation(verdict_status: str) -> Evaluation:
    return Evaluation((Check("sagemaker: cluster", verdict_status, "detail"),), (), 0, None, None)


def test_wait_retries_when_a_poll_cannot_reach_aws():
    clock = FakeClock()
    answers = iter([Unreachable("could not reach SageMaker"), evaluation("pending"), evaluation("pass")])

    def poll():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    lines = []
    outcome = wait_until_healthy(poll, timeout=600, interval=30, on_progress=lines.append,
                                 clock=clock, sleep=clock.sleep)

    assert outcome.healthy and outcome.elapsed == 60
    assert lines == ["[0s] retrying: could not reach SageMaker",
                     "[30s] progressing, 0 schedulable, 1 outstanding; sagemaker: cluster: detail"]


def test_wait_polls_once_more_at_the_deadline():
    clock = FakeClock()
    polls = []

    def poll():
        polls.append(clock.now)
        return evaluation("pending")

    outcome = wait_until_healthy(poll, timeout=100, interval=30, clock=clock, sleep=clock.sleep)

    assert polls == [0, 30, 60, 90, 100]
    assert not outcome.healthy and not outcome.gave_up and outcome.elapsed == 100


@pytest.mark.parametrize("seconds, text", [(0.4, "0s"), (59, "59s"), (61, "1m01s"), (10800, "3h00m"),
                                           (5430, "1h30m")])
def test_durations_read_like_the_options(seconds, text):
    assert format_duration(seconds) == text


def test_wait_that_never_reaches_aws_exits_three(kube, aws_env, capsys):
    code, out, err = run(capsys, "wait", "ml-cluster", "--region", REGION, "--kubeconfig",
                         kube.kubeconfig, "--endpoint-url", f"http://127.0.0.1:{free_port()}",
                         "--timeout", "0.5s", "--interval", "0.2s")

    assert code == 3 and out == ""
    assert err.startswith("hyperpod-status: timed out after ")
    assert "; last error: could not reach SageMaker in us-west-2" in err and err.count("\n") == 1
