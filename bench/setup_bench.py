#!/usr/bin/env python3
"""Set-up benchmark: a fresh clone's `make synth` against plain pip, in new `git clone`s of HEAD, with warm caches.

    python3 bench/setup_bench.py [--runs 3] [--suite]

Each run clones HEAD into a new temporary folder and times whole commands there, in turn (A B A B ...), so machine
drift hits both alike; one unmeasured round first fills every cache (uv's, npm's, jsii's package cache, the wheels):
  pip baseline   python3 -m venv .venv && .venv/bin/pip install <pyproject's direct dependencies>, every wheel on disk
                 (--no-index from a wheelhouse `pip download` filled once: pip with a perfectly warm cache; pip's own
                 HTTP cache never fills on machines whose registry answers without caching headers)
  make synth     the README's first command: bootstrap from the locks (uv, then `uv sync --locked`), then synthesis
  make install   the same clone again: the re-run cost once the stamps are in place
  install-test   `make install-test`, the install part of `make test` (adds npm ci and checkov's venv)
  suite          (--suite, once) `make test` after install-test: shellcheck, the lock check and pytest
Then the sizes of .venv and .tools, and how much of them are hard links into uv's cache (no extra disk).
Only the Python standard library is used: run it with the machine's python3, nothing needs installing first.
The printed table is what docs/performance.md shows between its BEGIN/END SETUP BENCHMARK markers.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = os.environ.get("PYTHON", "python3")


def clean_env() -> dict[str, str]:
    """The caller's environment less what a parent make or an active venv would leak into the clone's set-up."""
    drop = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PYTHONPATH"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    venv_bin = str(ROOT / ".venv" / "bin")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    return env


ENV = clean_env()


CPU_SECONDS: dict[str, float] = {}  # user + sys of every process of the last timed command


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: str, cwd: Path, log: Path) -> float:
    """Wall seconds of one shell command; its output goes to log, shown (and the benchmark stopped) if it fails."""
    cpu_before = children_cpu()
    with log.open("ab") as out:
        out.write(f"\n$ {command}\n".encode())
        out.flush()
        start = time.perf_counter()
        completed = subprocess.run(["bash", "-c", command], cwd=cwd, env=ENV, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
        wall = time.perf_counter() - start
    CPU_SECONDS["last"] = children_cpu() - cpu_before
    if completed.returncode != 0:
        sys.stderr.write(log.read_text(errors="replace")[-6000:])
        raise SystemExit(f"`{command}` failed in {cwd} with exit code {completed.returncode} (log: {log})")
    return wall


def fresh_clone(scratch: Path, name: str) -> Path:
    target = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=scratch))
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target / "repo")], check=True, env=ENV)
    return target / "repo"


def disk_use(path: Path) -> tuple[int, int]:
    """Bytes of the files under path (each inode once), and how many of them are hard links shared with elsewhere."""
    seen: set[tuple[int, int]] = set()
    total = shared = 0
    for folder, _, files in os.walk(path):
        for name in files:
            stat = os.lstat(os.path.join(folder, name))
            if (stat.st_dev, stat.st_ino) in seen:
                continue
            seen.add((stat.st_dev, stat.st_ino))
            total += stat.st_size
            if stat.st_nlink > 1:
                shared += stat.st_size
    return total, shared


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} | {min(values):.1f}-{max(values):.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="measured runs of each command (default 3)")
    parser.add_argument("--suite", action="store_true", help="also run the test suite once, timed apart from install")
    args = parser.parse_args()
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()
    if subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                      text=True).stdout.strip():
        print("note: uncommitted changes are not measured: the clones are of HEAD", file=sys.stderr)
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    quoted = " ".join(shlex.quote(d) for d in deps)

    with tempfile.TemporaryDirectory(prefix="setup-bench-") as scratch_name:
        scratch = Path(scratch_name)
        log = scratch / "bench.log"
        wheelhouse = scratch / "wheelhouse"
        timed(f"{PYTHON} -m pip download --quiet --disable-pip-version-check -d {wheelhouse} {quoted}", scratch, log)
        commands = {
            "pip baseline": f"{PYTHON} -m venv .venv && .venv/bin/python -m pip install --quiet "
                            f"--disable-pip-version-check --no-index --find-links {wheelhouse} {quoted}",
            "make synth": "make synth",
            "install-test": "make install-test",
        }
        results: dict[str, list[float]] = {name: [] for name in [*commands, "make install"]}
        sizes: dict[str, tuple[Path, Path]] = {}
        rounds = 1 + args.runs
        for round_ in range(rounds):
            for name, command in commands.items():
                clone = fresh_clone(scratch, name.replace(" ", "-"))
                wall = timed(command, clone, log)
                rerun = timed("make install", clone, log) if name == "make synth" else None
                if round_ == 0:
                    continue
                results[name].append(wall)
                if rerun is not None:
                    results["make install"].append(rerun)
                if name != "pip baseline":
                    sizes[name] = (clone / ".venv", clone / ".tools")
            print(f"round {round_ + 1}/{rounds} done{' (warm-up)' if round_ == 0 else ''}", file=sys.stderr)

        suite = None
        if args.suite:
            clone = fresh_clone(scratch, "suite")
            install = timed("make install-test", clone, log)
            suite = timed("make test", clone, log)
            suite_cpu = CPU_SECONDS["last"]

        pip_runs, synth_runs = results["pip baseline"], results["make synth"]
        ratios = [s / p for s, p in zip(synth_runs, pip_runs)]
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
              f"commit {head}; {args.runs} runs after 1 warm-up, each in a fresh clone")
        print("| command (fresh clone, warm caches) | wall median (s) | wall min-max (s) |")
        print("| --- | --- | --- |")
        for name, label in (("pip baseline", "plain pip install of the direct dependencies (baseline)"),
                            ("make synth", "`make synth` (install from the locks + synthesis)"),
                            ("make install", "`make install` again in that clone (stamps)"),
                            ("install-test", "`make install-test` (the install part of `make test`)")):
            print(f"| {label} | {summary(results[name])} |")
        print(f"`make synth` / pip baseline, pair by pair: median {statistics.median(ratios):.2f} "
              f"(min {min(ratios):.2f}, max {max(ratios):.2f}); goal at most 0.60")
        if suite is not None:
            print(f"`make test` in a fresh clone, once: install {install:.1f} s, then the checks {suite:.1f} s "
                  f"({suite_cpu:.0f} CPU seconds: {suite_cpu / (os.cpu_count() or 1):.0f} s of wall on an idle machine "
                  f"with every core busy)")
        print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        for name, (venv, tools) in sizes.items():
            parts = []
            for path in (venv, tools):
                total, shared = disk_use(path)
                parts.append(f"{path.name} {total / 2**20:.0f} MB ({shared / 2**20:.0f} MB of it hard links into "
                             f"uv's cache, no extra disk)")
            print(f"after {name}: " + ", ".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
