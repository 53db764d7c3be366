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
# Several environments synthesized together by one app (examples/environments): one golden file per stack.
ENVIRONMENTS = sorted((ROOT / "examples" / "environments").glob("*.json"))
ENVIRONMENTS_GOLDEN = GOLDEN / "environments"


def golden_path(example: Path) -> Path:
    return GOLDEN / example.name.replace(".tfvars.json", ".cdk.tf.json")


def synthesize_example(example: Path, outdir: Path) -> str:
    from hyperpod.app import configs, synthesis

    config, _ = configs.read_config(example)
    return synthesis.synthesize(config, outdir).read_text()


def synthesize_environments(outdir: Path) -> dict[str, str]:
    """Stack name -> synthesized JSON of every examples/environments config, synthesized together in one app."""
    from hyperpod.app import environments, synthesis

    configs = [environment.config for environment in environments.read_environments(ENVIRONMENTS)]
    return {name: path.read_text() for name, path in synthesis.synthesize_stacks(configs, outdir, {}).items()}


def update() -> None:
    GOLDEN.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for index, example in enumerate(EXAMPLES):
            golden_path(example).write_text(synthesize_example(example, Path(scratch) / str(index)))
            print(f"wrote {golden_path(example).relative_to(ROOT)}")
        ENVIRONMENTS_GOLDEN.mkdir(exist_ok=True)
        for name, text in synthesize_environments(Path(scratch) / "environments").items():
            (ENVIRONMENTS_GOLDEN / f"{name}.cdk.tf.json").write_text(text)
            print(f"wrote {(ENVIRONMENTS_GOLDEN / f'{name}.cdk.tf.json').relative_to(ROOT)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", required=True)
    parser.parse_args()
    sys.path.insert(0, str(ROOT))
    update()
