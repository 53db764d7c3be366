"""SageMaker HyperPod on an existing EKS cluster, as CDKTF constructs.

    from hyperpod import HyperPodStack, HyperPod, parse_config

Exports are resolved lazily so that `hyperpod.config` and `hyperpod.status` load without CDKTF or any provider binding.
"""

from hyperpod import bindings as _bindings

# Must run before any construct module imports a prebuilt binding (see hyperpod/bindings/__init__.py).
_bindings.register()

_EXPORTS = {
    "HyperPodConfig": "hyperpod.config",
    "InstanceGroup": "hyperpod.config",
    "parse_config": "hyperpod.config",
    "ConfigError": "hyperpod.config",
    "EksCluster": "hyperpod.eks",
    "HyperPod": "hyperpod.stack",
    "HyperPodStack": "hyperpod.stack",
    "ExecutionRole": "hyperpod.execution_role",
    "LifecycleScripts": "hyperpod.lifecycle_scripts",
    "HyperPodCluster": "hyperpod.cluster",
    "HyperPodHelmDependencies": "hyperpod.addons",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'hyperpod' has no attribute {name!r}")
