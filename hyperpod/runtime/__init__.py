"""The CDK runtime the constructs run on, chosen once: CDKTF (`cdktf`, the default) or CDK Terrain (`cdktn`).

Every module under hyperpod/ imports the CDK core, `constructs` and the prebuilt provider bindings through names that
this module resolves to the chosen runtime's real modules (the same module objects, not copies):

    from hyperpod.runtime.core import Fn, TerraformStack           # cdktf or cdktn
    from hyperpod.runtime.constructs import Construct              # constructs (10.4 under cdktf, 10.7 under cdktn)
    from hyperpod.runtime.aws.iam_role import IamRole              # cdktf_cdktf_provider_aws.iam_role or
                                                                   # cdktn_provider_aws.iam_role (also helm, kubernetes)

A provider submodule is imported on its own, never the package's `__init__` (which imports all ~2,200 aws
submodules; see hyperpod/bindings/__init__.py). CDK Terrain keeps CDKTF's API and class names: every class the project
uses exists under the same name in both (tests/core/test_runtime.py checks them), so no name is mapped.

The choice, first match wins (tests/core/test_runtime.py):
1. `HYPERPOD_CDK=cdktf` or `HYPERPOD_CDK=terrain` (`make synth CDK=terrain` sets it);
2. the runtime the app has already imported (`import cdktn` before the first construct: a CDK Terrain app);
3. the one installed (`hyperpod-cdktf[cdktf]` or `hyperpod-cdktf[terrain]`); both installed: CDKTF, the default.
Constructs read no environment; this module does, once, as hyperpod/__init__.py does for jsii's variable.
"""

from __future__ import annotations

import functools
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from dataclasses import dataclass
from types import ModuleType

CHOICE_ENV = "HYPERPOD_CDK"
PROVIDERS = ("aws", "helm", "kubernetes")


@dataclass(frozen=True)
class Runtime:
    name: str  # the value of HYPERPOD_CDK and of `make synth CDK=...`
    title: str
    core: str  # the CDK core package
    provider_prefix: str  # + "aws": the prebuilt provider binding package
    extra: str  # the pip extra that installs it

    def provider_package(self, provider: str) -> str:
        return self.provider_prefix + provider


RUNTIMES = {
    "cdktf": Runtime("cdktf", "CDKTF", "cdktf", "cdktf_cdktf_provider_", "cdktf"),
    "terrain": Runtime("terrain", "CDK Terrain", "cdktn", "cdktn_provider_", "terrain"),
}
DEFAULT = "cdktf"


class RuntimeUnavailable(ImportError):
    """No usable CDK runtime: the message says what was asked for and what is allowed or missing."""


def _installed(package: str) -> bool:
    return package in sys.modules or importlib.util.find_spec(package) is not None


def choose(environ: dict[str, str] | os._Environ = os.environ) -> Runtime:
    """The runtime to use (see the module docstring for the order)."""
    asked = environ.get(CHOICE_ENV)
    if asked:
        if asked not in RUNTIMES:
            raise RuntimeUnavailable(f"{CHOICE_ENV}={asked!r} is not a CDK runtime; allowed: "
                                     f"{', '.join(repr(name) for name in RUNTIMES)}")
        runtime = RUNTIMES[asked]
        if not _installed(runtime.core):
            raise RuntimeUnavailable(f"{CHOICE_ENV}={asked!r} asks for {runtime.title}, but its package "
                                     f"{runtime.core!r} is not installed: pip install 'hyperpod-cdktf[{runtime.extra}]'"
                                     + (" (make install-test installs it into .venv-terrain)"
                                        if runtime.name == "terrain" else ""))
        return runtime
    imported = [runtime for runtime in RUNTIMES.values() if runtime.core in sys.modules]
    if len(imported) == 1:
        return imported[0]
    installed = [runtime for runtime in RUNTIMES.values() if _installed(runtime.core)]
    if not installed:
        raise RuntimeUnavailable("no CDK runtime is installed: pip install 'hyperpod-cdktf[cdktf]' (CDKTF) or "
                                 "'hyperpod-cdktf[terrain]' (CDK Terrain)")
    return RUNTIMES[DEFAULT] if RUNTIMES[DEFAULT] in installed else installed[0]


@functools.cache
def runtime() -> Runtime:
    """The runtime of this process, chosen on first use (so `import hyperpod.runtime` itself never fails)."""
    return choose()


class _AliasLoader(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves `hyperpod.runtime.<name>[.<submodule>]` to the chosen runtime's real module (returned as is, so
    `sys.modules` holds one module object under both names and each jsii assembly loads once)."""

    @staticmethod
    def real_name(fullname: str) -> str | None:
        if not fullname.startswith(f"{__name__}."):
            return None
        head, _, rest = fullname.removeprefix(f"{__name__}.").partition(".")
        if head == "core":
            package = runtime().core
        elif head == "constructs":
            package = "constructs"
        elif head in PROVIDERS:
            package = runtime().provider_package(head)
        else:
            return None
        return package + (f".{rest}" if rest else "")

    def find_spec(self, fullname, path=None, target=None):
        if self.real_name(fullname) is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec) -> ModuleType:
        return importlib.import_module(self.real_name(spec.name))

    def exec_module(self, module: ModuleType) -> None:  # the real module is already executed
        pass


sys.meta_path.insert(0, _AliasLoader())
