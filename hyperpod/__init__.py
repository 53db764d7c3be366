"""SageMaker HyperPod on an existing EKS cluster, as CDKTF constructs.

    from hyperpod import HyperPodStack, HyperPod, parse_config

Exports are resolved lazily so that `hyperpod.config` and `hyperpod.status` load without CDKTF or any provider binding.
"""

import os as _os

# jsii's Node runtime prints a large end-of-life banner on Node 20 unless this variable names that major version. It
# reads the variable when it starts (when cdktf is first imported), so it is set here, before any jsii import, and
# never over a user's own value. (An app that imports cdktf before hyperpod has started jsii already: set it there.)
_os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from hyperpod import bindings as _bindings  # noqa: E402

# Must run before any construct module imports a prebuilt binding (see hyperpod/bindings/__init__.py).
_bindings.register()

_EXPORTS = {
    "HyperPodConfig": "hyperpod.config",
    "InstanceGroup": "hyperpod.config",
    "parse_config": "hyperpod.config",
    "ConfigError": "hyperpod.config",
    "AwsContext": "hyperpod.eks",
    "EksCluster": "hyperpod.eks",
    "HyperPod": "hyperpod.stack",
    "HyperPodStack": "hyperpod.stack",
    "ExecutionRole": "hyperpod.execution_role",
    "LifecycleScripts": "hyperpod.lifecycle_bucket",
    "LifecycleScriptsBucket": "hyperpod.lifecycle_bucket",
    "shipped_scripts": "hyperpod.lifecycle_bucket",
    "read_scripts": "hyperpod.lifecycle_bucket",
    "HyperPodCluster": "hyperpod.cluster",
    "InstanceNetwork": "hyperpod.cluster",
    "HyperPodHelmDependencies": "hyperpod.helm_chart",
    "lazy_provider_modules": "hyperpod.bindings.node",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'hyperpod' has no attribute {name!r}")
