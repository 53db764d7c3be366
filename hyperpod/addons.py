"""The HyperPod Kubernetes components: AWS's HyperPod Helm chart, installed before the cluster exists.

The chart is not published in a Helm repository. By default Terraform fetches it at apply time from
aws/sagemaker-hyperpod-cli at a pinned commit (a `terraform_data` with a local-exec step: git and helm on the
deploying machine), so synthesis never touches the network. A prepared local folder or a mirrored chart repository
can replace the git fetch.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass

from cdktf import DataResource, LocalExecProvisioner
from cdktf_cdktf_provider_helm.release import Release
from constructs import Construct

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


def fetch_command(chart: HelmChartSource) -> str:
    """Shell that materialises the chart at the pinned commit, once per revision."""
    dest = f"{CHART_CACHE}/{chart.git_revision}"
    q = shlex.quote
    return " && ".join([
        "set -eu",
        f"if [ -f {q(dest)}/.ready ]; then exit 0; fi",
        f"rm -rf {q(dest)}",
        f"git init -q {q(dest)}",
        f"git -C {q(dest)} fetch -q --depth 1 {q(chart.git_repository)} {q(chart.git_revision)}",
        f"git -C {q(dest)} checkout -q FETCH_HEAD",
        f"helm dependency update {q(dest + '/' + chart.chart_path)}",
        f"touch {q(dest)}/.ready",
    ])


class HyperPodHelmDependencies(Construct):
    """One Helm release of the HyperPod chart in `chart.namespace`; its agents land in `aws-hyperpod`."""

    def __init__(self, scope: Construct, id: str, *, chart: HelmChartSource, region: str, training_operator: bool,
                 device_plugins: DevicePlugins):
        super().__init__(scope, id)
        values = chart_values(region=region, training_operator=training_operator, device_plugins=device_plugins)
        depends_on = []
        repository = version = None
        if chart.repository:
            chart_ref, repository, version = "hyperpod-helm-chart", chart.repository, chart.version
        elif chart.local_path:
            chart_ref = chart.local_path
        else:
            fetch = DataResource(
                self, "chart-source",
                triggers_replace={"repository": chart.git_repository, "revision": chart.git_revision,
                                  "path": chart.chart_path},
                provisioners=[LocalExecProvisioner(type="local-exec", command=fetch_command(chart),
                                                   interpreter=["/bin/sh", "-c"])],
            )
            depends_on.append(fetch)
            chart_ref = f"./{CHART_CACHE}/{chart.git_revision}/{chart.chart_path}"
        self.release = Release(
            self, "release", name=chart.release_name, namespace=chart.namespace, chart=chart_ref,
            repository=repository, version=version, values=[json.dumps(values, sort_keys=True, indent=2)],
            dependency_update=False, wait=True, timeout=900, atomic=True, cleanup_on_fail=True,
            depends_on=depends_on or None,
        )
        self.values = values
