"""Terraform provider bindings, loaded so that synthesis pays only for the resource types it uses.

The prebuilt `cdktf_cdktf_provider_aws` package's `__init__` (and CDK Terrain's `cdktn_provider_aws`) imports all of its
~2,200 submodules (about 15 s and 600 MB here) although a stack uses a dozen. `register()` registers each installed
package as a bare module whose submodules import on demand (hyperpod/runtime chooses which runtime's packages the
constructs use). User code keeps working: `from
cdktf_cdktf_provider_aws.s3_bucket import S3Bucket` imports that submodule, and attribute access on the package
(`cdktf_cdktf_provider_aws.s3_bucket`) imports it lazily. If the package was already imported in full, it is used as is.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType

PREBUILT = ("cdktf_cdktf_provider_aws", "cdktf_cdktf_provider_helm", "cdktf_cdktf_provider_kubernetes",  # CDKTF
            "cdktn_provider_aws", "cdktn_provider_helm", "cdktn_provider_kubernetes", "cdktn_provider_awscc")  # Terrain


def _lazy_package(package: str) -> None:
    if package in sys.modules:
        return
    spec = importlib.util.find_spec(package)
    if spec is None:  # the other runtime's package, or none: importing it fails as usual
        return
    module = importlib.util.module_from_spec(spec)

    def __getattr__(name: str) -> ModuleType:  # PEP 562: `package.submodule` without a prior import
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return importlib.import_module(f"{package}.{name}")
        except ModuleNotFoundError as missing:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from missing

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules[package] = module


def register() -> None:
    """Make the installed prebuilt provider packages import lazily. Called by `hyperpod/__init__.py`, before any
    construct module imports a binding (`from hyperpod.runtime.aws.x import X`) and before user code's own
    `from cdktf_cdktf_provider_aws.x import X`."""
    for package in PREBUILT:
        _lazy_package(package)
