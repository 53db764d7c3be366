"""Where the HyperPod Helm chart comes from, and its release.

These values reach `git` and `helm` on the machine that runs `terraform plan`, so each is held to the shape its
tool expects and nothing else: no leading `-` (an option), no whitespace or control characters, no transport other
than https and ssh (git's `ext::` runs commands, `file://` reads the planning machine), no path outside the checkout.
The fetch program refuses the same things again (hyperpod/helm_chart.py).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, model_validator

from hyperpod.config.errors import ConfigError, Problem, value_repr
from hyperpod.config.fields import GIT_SHA, Strict, matching

_HOST = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
_URL_PATH = r"[A-Za-z0-9._~%+-]+(?:/[A-Za-z0-9._~%+-]+)*/?"
_USER = r"[A-Za-z0-9_][A-Za-z0-9._-]*"
# git remotes: https://host[:port]/path, ssh://[user@]host[:port]/path, or scp-like user@host:path.
GIT_REPOSITORY = re.compile(
    rf"https://{_HOST}(?::[0-9]{{1,5}})?/{_URL_PATH}"
    rf"|ssh://(?:{_USER}@)?{_HOST}(?::[0-9]{{1,5}})?/{_URL_PATH}"
    rf"|{_USER}@{_HOST}:[A-Za-z0-9._~+][A-Za-z0-9._~%+/-]*")
# A relative path inside the repository: segments start with a letter, digit or underscore (so no `..`, no `.`,
# no option), then letters, digits, `.`, `_`, `-`.
CHART_PATH = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*(?:/[A-Za-z0-9_][A-Za-z0-9._-]*)*")
CHART_REPOSITORY = re.compile(rf"(?:https|oci)://{_HOST}(?::[0-9]{{1,5}})?(?:/{_URL_PATH})?")
# Semantic Versioning 2.0.0 (what Helm requires of a chart version): MAJOR.MINOR.PATCH, numbers without leading
# zeros, optional -pre.release and +build.metadata identifiers.
_NUMBER = r"(?:0|[1-9][0-9]*)"
_IDENTIFIER = r"[0-9A-Za-z-]+"
SEMVER = re.compile(rf"{_NUMBER}\.{_NUMBER}\.{_NUMBER}(?:-{_IDENTIFIER}(?:\.{_IDENTIFIER})*)?"
                    rf"(?:\+{_IDENTIFIER}(?:\.{_IDENTIFIER})*)?")
# Kubernetes DNS-1123 label (namespace names, at most 63); Helm release names follow it and stop at 53 characters
# (Helm's release name check, also the helm provider's `name` validation).
HELM_RELEASE_NAME = re.compile(r"[a-z0-9](?:[-a-z0-9]{0,51}[a-z0-9])?")
NAMESPACE = re.compile(r"[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?")
# A local folder: any path the user has, but never an option and never a control character (Cc) or line break.
LOCAL_PATH = re.compile(r"(?!-)[^\x00-\x1f\x7f-\x9f\u2028\u2029]{1,4096}")

GitRepository = Annotated[str, matching(GIT_REPOSITORY, "an https:// URL (https://host/path) or an ssh remote "
                                                        "(ssh://user@host/path or user@host:path)", tokens=False)]
GitRevision = Annotated[str, matching(GIT_SHA, "a full 40-character commit SHA (branches and tags move, so a deploy "
                                               "would not be repeatable)", tokens=False)]
ChartPath = Annotated[str, matching(CHART_PATH, "a relative folder inside the repository such as "
                                                "helm_chart/HyperPodHelmChart (letters, digits, . _ -; no .. segment, "
                                                "not absolute, not starting with -)", tokens=False)]
LocalPath = Annotated[str, matching(LOCAL_PATH, "a folder path not starting with - and without control characters",
                                    tokens=False)]
ChartRepository = Annotated[str, matching(CHART_REPOSITORY, "an https:// or oci:// chart repository URL",
                                          tokens=False)]
ChartVersion = Annotated[str, matching(SEMVER, "a chart version (semantic version such as 0.1.0 or 1.2.3-rc.1)",
                                       tokens=False)]
ReleaseName = Annotated[str, matching(HELM_RELEASE_NAME, "a Helm release name: 1-53 lowercase letters, digits and "
                                                         "hyphens, starting and ending with a letter or digit",
                                      tokens=False)]
Namespace = Annotated[str, matching(NAMESPACE, "a Kubernetes namespace name: 1-63 lowercase letters, digits and "
                                               "hyphens, starting and ending with a letter or digit", tokens=False)]


class HelmChartSource(Strict):
    """Where the HyperPod Helm chart comes from: git at the pinned commit unless `local_path` or `repository` is
    given. Synthesis never fetches it; `terraform plan` does."""

    git_repository: GitRepository = Field("https://github.com/aws/sagemaker-hyperpod-cli.git",
                                          description="Git repository holding the chart: an https:// URL or an ssh "
                                                      "remote (ssh://user@host/path or user@host:path).")
    git_revision: GitRevision = Field("011ca927123e02b35a399935bbb3ab1905fe33c7",
                                      description="Full commit SHA of that repository (never a branch: branches "
                                                  "move).")
    chart_path: ChartPath = Field("helm_chart/HyperPodHelmChart",
                                  description="Chart folder inside the repository (relative, no `..`).")
    local_path: LocalPath | None = Field(None, description="A prepared chart folder (dependencies already updated) to "
                                                           "use instead of git, e.g. in an air-gapped pipeline.")
    repository: ChartRepository | None = Field(None, description="A chart repository mirroring the chart (https:// "
                                                                 "or oci://) to use instead of git.")
    version: ChartVersion | None = Field(None, description="Chart version in `repository` (required with it).")
    release_name: ReleaseName = Field("hyperpod-dependencies", description="Helm release name (at most 53 "
                                                                           "characters).")
    namespace: Namespace = Field("kube-system", description="Namespace of the Helm release (the chart itself puts "
                                                            "its agents in aws-hyperpod).")

    @model_validator(mode="after")
    def _one_source(self) -> HelmChartSource:
        problems = helm_chart_problems(self.model_dump(), "hyperpod_helm_chart")
        if problems:
            raise ConfigError(problems)
        return self


def helm_chart_problems(chart: dict, path: str) -> list[Problem]:
    """Rules that span the chart's fields; works on raw (possibly invalid) data."""
    problems = []
    if chart.get("local_path") and chart.get("repository"):
        problems.append(Problem(f"{path}.repository", f"got {value_repr(chart['repository'])} together with "
                                "local_path; allowed: one source, local_path or repository (or neither for git)"))
    if chart.get("repository") and not chart.get("version"):
        problems.append(Problem(f"{path}.version", "required with repository; allowed: the chart version to install"))
    return problems
