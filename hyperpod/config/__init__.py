"""The configuration model, one module per area: shared field types (`fields`), CDKTF tokens versus literal text
(`tokens`), tags, instance groups, the HyperPod Helm chart source, and the top-level `HyperPodConfig` with
`parse_config` (`model`). Problems are reported through
`errors`; `reference` generates docs/configuration.md's tables from these declarations.

Loads no CDKTF or provider binding, so validation alone stays fast.
"""

from hyperpod.config.addons import HyperPodAddons
from hyperpod.config.errors import ConfigError, Problem
from hyperpod.config.fsx_lustre import FsxLustre
from hyperpod.config.helm_chart import HelmChartSource
from hyperpod.config.instance_groups import InstanceGroup
from hyperpod.config.model import HyperPodConfig, cross_field_problems, parse_config
from hyperpod.config.tokens import is_token

__all__ = ["ConfigError", "FsxLustre", "HelmChartSource", "HyperPodAddons", "HyperPodConfig", "InstanceGroup", "Problem",
           "cross_field_problems",
           "is_token", "parse_config"]
