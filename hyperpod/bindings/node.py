"""jsii's Node process: loading only the provider resource modules a synthesis uses, and finding the process.

Python already imports only the binding submodules a stack uses (hyperpod/bindings/__init__.py), but jsii's Node
side requires a prebuilt provider package's whole lib/index.js when the package is loaded: every one of the aws
binding's ~2,200 resource modules. `lazy_provider_modules()` preloads lazy_provider_modules.js into that Node process
(through NODE_OPTIONS, the only way into it: jsii starts it with the environment of this process), which makes each of
those modules load when the kernel first uses it. The synthesized JSON is the same byte for byte (a test checks it);
the everything config's synthesis took 2.5 s and 640 MB before, 1.1 s and 180 MB after (docs/performance.md).

    from hyperpod import lazy_provider_modules
    with lazy_provider_modules():   # before the first `import cdktf` (or cdktn) of the process
        from cdktf import App

`python main.py` and `cdktf synth` do this themselves; `HYPERPOD_LAZY_BINDINGS=0` turns it off.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Iterator, MutableMapping

HOOK = Path(__file__).with_name("lazy_provider_modules.js")
SWITCH_ENV = "HYPERPOD_LAZY_BINDINGS"


class SwitchError(ValueError):
    """HYPERPOD_LAZY_BINDINGS holds a value other than 0 or 1."""


def switched_on(environ: MutableMapping[str, str] = os.environ) -> bool:
    """Whether HYPERPOD_LAZY_BINDINGS leaves lazy loading on (unset or "1"); `SwitchError` names any other value."""
    value = environ.get(SWITCH_ENV)
    if value is None or value == "1":
        return True
    if value == "0":
        return False
    raise SwitchError(f"{SWITCH_ENV}={value!r} is not allowed: use 1 (load provider modules as used, the default) or "
                      "0 (load every module of each provider, as jsii does by default)")


def node_options(existing: str | None, hook: Path = HOOK) -> str:
    """NODE_OPTIONS with `--require <hook>` added after the user's own options (kept as they are). The path is
    double-quoted with backslash escapes, as Node parses NODE_OPTIONS, so spaces or quotes in it stay one argument."""
    quoted = '"' + str(hook).replace("\\", "\\\\").replace('"', '\\"') + '"'
    option = f"--require {quoted}"
    if existing and option in existing:
        return existing
    return f"{existing} {option}" if existing and existing.strip() else option


@contextlib.contextmanager
def lazy_provider_modules(environ: MutableMapping[str, str] = os.environ) -> Iterator[bool]:
    """While open, a jsii Node process started by this process (by the first CDK import) loads provider resource
    modules as used; NODE_OPTIONS is put back on leaving, so no other child process sees the hook. Yields whether
    it applies: False when jsii's Node already runs (an import of cdktf came first), HYPERPOD_LAZY_BINDINGS=0, or the
    hook is not installed (a broken installation is slower, not broken: Node would refuse to start without it)."""
    if not switched_on(environ) or node_process() is not None or not HOOK.is_file():  # a bad value always says so
        yield False
        return
    before = environ.get("NODE_OPTIONS")
    environ["NODE_OPTIONS"] = node_options(before)
    try:
        yield True
    finally:
        if before is None:
            environ.pop("NODE_OPTIONS", None)
        else:
            environ["NODE_OPTIONS"] = before


def node_process():
    """jsii's Node process if this process started one (jsii 1.x memoizes it in a closure of
    `ProcessProvider._process`; reading the property itself would start one)."""
    runtime = sys.modules.get("jsii._runtime")
    provider = getattr(getattr(runtime, "kernel", None), "provider", None)
    getter = getattr(getattr(type(provider), "_process", None), "fget", None)
    for cell in getattr(getter, "__closure__", None) or ():
        stored = cell.cell_contents
        if isinstance(stored, list):
            return stored[0] if stored and hasattr(stored[0], "_process") else None
    return None
