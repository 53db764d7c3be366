"""Golden Terraform JSON, one file per example config, so every change to the output is a reviewable diff.

    python -m tests.core.golden --update     (or: make golden) rewrites tests/core/golden/*.cdk.tf.json
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLES = sorted((ROOT / "examples").glob("*.tfvars.json"))


def golden_path(example: Path) -> Path:
    return GOLDEN / example.name.replace(".tfvars.json", ".cdk.tf.json")


def synthesize_example(example: Path, outdir: Path) -> str:
    from hyperpod.app import configs, synthesis

    config, _ = configs.read_config(example)
    return synthesis.synthesize(config, outdir).read_text()


def update() -> None:
    GOLDEN.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for index, example in enumerate(EXAMPLES):
            golden_path(example).write_text(synthesize_example(example, Path(scratch) / str(index)))
            print(f"wrote {golden_path(example).relative_to(ROOT)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", required=True)
    parser.parse_args()
    sys.path.insert(0, str(ROOT))
    update()
