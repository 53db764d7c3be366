"""The HyperPod Kubernetes components: AWS's HyperPod Helm chart, installed before the cluster exists.

The chart is not published in a Helm repository. By default Terraform fetches it from aws/sagemaker-hyperpod-cli at a
pinned commit while it plans (an `external` data source running git and helm on the deploying machine, once per
revision and working directory), because the helm provider loads a local chart at plan time. Synthesis never touches
the network. A prepared local folder or a mirrored chart repository can replace the git fetch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from cdktf_cdktf_provider_helm.release import Release
from constructs import Construct

from hyperpod.bindings.external import DataExternal, ExternalProvider
from hyperpod.config import HelmChartSource

CHART_CACHE = ".hyperpod-chart"  # relative to the Terraform working directory (the synthesized stack folder)


@dataclass(frozen=True)
class DevicePlugins:
    """Which device plugins the instance groups need (from their instance types)."""

    nvidia: bool
    neuron: bool
    efa: bool


def chart_values(*, region: str, training_operator: bool, device_plugins: DevicePlugins) -> dict:
    """Values for the HyperPod chart: every component the cluster relies on is set explicitly, not left to the
    chart's defaults, so a chart upgrade cannot silently switch one off."""
    return {
        "trainingOperators": {"enabled": training_operator},
        "health-monitoring-agent": {"enabled": True, "region": region},
        "deep-health-check": {"enabled": True},
        "job-auto-restart": {"enabled": True},
        "hyperpod-patching": {"enabled": True},
        "mpi-operator": {"enabled": False},
        "mlflow": {"enabled": False},
        "cert-manager": {"enabled": False},
        "inferenceOperators": {"enabled": False},
        "nvidia-device-plugin": {"devicePlugin": {"enabled": device_plugins.nvidia}},
        "neuron-device-plugin": {"devicePlugin": {"enabled": device_plugins.neuron}},
        "aws-efa-k8s-device-plugin": {"devicePlugin": {"enabled": device_plugins.efa}},
    }


# Runs under `sh -c` from the external data source: $1 repository, $2 commit, $3 chart folder, $4 cache folder.
# stdout must carry only the JSON result, so every tool's output goes to stderr (Terraform shows it on failure).
FETCH_SCRIPT = """set -eu
dest="$4/$2"
cat >/dev/null
if [ ! -f "$dest/.ready" ]; then
  {
    rm -rf "$dest"
    git init -q "$dest"
    git -C "$dest" fetch -q --depth 1 "$1" "$2"
    git -C "$dest" checkout -q FETCH_HEAD
    helm dependency update "$dest/$3"
    touch "$dest/.ready"
  } >&2
fi
printf '{"chart_path":"%s"}\\n' "$dest/$3"
"""


def fetch_program(chart: HelmChartSource) -> list[str]:
    return ["/bin/sh", "-c", FETCH_SCRIPT, "fetch-hyperpod-chart", chart.git_repository, chart.git_revision,
            chart.chart_path, CHART_CACHE]


class HyperPodHelmDependencies(Construct):
    """One Helm release of the HyperPod chart in `chart.namespace`; its agents land in `aws-hyperpod`."""

    def __init__(self, scope: Construct, id: str, *, chart: HelmChartSource, region: str, training_operator: bool,
                 device_plugins: DevicePlugins):
        super().__init__(scope, id)
        values = chart_values(region=region, training_operator=training_operator, device_plugins=device_plugins)
        repository = version = None
        if chart.repository:
            chart_ref, repository, version = "hyperpod-helm-chart", chart.repository, chart.version
        elif chart.local_path:
            chart_ref = chart.local_path
        else:
            ExternalProvider(self, "external")
            self.chart_source = DataExternal(self, "chart-source", program=fetch_program(chart))
            chart_ref = self.chart_source.result("chart_path")
        self.release = Release(
            self, "release", name=chart.release_name, namespace=chart.namespace, chart=chart_ref,
            repository=repository, version=version, values=[json.dumps(values, sort_keys=True, indent=2)],
            dependency_update=False, wait=True, timeout=900, atomic=True, cleanup_on_fail=True,
        )
        self.values = values
