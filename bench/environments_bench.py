#!/usr/bin/env python3
"""What several environments cost: one `python main.py` with 1 config vs 5 configs (one App, five stacks).

    python bench/environments_bench.py [--runs 5] [--warmup 1]

Prints median wall time and peak RSS (largest single process, python or node) of each, and the 5/1 ratios.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth_bench import PYTHON, ROOT, bench_arguments, measure  # noqa: E402


def environment_configs(directory: Path, count: int) -> list[str]:
    base = json.loads((ROOT / "examples" / "environments" / "prod.json").read_text())
    paths = []
    for index in range(count):
        config = {**base, "stack_name": f"hp-env{index}", "hyperpod_cluster_name": f"hyperpod-env{index}",
                  "state": {**base["state"], "key": f"hyperpod/env{index}/terraform.tfstate"}}
        path = directory / f"env{index}.json"
        path.write_text(json.dumps(config))
        paths.append(str(path))
    return paths


def main() -> int:
    args = bench_arguments(__doc__)
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        paths = environment_configs(tmp, 5)
        commands = {count: [PYTHON, str(ROOT / "main.py"), *sum((["--config", p] for p in paths[:count]), []),
                            "--out", str(tmp / f"out{count}")] for count in (1, 5)}
        results = measure(commands, args.runs, args.warmup)
    print("| environments | wall median (s) | wall min-max (s) | peak RSS median (MB) |")
    print("| --- | --- | --- | --- |")
    for count, runs in results.items():
        walls = [w for w, _ in runs]
        print(f"| {count} | {statistics.median(walls):.2f} | {min(walls):.2f}-{max(walls):.2f} | "
              f"{statistics.median(r for _, r in runs) / 2**20:.0f} |")
    wall = {count: statistics.median(w for w, _ in runs) for count, runs in results.items()}
    rss = {count: statistics.median(r for _, r in runs) for count, runs in results.items()}
    print(f"5 / 1 environments: wall {wall[5] / wall[1]:.2f}x, peak RSS {rss[5] / rss[1]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
