"""The HyperPod Kubernetes components: AWS's HyperPod Helm chart, installed before the cluster exists.

The chart is not published in a Helm repository. By default Terraform fetches it from aws/sagemaker-hyperpod-cli at a
pinned commit while it plans (an `external` data source running git and helm on the deploying machine, once per
revision and working directory), because the helm provider loads a local chart at plan time. Synthesis never touches
the network. A prepared local folder or a mirrored chart repository can replace the git fetch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from hyperpod.runtime.helm.release import Release
from hyperpod.runtime.constructs import Construct

from hyperpod.bindings.external import DataExternal, ExternalProvider
from hyperpod.config import HelmChartSource
from hyperpod.config.tokens import terraform_literal

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
# The values are data, never code or options, whatever the config said: they are never part of this text, any value
# starting with "-" is refused, "--" ends option parsing before every positional value, git may only use https and
# ssh (GIT_ALLOW_PROTOCOL overrides any git config; `ext::` would run a command, `file://` read this machine), the
# commit must be a full SHA and the chart folder a plain relative path (it lands in rm -rf, helm and the JSON).
FETCH_SCRIPT = """set -eu
refuse() {
  printf 'fetch-hyperpod-chart: refusing %s: %s\\n' "$1" "$2" >&2
  exit 2
}
repository=$1 revision=$2 chart=$3 cache=$4
for value in "$repository" "$revision" "$chart" "$cache"; do
  case $value in -*) refuse "a value starting with -" "$value" ;; esac
done
case $repository in
  *::* | *[[:space:][:cntrl:]]*) refuse "a repository other than an https:// URL or ssh remote" "$repository" ;;
  https://?* | ssh://?* | ?*@?*:?*) ;;
  *) refuse "a repository other than an https:// URL or ssh remote" "$repository" ;;
esac
case $revision in
  *[!0-9a-f]*) refuse "a revision other than a full commit SHA" "$revision" ;;
esac
[ "${#revision}" -eq 40 ] || refuse "a revision other than a full commit SHA" "$revision"
case /$chart/ in
  //* | */../* | */./* | *[!A-Za-z0-9._/-]*) refuse "a chart folder other than a relative path" "$chart" ;;
esac
export GIT_ALLOW_PROTOCOL=https:ssh GIT_PROTOCOL_FROM_USER=0 GIT_TERMINAL_PROMPT=0
dest="$cache/$revision"
cat >/dev/null
if [ ! -f "$dest/.ready" ]; then
  {
    rm -rf -- "$dest"
    git init -q -- "$dest"
    git -C "$dest" fetch -q --depth 1 -- "$repository" "$revision"
    git -C "$dest" checkout -q FETCH_HEAD --
    helm dependency update -- "$dest/$chart"
    touch -- "$dest/.ready"
  } >&2
fi
printf '{"chart_path":"%s"}\\n' "$dest/$chart"
"""


def fetch_program(chart: HelmChartSource) -> list[str]:
    """The command the external data source runs (as the process receives it)."""
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
            chart_ref = terraform_literal(chart.local_path)  # a path may hold ${ or %{: Terraform must not read them
        else:
            ExternalProvider(self, "external")
            # Terraform literals: the script's own ${#revision} must reach sh as written, not be read as a template.
            program = [terraform_literal(argument) for argument in fetch_program(chart)]
            self.chart_source = DataExternal(self, "chart-source", program=program)
            chart_ref = self.chart_source.result("chart_path")
        self.release = Release(
            self, "release", name=chart.release_name, namespace=chart.namespace, chart=chart_ref,
            repository=repository, version=version, values=[json.dumps(values, sort_keys=True, indent=2)],
            dependency_update=False, wait=True, timeout=900, atomic=True, cleanup_on_fail=True,
        )
        self.values = values
