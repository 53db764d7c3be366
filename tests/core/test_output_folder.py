"""The output folder is the user's too (issue 22, part 1): Terraform works in each stack folder, and with the local
backend the state lives there. A synthesis replaces only the files it owns, each by a temporary file renamed in its
own folder; it keeps every other file, the folders and their links; one run at a time holds the output folder; and
it refuses while Terraform holds the lock of a state it would write beside."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, main_in_process, minimal_config

STACK = Path("stacks/hyperpod")
PRODUCTION = str(EXAMPLES / "production.tfvars.json")


def write_config(directory: Path, **overrides) -> Path:
    path = directory / f"config-{len(list(directory.glob('config-*')))}.json"
    path.write_text(json.dumps(minimal_config(**overrides)))
    return path


def synthesize(out: Path, *args: str, env: dict | None = None):
    return main_in_process("--out", str(out), *args, env=env)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# Terraform's files and the user's own: a saved plan, override files (Terraform merges them into the stack), the
# state and its backup, the providers' folder and the lock file.
USER_FILES = {"tfplan": "plan", "backend_override.tf": 'terraform { backend "local" {} }',
              "override.tf.json": '{"locals": {"x": 1}}', "terraform.hyperpod.tfstate": '{"serial": 7}',
              "terraform.hyperpod.tfstate.backup": '{"serial": 6}', ".terraform/providers/plugin": "binary",
              ".terraform.lock.hcl": "# lock", "notes/runbook.md": "# ours, not the synthesis's"}


def add_user_files(stack: Path) -> None:
    for name, content in USER_FILES.items():
        (stack / name).parent.mkdir(parents=True, exist_ok=True)
        (stack / name).write_text(content)


def assert_user_files(stack: Path) -> None:
    assert {name: (stack / name).read_text() for name in USER_FILES} == USER_FILES


def test_a_synthesis_replaces_only_its_own_files(tmp_path):
    out = tmp_path / "out"
    assert synthesize(out).returncode == 0
    stack = out / STACK
    add_user_files(stack)
    folder_before = os.stat(stack)
    result = synthesize(out, "--config", PRODUCTION, "--allow-replace")
    assert result.returncode == 0, result.stderr
    assert_user_files(stack)
    assert os.stat(stack).st_ino == folder_before.st_ino  # the same folder, not a new one swapped in
    assert json.loads((stack / "cdk.tf.json").read_text())["resource"]["awscc_sagemaker_cluster"]
    owned = json.loads((out / ".hyperpod-synthesis.json").read_text())["files"]
    assert sorted(owned) == ["manifest.json", "stacks/hyperpod/cdk.tf.json"]
    assert owned["stacks/hyperpod/cdk.tf.json"] == hashlib.sha256((stack / "cdk.tf.json").read_bytes()).hexdigest()
    # Nothing of the run is left behind: no scratch folder, no temporary file, next to or inside --out.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert sorted(p.name for p in out.iterdir()) == [".hyperpod-synthesis.json", ".hyperpod.lock", "manifest.json",
                                                     "stacks"]
    assert sorted(p.name for p in stack.iterdir()) == sorted({".terraform", ".terraform.lock.hcl", "cdk.tf.json",
                                                              "notes", *USER_FILES} - {".terraform/providers/plugin",
                                                                                       "notes/runbook.md"})


def test_other_stacks_folders_are_kept(tmp_path):
    out = tmp_path / "out"
    other = out / "stacks" / "hp-prod"
    other.mkdir(parents=True)
    (other / "terraform.hp-prod.tfstate").write_text('{"serial": 3}')
    assert synthesize(out).returncode == 0
    assert (other / "terraform.hp-prod.tfstate").read_text() == '{"serial": 3}'


@pytest.mark.parametrize("linked", ["stacks", "stacks/hyperpod"])
def test_linked_folders_stay_links_and_keep_the_state(tmp_path, linked):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    (elsewhere / "hyperpod").mkdir(parents=True)
    (elsewhere / "hyperpod" / "terraform.hyperpod.tfstate").write_text('{"serial": 9}')
    (out / "stacks").mkdir(parents=True)
    target = elsewhere if linked == "stacks" else elsewhere / "hyperpod"
    if linked == "stacks":
        (out / "stacks").rmdir()
    (out / linked).symlink_to(target, target_is_directory=True)
    for _ in range(2):  # the first synthesis into the link, then a re-synthesis
        result = synthesize(out)
        assert result.returncode == 0, result.stderr
        assert (out / linked).is_symlink() and os.readlink(out / linked) == str(target)
        assert (elsewhere / "hyperpod" / "terraform.hyperpod.tfstate").read_text() == '{"serial": 9}'
        assert (elsewhere / "hyperpod" / "cdk.tf.json").is_file()


def test_every_rename_stays_in_its_folder_so_another_file_system_works(tmp_path, monkeypatch):
    """A mount point or a container volume as --out: a rename between folders may cross devices (EXDEV). Here every
    rename between two folders fails the way it would across devices; the synthesis must not need one."""
    renames: list[tuple[str, str]] = []

    def same_folder_only(real):
        def rename(source, target, *args, **kwargs):
            renames.append((os.fspath(source), os.fspath(target)))
            if os.path.dirname(os.path.abspath(source)) != os.path.dirname(os.path.abspath(target)):
                raise OSError(errno.EXDEV, "Invalid cross-device link")
            return real(source, target, *args, **kwargs)
        return rename

    monkeypatch.setattr(os, "rename", same_folder_only(os.rename))
    monkeypatch.setattr(os, "replace", same_folder_only(os.replace))
    out = tmp_path / "out"
    for config in ([], ["--config", PRODUCTION, "--allow-replace"]):
        result = synthesize(out, *config)
        assert result.returncode == 0, result.stderr
    written = {os.path.abspath(target) for _, target in renames}
    assert {str(out / STACK / "cdk.tf.json"), str(out / "manifest.json")} <= written


def test_failed_write_is_exit_one_and_leaves_the_old_output(tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert synthesize(out).returncode == 0
    add_user_files(out / STACK)
    before = snapshot(out)
    real_fsync, calls = os.fsync, []

    def full_disk(fd):  # the second file of the new synthesis cannot be written
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full_disk)
    result = synthesize(out, "--config", PRODUCTION, "--allow-replace")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (f"error: --out {out}: writing the synthesis failed (No space left on "
                                              "device); what was there before is unchanged")
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_second_run_on_the_same_output_folder_is_refused(tmp_path):
    out = tmp_path / "out"
    assert synthesize(out).returncode == 0
    add_user_files(out / STACK)
    before = snapshot(out)
    lock = out / ".hyperpod.lock"
    with open(lock, "a") as held:  # another run holds the output folder (its own open file: flock excludes it)
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = synthesize(out, "--config", PRODUCTION, "--allow-replace")
    assert result.returncode == 2
    assert result.stderr == (f"error: --out {out}: another synthesis is writing this output folder (it holds "
                             f"{lock}); run again when it has finished; nothing was written\n")
    assert snapshot(out) == before
    assert synthesize(out, "--config", PRODUCTION, "--allow-replace").returncode == 0  # released: free again


def test_check_needs_no_lock(tmp_path):
    out = tmp_path / "out"
    assert synthesize(out).returncode == 0
    with open(out / ".hyperpod.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert main_in_process("--check", "--out", str(out)).returncode == 0


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_files_an_earlier_synthesis_owned_are_removed_only_when_provably_ours(tmp_path):
    """A file the record names, unchanged since, is removed when the new synthesis no longer writes it (a dropped
    asset, cdk.tf.json after a switch to HCL output); a changed one, an unrecorded one and anything the record
    names outside the stack's folder are kept."""
    out = tmp_path / "out"
    assert synthesize(out).returncode == 0
    stack = out / STACK
    (stack / "assets" / "old").mkdir(parents=True)
    dropped, edited, foreign = stack / "assets" / "old" / "script.sh", stack / "edited.json", tmp_path / "keep.txt"
    for path in (dropped, edited, foreign):
        path.write_text(f"content of {path.name}")
    record_path = out / ".hyperpod-synthesis.json"
    record = json.loads(record_path.read_text())
    record["files"].update({"stacks/hyperpod/assets/old/script.sh": sha(dropped),
                            "stacks/hyperpod/edited.json": sha(dropped), "../keep.txt": sha(foreign),
                            "stacks/hyperpod/../../../keep.txt": sha(foreign)})
    record_path.write_text(json.dumps(record))
    result = synthesize(out)
    assert result.returncode == 0, result.stderr
    assert not dropped.exists() and not (stack / "assets").exists()  # its folders went with it, being empty
    assert edited.read_text() == "content of edited.json" and foreign.read_text() == "content of keep.txt"
    assert sorted(json.loads(record_path.read_text())["files"]) == ["manifest.json", "stacks/hyperpod/cdk.tf.json"]


