"""What the per-check tests share: run configs through `hyperpod-preflight --json` in-process and read the verdicts."""

from __future__ import annotations

import json

from hyperpod.preflight.cli import main
from tests.preflight.conftest import config

GPU = {"name": "gpu", "instance_type": "ml.p5.48xlarge", "instance_count": 2}


def run(capsys, *paths: str) -> tuple[int, list[dict[str, dict]]]:
    code = main([arg for path in paths for arg in ("--config", path)] + ["--json"])
    out, err = capsys.readouterr()
    return code, [{c["name"]: c for c in r["checks"]} for r in json.loads(out)["configs"]]


def pair(aws, tmp_path, capsys, good: dict, bad: dict) -> tuple[int, dict[str, dict], dict[str, dict]]:
    """Run a right and a wrong config in one command (distinct stacks and clusters)."""
    right = config(tmp_path, aws, "right.json", **good)
    wrong = config(tmp_path, aws, "wrong.json", stack_name="hp-wrong",
                   **{"hyperpod_cluster_name": "wrong-cluster", **bad})
    code, (first, second) = run(capsys, right, wrong)
    return code, first, second


def several(aws, tmp_path, capsys, *overrides: dict) -> tuple[int, list[dict[str, dict]]]:
    """Several configs against one account in one command, each its own stack and cluster."""
    paths = [config(tmp_path, aws, f"config{i}.json", stack_name=f"hp-{i}",
                    **{"hyperpod_cluster_name": f"cluster-{i}", **extra}) for i, extra in enumerate(overrides)]
    return run(capsys, *paths)


def verdict(check: dict) -> tuple[str, str, str | None]:
    return check["verdict"], check["facts"], check["fix"]
