"""The instance types HyperPod offers, and the accelerators each one carries.

The set is the one HyperPod's own CLI accepts (aws/sagemaker-hyperpod-cli, cli/constants/hyperpod_instance_types.py);
accelerator and EFA counts are the EC2 specifications of each type. Deep health checks only run on GPU and Trainium
instances, so the accelerator kind decides whether a group may ask for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AcceleratorKind = Literal["gpu", "trainium", "none"]


@dataclass(frozen=True)
class InstanceType:
    name: str
    accelerator: AcceleratorKind
    accelerators: int  # GPUs, or Trainium chips, per instance
    efa_interfaces: int

    @property
    def takes_deep_health_checks(self) -> bool:
        return self.accelerator != "none"


def _family(prefix: str, kind: AcceleratorKind, sizes: dict[str, tuple[int, int]]) -> dict[str, InstanceType]:
    return {
        f"ml.{prefix}.{size}": InstanceType(f"ml.{prefix}.{size}", kind, count, efa)
        for size, (count, efa) in sizes.items()
    }


def _cpu_family(prefix: str, sizes: str, efa_sizes: str = "") -> dict[str, InstanceType]:
    efa = set(efa_sizes.split())
    return _family(prefix, "none", {size: (0, int(size in efa)) for size in sizes.split()})


# size -> (accelerators, EFA interfaces)
_G5_G6 = {"xlarge": (1, 0), "2xlarge": (1, 0), "4xlarge": (1, 0), "8xlarge": (1, 1), "12xlarge": (4, 1),
          "16xlarge": (1, 1), "24xlarge": (4, 1), "48xlarge": (8, 1)}

CATALOG: dict[str, InstanceType] = {
    **_family("g5", "gpu", _G5_G6),
    **_family("g6", "gpu", _G5_G6),
    **_family("g6e", "gpu", {**_G5_G6, "24xlarge": (4, 2), "48xlarge": (8, 4)}),
    **_family("g7e", "gpu", {"2xlarge": (1, 0), "4xlarge": (1, 0), "8xlarge": (1, 1), "12xlarge": (2, 1),
                             "24xlarge": (4, 2), "48xlarge": (8, 4)}),
    **_family("gr6", "gpu", {"4xlarge": (1, 0), "8xlarge": (1, 1)}),
    **_family("p4d", "gpu", {"24xlarge": (8, 4)}),
    **_family("p4de", "gpu", {"24xlarge": (8, 4)}),
    **_family("p5", "gpu", {"4xlarge": (1, 1), "48xlarge": (8, 32)}),
    **_family("p5e", "gpu", {"48xlarge": (8, 32)}),
    **_family("p5en", "gpu", {"48xlarge": (8, 16)}),
    **_family("p6-b200", "gpu", {"48xlarge": (8, 8)}),
    **_family("p6-b300", "gpu", {"48xlarge": (8, 16)}),
    **_family("p6e-gb200", "gpu", {"36xlarge": (4, 0)}),
    **_family("trn1", "trainium", {"32xlarge": (16, 8)}),
    **_family("trn1n", "trainium", {"32xlarge": (16, 16)}),
    **_family("trn2", "trainium", {"3xlarge": (1, 1), "48xlarge": (16, 16)}),
    **_cpu_family("c5", "large xlarge 2xlarge 4xlarge 9xlarge 12xlarge 18xlarge 24xlarge"),
    **_cpu_family("c5n", "large 2xlarge 4xlarge 9xlarge 18xlarge", "9xlarge 18xlarge"),
    **_cpu_family("c6i", "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge", "32xlarge"),
    **_cpu_family("m5", "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge"),
    **_cpu_family("m6i", "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge", "32xlarge"),
    **_cpu_family("m7i", "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge", "48xlarge"),
    **_cpu_family("r6i", "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge", "32xlarge"),
    **_cpu_family("r7i", "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge", "48xlarge"),
    **_cpu_family("i3en", "large xlarge 2xlarge 3xlarge 6xlarge 12xlarge 24xlarge", "12xlarge 24xlarge"),
    **_cpu_family("t3", "medium large xlarge 2xlarge"),
}


# EFA-capable types the pinned chart's EFA device plugin does not schedule on: its `supportedInstanceLabels` omit
# them (aws/sagemaker-hyperpod-cli @011ca927, audit in HYPERPOD.md). Their EFA interfaces stay unused under the
# chart's plugin, so they do not switch it on; docs/addons.md says so.
EFA_PLUGIN_UNSCHEDULED = frozenset({"ml.c6i.32xlarge", "ml.m6i.32xlarge", "ml.r6i.32xlarge"})


def normalize(instance_type: str) -> str:
    """`p4d.24xlarge` and `ml.p4d.24xlarge` both name `ml.p4d.24xlarge`."""
    return instance_type if instance_type.startswith("ml.") else f"ml.{instance_type}"


def lookup(instance_type: str) -> InstanceType | None:
    return CATALOG.get(normalize(instance_type))


def device_plugins_needed(instance_types) -> frozenset[str]:
    """Which of the chart's device plugins ("nvidia", "neuron", "efa") instances of these types need: the stack turns
    them on from this and `hyperpod-status` expects their DaemonSets from it, so the two cannot disagree."""
    kinds = [kind for kind in map(lookup, instance_types) if kind is not None]
    needed = set()
    if any(kind.accelerator == "gpu" for kind in kinds):
        needed.add("nvidia")
    if any(kind.accelerator == "trainium" for kind in kinds):
        needed.add("neuron")
    if any(kind.efa_interfaces > 0 and kind.name not in EFA_PLUGIN_UNSCHEDULED for kind in kinds):
        needed.add("efa")
    return frozenset(needed)
