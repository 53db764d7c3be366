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
from pathlib import Path

import pytest

from tests.conftest import main_in_process
from tests.core.output_folders import STACK, PRODUCTION, synthesize, snapshot, USER_FILES, add_user_files, assert_user_files


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
