"""Synthesize every example with the runtime of the Python that runs this, in one process (jsii and the provider
assemblies load once): the CDK Terrain side of tests/terrain/test_synthesis.py.

    .venv-terrain/bin/python -m tests.terrain.synthesize OUT

Writes OUT/examples/<example>/ (each examples/*.tfvars.json through main.py's synthesis), OUT/environments/
(examples/environments, one app), OUT/composition/ (examples/composition, both stacks) and OUT/report.json: the runtime
that synthesized, the prebuilt awscc modules it loaded (none: synthesis uses the project's own binding), and which of
the classes the hyperpod package imports through hyperpod.runtime this runtime lacks
(`from hyperpod.runtime.aws.s3_bucket import S3Bucket` -> "aws.s3_bucket.S3Bucket").
"""

from __future__ import annotations

import ast
import importlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_through_runtime(root: Path = ROOT / "hyperpod") -> set[str]:
    """`<alias module>.<name>` of every `from hyperpod.runtime.<...> import <name>` under `root`."""
    found = set()
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("hyperpod.runtime."):
                alias = node.module.removeprefix("hyperpod.runtime.")
                found |= {f"{alias}.{name.name}" for name in node.names}
    return found


def missing_classes(names: set[str]) -> list[str]:
    """The names this runtime does not provide (an import error would only show for the modules a synthesis loads)."""
    missing = []
    for dotted in sorted(names):
        module, _, name = dotted.rpartition(".")
        if not hasattr(importlib.import_module(f"hyperpod.runtime.{module}"), name):
            missing.append(dotted)
    return missing


def main(out: Path) -> int:
    sys.path.insert(0, str(ROOT))
    from examples.composition.main import build
    from hyperpod.runtime import runtime
    from tests.core import golden

    for example in golden.EXAMPLES:
        golden.synthesize_example(example, out / "examples" / example.name.removesuffix(".tfvars.json"))
    golden.synthesize_environments(out / "environments")
    build(out / "composition").synth()
    loaded = {  # what synthesizing every example loaded, before the class check below imports more
        # the prebuilt awscc binding is a test-time oracle (tests/terrain/awscc_oracle.py), never loaded here
        "awscc_prebuilt_loaded": sorted(name for name in sys.modules if name.startswith("cdktn_provider_awscc.")),
        # lazy loading (hyperpod/bindings): the package's __init__ would import all ~2,200 aws submodules
        "aws_init_ran": hasattr(sys.modules["cdktn_provider_aws"], "__all__"),
        "aws_submodules": sorted({name.split(".")[1] for name in sys.modules if name.startswith("cdktn_provider_aws.")}),
        "kubernetes_loaded": "cdktn_provider_kubernetes._jsii" in sys.modules,
    }
    report = {"runtime": runtime().name, "core": importlib.import_module(runtime().core).__name__, **loaded,
              "missing": missing_classes(imported_through_runtime())}
    (out / "report.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
