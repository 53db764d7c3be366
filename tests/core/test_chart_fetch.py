"""The plan-time chart fetch, run for real: a local git repository stands in for aws/sagemaker-hyperpod-cli."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from hyperpod.addons import CHART_CACHE, FETCH_SCRIPT, fetch_program
from hyperpod.config import HelmChartSource


def git(*args: str, cwd) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def chart_repo(tmp_path_factory):
    """A repository holding a chart with a local (file://) dependency, like the HyperPod chart's subcharts."""
    assert shutil.which("helm"), "helm is missing: run `make install-test`"
    repo = tmp_path_factory.mktemp("sagemaker-hyperpod-cli")
    chart = repo / "helm_chart" / "HyperPodHelmChart"
    (chart / "charts" / "agent" / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: hyperpod-helm-chart\nversion: 0.1.0\ndependencies:\n"
                                      "  - name: agent\n    version: 0.1.0\n    repository: file://charts/agent\n")
    (chart / "charts" / "agent" / "Chart.yaml").write_text("apiVersion: v2\nname: agent\nversion: 0.1.0\n")
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "chart", cwd=repo)
    return repo, git("rev-parse", "HEAD", cwd=repo)


def run_program(program: list[str], cwd) -> subprocess.CompletedProcess:
    # As the external provider runs it: a JSON query on stdin, JSON expected on stdout.
    return subprocess.run(program, cwd=cwd, input="{}", capture_output=True, text=True, timeout=120)


def test_fetches_the_pinned_commit_and_updates_dependencies_once(chart_repo, tmp_path):
    repo, sha = chart_repo
    program = fetch_program(HelmChartSource(git_repository=f"file://{repo}", git_revision=sha))
    first = run_program(program, tmp_path)
    assert first.returncode == 0, first.stderr
    path = json.loads(first.stdout)["chart_path"]
    assert path == f"{CHART_CACHE}/{sha}/helm_chart/HyperPodHelmChart"
    assert (tmp_path / path / "Chart.yaml").is_file()
    assert (tmp_path / path / "charts" / "agent-0.1.0.tgz").is_file()  # helm dependency update ran
    assert (tmp_path / CHART_CACHE / sha / ".ready").is_file()
    # Every later plan reuses the checkout: no git or helm call, same answer.
    os.utime(tmp_path / CHART_CACHE / sha / ".ready", (0, 0))
    second = run_program(program, tmp_path)
    assert second.returncode == 0 and json.loads(second.stdout) == {"chart_path": path}
    assert second.stderr == ""


def test_unknown_commit_fails_with_git_message_and_no_json(chart_repo, tmp_path):
    repo, _ = chart_repo
    program = fetch_program(HelmChartSource(git_repository=f"file://{repo}", git_revision="0" * 40))
    result = run_program(program, tmp_path)
    assert result.returncode != 0
    assert result.stdout == ""
    assert "0000000000000000000000000000000000000000" in result.stderr or "fatal" in result.stderr
    assert not (tmp_path / CHART_CACHE / ("0" * 40) / ".ready").exists()


def test_fetch_script_is_shellcheck_clean(tmp_path):
    script = tmp_path / "fetch.sh"
    script.write_text("#!/bin/sh\n" + FETCH_SCRIPT)
    result = subprocess.run(["shellcheck", "-s", "sh", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
