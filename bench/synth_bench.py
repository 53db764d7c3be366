#!/usr/bin/env python3
"""Synthesis benchmark: whole processes, median and range of wall time, peak RSS, ratios to the CDKTF floor.

    python bench/synth_bench.py [--runs 5] [--warmup 1]

Commands (run in turn, round after round, so machine drift hits all of them alike):
  floor        bench/floor_app.py: only the aws/helm/kubernetes modules it uses, one aws resource; a plain CDKTF
               app, so its jsii Node loads every module of each provider binding (jsii's own way)
  quick-start  python main.py on examples/terraform.tfvars.json
  production   python main.py on examples/production.tfvars.json
  50-groups    python main.py on a generated config with 50 instance groups
  all-on       python main.py on examples/addons.tfvars.json (every add-on and FSx for Lustre on)
  everything   python main.py on every feature at once: the capacity example's groups, autoscaling and tiered
               storage, every add-on (the inference operator and the task governance policy too), FSx for Lustre
               and S3 state (the issue's "every feature on" limit), and the advanced example's flexible EFA group
               with automatic patching and per-group file systems
  everything-eager
               the same with HYPERPOD_LAZY_BINDINGS=0: jsii's Node loads every module of each provider binding, as
               in the floor app (what hyperpod/bindings/node.py saves)
  check        python main.py --check on that same config: validation only, no jsii (at most 1/4 of a synthesis)
  terrain-floor, terrain-quick-start, terrain-everything, terrain-everything-eager
               the floor app, the quick start and the everything config with CDK Terrain (.venv-terrain's Python;
               docs/runtimes.md): each runtime is measured against its own floor, and the last lines compare the
               two runtimes' everything/floor ratios (the goal: CDK Terrain's at most 1.0x CDKTF's), then the two
               everything rows directly
Peak RSS is the largest single process of the run (python or the node process jsii starts), from wait4().
The printed table is what docs/performance.md shows between its BEGIN/END BENCHMARK markers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TERRAIN_PYTHON = str(ROOT / ".venv-terrain" / "bin" / "python")  # `make bench` installs it (scripts/bootstrap.sh)
ENV = "/usr/bin/env"  # sets a variable and execs the command in the same process, so wait4() still measures it
SWITCH_ENV = "HYPERPOD_LAZY_BINDINGS"  # hyperpod/bindings/node.py


def fifty_groups() -> dict:
    config = json.loads((ROOT / "examples" / "production.tfvars.json").read_text())
    types = ["ml.p5.48xlarge", "ml.p4d.24xlarge", "ml.g5.48xlarge", "ml.trn1.32xlarge", "ml.m5.4xlarge"]
    config["hyperpod_instance_groups"] = [
        {"name": f"group-{i:02d}", "instance_type": types[i % len(types)], "instance_count": 1 + i % 4,
         "ebs_volume_gb": 500, "deep_health_checks": [] if types[i % len(types)].startswith("ml.m5") else
         ["InstanceStress"]} for i in range(50)]
    return config


def everything() -> dict:
    """Every capacity feature (examples/capacity.tfvars.json), every add-on and FSx (examples/addons.tfvars.json), the
    inference operator and cluster policy (examples/inference.tfvars.json), and the S3 backend, in one config."""
    config = json.loads((ROOT / "examples" / "capacity.tfvars.json").read_text())
    addons = json.loads((ROOT / "examples" / "addons.tfvars.json").read_text())
    inference = json.loads((ROOT / "examples" / "inference.tfvars.json").read_text())["hyperpod_addons"]
    # The inference operator and the task governance cluster policy (examples/inference.tfvars.json) on top.
    config["hyperpod_addons"] = {**addons["hyperpod_addons"], "inference_operator": inference["inference_operator"],
                                 "task_governance": inference["task_governance"]}
    config["hyperpod_fsx_lustre"] = {**addons["hyperpod_fsx_lustre"], "subnet_id": None}
    config["state"] = {"backend": "s3", "bucket": "example-terraform-state", "key": "hyperpod/everything.tfstate",
                       "region": "us-west-2"}
    # The newer instance group surface (examples/advanced.tfvars.json): a flexible EFA group with automatic patching,
    # the stack's FSx, an OpenZFS share and a root volume key. Restricted instance groups exclude most of the above
    # (standard groups, add-ons, Karpenter), so they are not part of "everything".
    advanced = json.loads((ROOT / "examples" / "advanced.tfvars.json").read_text())
    config["hyperpod_instance_groups"].append(advanced["hyperpod_instance_groups"][0])
    return config


def run_once(argv: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of the largest process of one run."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        try:
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed with exit code {os.waitstatus_to_exitcode(status)}")
    return wall, usage.ru_maxrss * 1024


def bench_arguments(doc: str) -> argparse.Namespace:
    """--runs and --warmup, shared by the benches; also quiets jsii's banner for the processes they start."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()
    os.environ["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    return args


def measure(commands: dict, runs: int, warmup: int) -> dict[object, list[tuple[float, int]]]:
    """(wall seconds, peak RSS bytes) of each command's measured runs; the commands take turns, round by round, so
    a change in the machine's load falls on all of them alike."""
    results: dict[object, list[tuple[float, int]]] = {name: [] for name in commands}
    for round_ in range(warmup + runs):
        for name, argv in commands.items():
            measured = run_once(argv)
            if round_ >= warmup:
                results[name].append(measured)
        print(f"round {round_ + 1}/{warmup + runs} done", file=sys.stderr)
    return results


def main() -> int:
    args = bench_arguments(__doc__)

    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        (tmp / "fifty.json").write_text(json.dumps(fifty_groups()))
        (tmp / "everything.json").write_text(json.dumps(everything()))
        commands = {
            "floor": [PYTHON, str(ROOT / "bench" / "floor_app.py"), str(tmp / "floor")],
            "quick-start": [PYTHON, str(ROOT / "main.py"), "--config", str(ROOT / "examples/terraform.tfvars.json"),
                            "--out", str(tmp / "quick")],
            "production": [PYTHON, str(ROOT / "main.py"), "--config", str(ROOT / "examples/production.tfvars.json"),
                           "--out", str(tmp / "production")],
            "50-groups": [PYTHON, str(ROOT / "main.py"), "--config", str(tmp / "fifty.json"), "--out",
                          str(tmp / "fifty")],
            "all-on": [PYTHON, str(ROOT / "main.py"), "--config", str(ROOT / "examples/addons.tfvars.json"),
                       "--out", str(tmp / "all-on")],
            "everything": [PYTHON, str(ROOT / "main.py"), "--config", str(tmp / "everything.json"), "--out",
                           str(tmp / "everything")],
            # jsii's own way, every module of each provider binding in Node (hyperpod/bindings/node.py): what the
            # lazy loading saves
            "everything-eager": [ENV, f"{SWITCH_ENV}=0", PYTHON, str(ROOT / "main.py"), "--config",
                                 str(tmp / "everything.json"), "--out", str(tmp / "eager")],
            "check": [PYTHON, str(ROOT / "main.py"), "--check", "--config", str(tmp / "everything.json"), "--out",
                      str(tmp / "check")],
            "terrain-floor": [TERRAIN_PYTHON, str(ROOT / "bench" / "floor_app.py"), str(tmp / "t-floor"), "terrain"],
            "terrain-quick-start": [TERRAIN_PYTHON, str(ROOT / "main.py"), "--config",
                                    str(ROOT / "examples/terraform.tfvars.json"), "--out", str(tmp / "t-quick")],
            "terrain-everything": [TERRAIN_PYTHON, str(ROOT / "main.py"), "--config", str(tmp / "everything.json"),
                                   "--out", str(tmp / "t-everything")],
            "terrain-everything-eager": [ENV, f"{SWITCH_ENV}=0", TERRAIN_PYTHON, str(ROOT / "main.py"), "--config",
                                         str(tmp / "everything.json"), "--out", str(tmp / "t-eager")],
        }
        if not Path(TERRAIN_PYTHON).is_file():
            raise SystemExit(f"{TERRAIN_PYTHON} is missing: run `make bench` (it installs both runtimes)")
        results = measure(commands, args.runs, args.warmup)

    def medians(name: str) -> tuple[float, float]:
        return (statistics.median(w for w, _ in results[name]), statistics.median(r for _, r in results[name]))

    floors = {name: medians("terrain-floor" if name.startswith("terrain-") else "floor") for name in results}
    quick_wall = statistics.median(w for w, _ in results["quick-start"])
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{args.runs} runs after {args.warmup} warm-up")
    print("| command | wall median (s) | wall min-max (s) | peak RSS median (MB) | time / floor | RSS / floor |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, runs in results.items():  # terrain-* against the CDK Terrain floor, the others against CDKTF's
        walls = [w for w, _ in runs]
        rss = statistics.median(r for _, r in runs)
        own_wall, own_rss = floors[name]
        print(f"| {name} | {statistics.median(walls):.2f} | {min(walls):.2f}-{max(walls):.2f} | {rss / 2**20:.0f} | "
              f"{statistics.median(walls) / own_wall:.2f} | {rss / own_rss:.2f} |")
    fifty_wall = statistics.median(w for w, _ in results["50-groups"])
    print(f"50-groups / quick-start wall: {fifty_wall / quick_wall:.2f}")
    everything_wall = statistics.median(w for w, _ in results["everything"])
    check_wall = statistics.median(w for w, _ in results["check"])
    print(f"check / everything wall: {check_wall / everything_wall:.2f} (goal: at most 0.25)")
    cdktf_wall, cdktf_rss = (value / floor for value, floor in zip(medians("everything"), medians("floor")))
    terrain_wall, terrain_rss = (value / floor for value, floor in zip(medians("terrain-everything"),
                                                                         medians("terrain-floor")))
    print(f"everything / own floor, CDKTF: time {cdktf_wall:.2f}, RSS {cdktf_rss:.2f}; CDK Terrain: time "
          f"{terrain_wall:.2f}, RSS {terrain_rss:.2f}")
    print(f"CDK Terrain / CDKTF (each against its floor): time {terrain_wall / cdktf_wall:.2f}, RSS "
          f"{terrain_rss / cdktf_rss:.2f} (goal: at most 1.0)")
    direct_wall, direct_rss = (terrain / cdktf for terrain, cdktf in zip(medians("terrain-everything"),
                                                                         medians("everything")))
    print(f"CDK Terrain / CDKTF (everything, directly): time {direct_wall:.2f}, RSS {direct_rss:.2f}")
    for prefix in ("", "terrain-"):
        (lazy_wall, lazy_rss), (eager_wall, eager_rss) = medians(f"{prefix}everything"), medians(
            f"{prefix}everything-eager")
        print(f"{prefix}everything / {prefix}everything-eager (provider modules loaded as used / all): time "
              f"{lazy_wall / eager_wall:.2f}, RSS {lazy_rss / eager_rss:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
