#!/usr/bin/env python3
"""Compile the virtual environment's Python (and the project's `hyperpod` package) to bytecode once, at install
time, as pip does by default.

    .venv/bin/python scripts/compile_bytecode.py

uv links packages from its cache without compiling them, and where PYTHONDONTWRITEBYTECODE is set (this project's
machines set it) Python never writes the bytecode itself either: every process would then compile every module it
imports, every time (~0.8 s of each synthesis, a third of the test suite's CPU). Left out: the prebuilt aws and
kubernetes provider packages of either runtime (CDKTF's are 486 and 148 MB of Python, ~2,300 modules, of which a
synthesis imports the few the hyperpod package names through hyperpod.runtime), except those submodules, and CDK
Terrain's awscc package (a test-time oracle: the tests import one submodule).
"""

from __future__ import annotations

import compileall
import re
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# provider -> its package under each runtime (hyperpod/runtime/__init__.py names them)
LARGE_PROVIDERS = {"aws": ("cdktf_cdktf_provider_aws", "cdktn_provider_aws"),
                   "kubernetes": ("cdktf_cdktf_provider_kubernetes", "cdktn_provider_kubernetes"),
                   "awscc": ("cdktn_provider_awscc",)}
LARGE = tuple(package for packages in LARGE_PROVIDERS.values() for package in packages)
IMPORTED = re.compile(r"^\s*(?:from|import) hyperpod\.runtime\.(aws|kubernetes)\.(\w+)", re.M)


def used_submodules() -> set[tuple[str, str]]:
    """(package, submodule) of the large packages that the hyperpod package imports, and their jsii modules."""
    used = {(package, "_jsii") for package in LARGE}
    for path in (ROOT / "hyperpod").rglob("*.py"):
        for provider, submodule in IMPORTED.findall(path.read_text(encoding="utf-8")):
            used |= {(package, submodule) for package in LARGE_PROVIDERS[provider]}
    return used


def main() -> int:
    site = Path(sysconfig.get_paths()["purelib"])
    skip = re.compile("|".join(re.escape(str(site / package)) + "/" for package in LARGE))
    ok = compileall.compile_dir(site, quiet=1, workers=0, rx=skip)
    for package, submodule in sorted(used_submodules()):
        directory = site / package / submodule
        if directory.is_dir():
            ok &= compileall.compile_dir(directory, quiet=1, workers=0)
    # The project's own package too: the venv only links it (an editable install), so without this every synthesis
    # and every `main.py --check` compiled its ~75 modules again (~0.05 s, a quarter of a --check). A module edited
    # later is compiled in memory as before (its bytecode no longer matches), never run stale.
    ok &= compileall.compile_dir(ROOT / "hyperpod", quiet=1, workers=0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