def test_an_unreadable_record_removes_nothing_and_says_so(tmp_path):
    out = tmp_path / "out"
    assert synthesize(out).returncode == 0
    (out / STACK / "keep.json").write_text("{}")
    (out / ".hyperpod-synthesis.json").write_text('{"files": ["stacks/hyperpod/keep.json"]}')
    result = synthesize(out)
    assert result.returncode == 0, result.stderr
    assert (out / STACK / "keep.json").read_text() == "{}"
    assert f"note: {out / '.hyperpod-synthesis.json'}: not a record of a synthesis; no file of an earlier " \
           "synthesis was removed" in result.stderr


def test_leftovers_of_a_killed_run_are_cleared(tmp_path):
    out = tmp_path / "out"
    assert synthesize(out).returncode == 0
    leftovers = [out / ".hyperpod-scratch-abc123", out / STACK / ".cdk.tf.json.x1y2z3.hyperpod-partial"]
    leftovers[0].mkdir()
    (leftovers[0] / "manifest.json").write_text("{}")
    leftovers[1].write_text("{")
    look_alike = out / STACK / ".cdk.tf.json.mine.partial"
    look_alike.write_text("user's")
    assert synthesize(out).returncode == 0
    assert not any(path.exists() for path in leftovers)
    assert look_alike.read_text() == "user's"


@pytest.mark.parametrize("where", ["--out", "--check --out"])
def test_a_path_component_over_255_characters_is_one_line_exit_two(tmp_path, where):
    out = tmp_path / ("a" * 256) / "out"
    result = main_in_process(*where.split(), str(out))
    assert result.returncode == 2
    assert result.stderr == f"error: --out {out}: a name in the path is longer than the file system allows " \
                            "(File name too long)\n"


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
