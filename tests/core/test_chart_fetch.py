"""The plan-time chart fetch, run for real: a local git repository stands in for aws/sagemaker-hyperpod-cli, reached
over git's ssh transport through a stand-in `ssh` (the fetch program allows https and ssh only)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from hyperpod.helm_chart import CHART_CACHE, FETCH_SCRIPT, fetch_program
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


REMOTE = "git@example.invalid:aws/sagemaker-hyperpod-cli.git"


@pytest.fixture(scope="module")
def fake_ssh(tmp_path_factory, chart_repo):
    """Environment for git's ssh transport that serves the local repository whatever host and path git asks for."""
    repo, _ = chart_repo
    ssh = tmp_path_factory.mktemp("ssh") / "ssh"
    ssh.write_text('#!/bin/sh\nexec git-upload-pack "$FAKE_SSH_REPOSITORY"\n')
    ssh.chmod(0o755)
    return {"GIT_SSH_COMMAND": str(ssh), "GIT_SSH_VARIANT": "simple", "FAKE_SSH_REPOSITORY": str(repo)}


def run_program(program: list[str], cwd, env: dict | None = None) -> subprocess.CompletedProcess:
    # As the external provider runs it: a JSON query on stdin, JSON expected on stdout.
    return subprocess.run(program, cwd=cwd, input="{}", capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_fetches_the_pinned_commit_and_updates_dependencies_once(chart_repo, fake_ssh, tmp_path):
    repo, sha = chart_repo
    program = fetch_program(HelmChartSource(git_repository=REMOTE, git_revision=sha))
    first = run_program(program, tmp_path, fake_ssh)
    assert first.returncode == 0, first.stderr
    path = json.loads(first.stdout)["chart_path"]
    assert path == f"{CHART_CACHE}/{sha}/helm_chart/HyperPodHelmChart"
    assert (tmp_path / path / "Chart.yaml").is_file()
    assert (tmp_path / path / "charts" / "agent-0.1.0.tgz").is_file()  # helm dependency update ran
    assert (tmp_path / CHART_CACHE / sha / ".ready").is_file()
    # Every later plan reuses the checkout: no git or helm call, same answer.
    os.utime(tmp_path / CHART_CACHE / sha / ".ready", (0, 0))
    second = run_program(program, tmp_path, fake_ssh)
    assert second.returncode == 0 and json.loads(second.stdout) == {"chart_path": path}
    assert second.stderr == ""


def test_unknown_commit_fails_with_git_message_and_no_json(chart_repo, fake_ssh, tmp_path):
    program = fetch_program(HelmChartSource(git_repository=REMOTE, git_revision="0" * 40))
    result = run_program(program, tmp_path, fake_ssh)
    assert result.returncode != 0
    assert result.stdout == ""
    assert "0000000000000000000000000000000000000000" in result.stderr or "fatal" in result.stderr
    assert not (tmp_path / CHART_CACHE / ("0" * 40) / ".ready").exists()


def test_fetch_script_is_shellcheck_clean(tmp_path):
    script = tmp_path / "fetch.sh"
    script.write_text("#!/bin/sh\n" + FETCH_SCRIPT)
    result = subprocess.run(["shellcheck", "-s", "sh", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


# --- hostile arguments: the program itself runs nothing it is handed, whatever the config validation let through --

def hostile_run(tmp_path, repository: str, revision: str, chart: str = "helm_chart/HyperPodHelmChart",
                env: dict | None = None) -> subprocess.CompletedProcess:
    """The fetch program called directly with raw arguments (as if validation had been bypassed), from a throwaway
    working directory, with git configured by a user who allows every transport (so only the program can stop it)."""
    config = tmp_path / "gitconfig"
    config.write_text("[protocol]\n\tallow = always\n[protocol \"ext\"]\n\tallow = always\n")
    program = ["/bin/sh", "-c", FETCH_SCRIPT, "fetch-hyperpod-chart", repository, revision, chart, CHART_CACHE]
    return run_program(program, tmp_path, {"GIT_CONFIG_GLOBAL": str(config), **(env or {})})


@pytest.mark.parametrize("repository", [
    "--upload-pack=touch {marker};",
    "--upload-pack=touch {marker}",
    "ext::sh -c touch% {marker}",
    "ext::sh -c touch% {marker}%",
    "ssh://-oProxyCommand=touch%20{marker}/repo",
    "-oProxyCommand=touch {marker}",
    "file://{origin}",
    "{origin}",
    "https://example.invalid/repo.git\n--upload-pack=touch {marker}",
], ids=["upload-pack", "upload-pack-plain", "ext", "ext-trailing", "ssh-proxycommand", "ssh-option", "file-url",
        "local-path", "newline"])
def test_hostile_repository_runs_nothing(chart_repo, tmp_path, repository):
    origin, sha = chart_repo
    marker = tmp_path / "marker"
    result = hostile_run(tmp_path, repository.format(marker=marker, origin=origin), sha)
    assert result.returncode != 0
    assert result.stdout == ""
    assert not marker.exists(), f"the fetch program ran a command: {result.stderr}"
    assert not (tmp_path / CHART_CACHE / sha / ".ready").exists()


def test_hostile_revision_and_chart_run_nothing_and_remove_nothing(chart_repo, fake_ssh, tmp_path):
    _, sha = chart_repo
    marker = tmp_path / "marker"
    keep = tmp_path / "keep"
    keep.mkdir()
    cases = [(f"--upload-pack=touch {marker}", "helm_chart/HyperPodHelmChart"),
             ("../keep", "helm_chart/HyperPodHelmChart"),      # would be rm -rf .hyperpod-chart/../keep
             (sha.upper(), "helm_chart/HyperPodHelmChart"),
             (sha, "../../keep"),
             (sha, "/etc"),
             (sha, "--help"),
             (sha, 'chart","chart_path":"/etc')]                # would break out of the JSON answer
    for revision, chart in cases:
        result = hostile_run(tmp_path, REMOTE, revision, chart, fake_ssh)
        assert result.returncode == 2, (revision, chart, result.stderr)
        assert result.stdout == "" and "fetch-hyperpod-chart: refusing" in result.stderr
    assert not marker.exists() and keep.is_dir()


def test_refuses_before_touching_the_cache(chart_repo, tmp_path):
    _, sha = chart_repo
    result = hostile_run(tmp_path, "ext::sh -c id", sha)
    assert result.returncode == 2
    assert "refusing a repository other than an https:// URL or ssh remote" in result.stderr
    assert not (tmp_path / CHART_CACHE).exists()


def test_git_itself_is_held_to_https_and_ssh(chart_repo, tmp_path):
    """A value that passes the program's shape check but that git reads as another transport is still refused by
    git: the program allows https and ssh only, over the user's git configuration (which here allows everything)."""
    origin, sha = chart_repo
    local = tmp_path / "mirror@host:repo"  # user@host:path in shape, a local path (file transport) to git
    shutil.copytree(origin, local)
    result = hostile_run(tmp_path, str(local), sha)
    assert result.returncode != 0 and result.stdout == ""
    assert "transport 'file' not allowed" in result.stderr
    assert not (tmp_path / CHART_CACHE / sha / ".ready").exists()
