"""The output folder beside Terraform (issue 22, part 1): a synthesis refuses while Terraform holds the lock of a state
it would write beside (a real `terraform apply` runs meanwhile), and under the cdktf CLI refuses what the CLI would
delete."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import main_in_process
from tests.core.output_folders import STACK, write_config, synthesize


# Terraform's own lock: a real `terraform apply` holds it while the synthesis is attempted.

def terraform_environment(tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "terraform.rc"
    config.write_text("")  # no provider installation from a registry: terraform_data is built in
    return {**os.environ, "TF_CLI_CONFIG_FILE": str(config), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1",
            "TF_INPUT": "0", "NO_COLOR": "1"}


def test_synthesis_is_refused_while_terraform_applies_in_the_stack_folder(tmp_path):
    terraform = shutil.which("terraform")
    assert terraform, "terraform (1.11) must be on PATH"
    out = tmp_path / "out"
    stack = out / STACK
    stack.mkdir(parents=True)
    started, go = tmp_path / "started", tmp_path / "go"
    # The apply creates a resource, then waits in its provisioner until the test has attempted the synthesis.
    (stack / "main.tf.json").write_text(json.dumps({
        "terraform": {"backend": {"local": {"path": "terraform.hyperpod.tfstate"}}},
        "resource": {"terraform_data": {"waiting": {"input": "kept", "provisioner": [{"local-exec": {
            "command": f"touch '{started}'; while [ ! -e '{go}' ]; do sleep 0.05; done"}}]}}}}))
    env = terraform_environment(tmp_path)
    init = subprocess.run([terraform, "init", "-no-color"], cwd=stack, env=env, capture_output=True, text=True,
                          timeout=120)
    assert init.returncode == 0, init.stdout + init.stderr
    apply = subprocess.Popen([terraform, "apply", "-auto-approve", "-no-color"], cwd=stack, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        while not started.exists():
            assert apply.poll() is None, apply.communicate()[0]
            os.sched_yield()
        result = synthesize(out)
    finally:
        go.touch()
        output, _ = apply.communicate(timeout=120)
    assert result.returncode == 2, result.stderr
    lock_info = stack / ".terraform.hyperpod.tfstate.lock.info"
    assert result.stderr.startswith(f"error: Terraform holds the lock on {stack / 'terraform.hyperpod.tfstate'} "
                                    f"({lock_info}: OperationTypeApply by ")
    assert result.stderr.endswith("; run again when it has finished; nothing was written\n")
    assert result.stderr.count("\n") == 1
    assert apply.returncode == 0, output
    assert not (stack / "cdk.tf.json").exists()
    state = json.loads((stack / "terraform.hyperpod.tfstate").read_text())
    assert [r["type"] for r in state["resources"]] == ["terraform_data"]
    assert state["resources"][0]["instances"][0]["attributes"]["input"]["value"] == "kept"
    # Terraform is done: the synthesis goes ahead beside its files.
    assert synthesize(out).returncode == 0
    assert json.loads((stack / "terraform.hyperpod.tfstate").read_text()) == state
    assert (stack / "main.tf.json").is_file() and (stack / ".terraform").is_dir()


def test_a_stale_lock_info_without_terraform_does_not_block(tmp_path):
    out = tmp_path / "out"
    stack = out / STACK
    stack.mkdir(parents=True)
    (stack / "terraform.hyperpod.tfstate").write_text('{"serial": 1}')
    (stack / ".terraform.hyperpod.tfstate.lock.info").write_text('{"Operation": "OperationTypeApply"}')
    result = synthesize(out)  # a killed terraform leaves the info; its fcntl lock went with the process
    assert result.returncode == 0, result.stderr
    assert (stack / "terraform.hyperpod.tfstate").read_text() == '{"serial": 1}'


def test_a_lock_held_by_another_process_on_a_workspace_state_refuses(tmp_path):
    """The same fcntl lock Terraform takes (F_SETLK, whole file), held by a helper process on a workspace's state."""
    out = tmp_path / "out"
    workspace = out / STACK / "terraform.tfstate.d" / "staging"
    workspace.mkdir(parents=True)
    state = workspace / "terraform.hyperpod.tfstate"
    state.write_text("{}")
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR); fcntl.lockf(fd, fcntl.LOCK_EX); "
        "print('held', flush=True); sys.stdin.read()"), str(state)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        result = synthesize(out)
    finally:
        holder.communicate("")
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: Terraform holds the lock on {state} (")
    assert not (out / STACK / "cdk.tf.json").exists()


# `cdktf synth` deletes every stack folder its new manifest.json does not list (@cdktf/cli-core, synth-stack.js).

CDKTF_CLI_ENV = {"CDKTF_OUTDIR": "", "CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS": "true"}


def two_environments(tmp_path: Path) -> tuple[Path, Path, Path]:
    out = tmp_path / "out"
    dev, prod = write_config(tmp_path, stack_name="hp-dev"), write_config(tmp_path, stack_name="hp-prod",
                                                                          hyperpod_cluster_name="prod-cluster")
    assert synthesize(out, "--config", str(dev), "--config", str(prod)).returncode == 0
    state = out / "stacks" / "hp-prod" / "terraform.hp-prod.tfstate"
    state.write_text('{"serial": 4}')
    return out, dev, state


def test_under_the_cdktf_cli_a_stack_folder_it_would_delete_is_refused(tmp_path):
    out, dev, state = two_environments(tmp_path)
    result = main_in_process("--config", str(dev), env={**CDKTF_CLI_ENV, "CDKTF_OUTDIR": str(out)})
    assert result.returncode == 3, result.stderr
    assert (f"refused: the cdktf CLI deletes every stack folder the new synthesis does not list, and 1 hold(s) "
            f"Terraform's or your files; nothing was written.\n  - {state.parent} (terraform.hp-prod.tfstate)\n"
            "Name their configs in HYPERPOD_CONFIG too") in result.stderr
    allowed = main_in_process("--config", str(dev), env={**CDKTF_CLI_ENV, "CDKTF_OUTDIR": str(out),
                                                         "HYPERPOD_ALLOW_REPLACE": "1"})
    assert allowed.returncode == 0 and "the cdktf CLI will now delete 1 stack folder(s)" in allowed.stderr


def test_main_py_keeps_other_folders_so_needs_no_refusal(tmp_path):
    out, dev, state = two_environments(tmp_path)
    assert synthesize(out, "--config", str(dev)).returncode == 0
    assert state.read_text() == '{"serial": 4}'
