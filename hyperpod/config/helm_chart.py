"""Where the HyperPod Helm chart comes from, and its release."""

from __future__ import annotations

from pydantic import Field, model_validator

from hyperpod.config.errors import ConfigError, Problem, value_repr
from hyperpod.config.fields import GIT_SHA, Strict


class HelmChartSource(Strict):
    """Where the HyperPod Helm chart comes from: git at the pinned commit unless `local_path` or `repository` is
    given. Synthesis never fetches it; `terraform plan` does."""

    git_repository: str = Field("https://github.com/aws/sagemaker-hyperpod-cli.git",
                                description="Git repository holding the chart.")
    git_revision: str = Field("011ca927123e02b35a399935bbb3ab1905fe33c7",
                              description="Full commit SHA of that repository (never a branch: branches move).")
    chart_path: str = Field("helm_chart/HyperPodHelmChart", description="Chart folder inside the repository.")
    local_path: str | None = Field(None, description="A prepared chart folder (dependencies already updated) to use "
                                                     "instead of git, e.g. in an air-gapped pipeline.")
    repository: str | None = Field(None, description="A chart repository mirroring the chart (https:// or oci://) "
                                                     "to use instead of git.")
    version: str | None = Field(None, description="Chart version in `repository` (required with it).")
    release_name: str = Field("hyperpod-dependencies", description="Helm release name.")
    namespace: str = Field("kube-system", description="Namespace of the Helm release (the chart itself puts its "
                                                      "agents in aws-hyperpod).")

    @model_validator(mode="after")
    def _one_source(self) -> HelmChartSource:
        problems = helm_chart_problems(self.model_dump(), "hyperpod_helm_chart")
        if problems:
            raise ConfigError(problems)
        return self



def helm_chart_problems(chart: dict, path: str) -> list[Problem]:
    problems = []
    if chart.get("local_path") and chart.get("repository"):
        problems.append(Problem(f"{path}.repository", f"got {value_repr(chart['repository'])} together with "
                                "local_path; allowed: one source, local_path or repository (or neither for git)"))
    if chart.get("repository") and not chart.get("version"):
        problems.append(Problem(f"{path}.version", "required with repository; allowed: the chart version to install"))
    revision = chart.get("git_revision")
    if isinstance(revision, str) and not GIT_SHA.match(revision):
        problems.append(Problem(f"{path}.git_revision", f"got {value_repr(revision)}; allowed: a full 40-character "
                                "commit SHA (branches and tags move, so a deploy would not be repeatable)"))
    return problems
