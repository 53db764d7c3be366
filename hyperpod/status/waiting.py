"""Poll until the cluster is healthy, the deadline passes, or waiting can no longer help."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from hyperpod.status.checks import HEALTHY, Evaluation
from hyperpod.commands.errors import Unreachable


@dataclass(frozen=True)
class WaitOutcome:
    evaluation: Evaluation | None  # the last successful poll, if any
    last_error: Unreachable | None  # set when the last poll could not reach AWS or Kubernetes
    elapsed: float

    @property
    def healthy(self) -> bool:
        return self.last_error is None and self.evaluation is not None and \
            self.evaluation.verdict == HEALTHY

    @property
    def gave_up(self) -> bool:
        """Stopped early because the cluster reached a state no amount of waiting fixes."""
        return self.last_error is None and self.evaluation is not None and \
            self.evaluation.terminal is not None and not self.healthy


def format_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def progress_line(evaluation: Evaluation | None, error: Unreachable | None, elapsed: float) -> str:
    stamp = format_duration(elapsed)
    if error is not None:
        return f"[{stamp}] retrying: {error.reason}"
    outstanding = evaluation.outstanding()
    first = outstanding[0] if outstanding else None
    summary = f"{first.name}: {first.detail}" if first else "all checks pass"
    return (f"[{stamp}] {evaluation.verdict}, {evaluation.schedulable} schedulable, "
            f"{len(outstanding)} outstanding; {summary}")


def wait_until_healthy(
    poll: Callable[[], Evaluation],
    timeout: float,
    interval: float,
    on_progress: Callable[[str], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> WaitOutcome:
    """Call poll() every `interval` seconds; a poll that cannot reach AWS/Kubernetes is retried,
    because a network blip during a three-hour wait should not fail the pipeline."""
    start = clock()
    deadline = start + timeout
    evaluation, error = None, None
    while True:
        try:
            evaluation, error = poll(), None
        except Unreachable as unreachable:
            error = unreachable
        now = clock()
        outcome = WaitOutcome(evaluation, error, now - start)
        if outcome.healthy or outcome.gave_up or now >= deadline:
            return outcome
        if on_progress is not None:
            on_progress(progress_line(evaluation, error, now - start))
        sleep(max(0.0, min(interval, deadline - now)))
