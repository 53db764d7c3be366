"""main.py as a real process where the ending itself is under test: a failed write puts the old output back, Ctrl-C
before and after the output is in place, the real cdktf CLI, HCL output, and two runs on one folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, cdktf_project, main_in_process
from tests.core.cli_runs import STACK_JSON, run_main


def test_failed_rename_is_exit_one_and_puts_the_old_output_back(tmp_path, monkeypatch, capsys):
    """Every file is written beside its target first; a rename that fails after others succeeded (EIO) puts the
    replaced files back (a full disk while writing: tests/core/test_output_folder.py)."""
    from hyperpod.app import cli

    out = tmp_path / "out"
    assert cli.main(["--out", str(out)]) == 0
    (out / "stacks" / "hyperpod" / "terraform.hyperpod.tfstate").write_text('{"serial": 1}')
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    real_replace = os.replace

    def failing_disk(source, target):  # the stack JSON is renamed into place, then manifest.json fails
        if Path(target) == out / "manifest.json":
            raise OSError(5, "Input/output error")
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing_disk)
    capsys.readouterr()
    production = EXAMPLES / "production.tfvars.json"
    assert cli.main(["--out", str(out), "--config", str(production), "--allow-replace"]) == 1
    err = capsys.readouterr().err.splitlines()[-1]
    assert err == (f"error: --out {out}: writing the synthesis failed (Input/output error); what was there "
                   "before is unchanged")
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no scratch folder left behind


def test_ctrl_c_during_synthesis_is_exit_130_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    assert run_main("--out", str(out)).returncode == 0
    before = (out / STACK_JSON).read_bytes()
    # A real Ctrl-C signals the whole foreground process group: python and jsii's node process.
    process = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--out", str(out), "--config",
                                str(EXAMPLES / "production.tfvars.json"), "--allow-replace"],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    # The marker: the scratch folder appears when synthesis starts, ~1 s of jsii work before anything is written.
    while not any(p.name.startswith(".hyperpod-scratch-") for p in out.iterdir()):
        assert process.poll() is None, process.communicate()
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert stderr == "interrupted: nothing was written\n" and stdout == ""
    assert (out / STACK_JSON).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert not any(p.name.startswith(".hyperpod-scratch-") for p in out.iterdir())


def test_exit_codes_are_in_the_help():
    result = run_main("--help")
    assert result.returncode == 0
    help_text = " ".join(result.stdout.split())
    for code in ("0 written", "1 writing the output failed", "2 the command line", "3 a dangerous change was refused",
                 "130 interrupted"):
        assert code in help_text


def test_terraform_state_and_working_files_survive_a_new_synthesis(tmp_path, capsys):
    """With the local backend the state lives in the stack folder: a re-synthesis must never lose it."""
    from hyperpod.app import cli

    out = tmp_path / "out"
    assert cli.main(["--out", str(out)]) == 0
    stack = out / "stacks" / "hyperpod"
    (stack / "terraform.hyperpod.tfstate").write_text('{"serial": 7}')
    (stack / "terraform.hyperpod.tfstate.backup").write_text('{"serial": 6}')
    (stack / ".terraform" / "providers").mkdir(parents=True)
    (stack / ".terraform" / "providers" / "plugin").write_text("binary")
    (stack / ".terraform.lock.hcl").write_text("# lock")
    (stack / "notes.json").write_text("{}")  # not written by a synthesis: the user's
    other = out / "stacks" / "hp-prod"  # another environment, left off this command line
    other.mkdir()
    (other / "terraform.hp-prod.tfstate").write_text('{"serial": 3}')

    assert cli.main(["--out", str(out), "--config", str(EXAMPLES / "production.tfvars.json"),
                     "--allow-replace"]) == 0
    assert (stack / "terraform.hyperpod.tfstate").read_text() == '{"serial": 7}'
    assert (stack / "terraform.hyperpod.tfstate.backup").read_text() == '{"serial": 6}'
    assert (stack / ".terraform" / "providers" / "plugin").read_text() == "binary"
    assert (stack / ".terraform.lock.hcl").read_text() == "# lock"
    assert (stack / "notes.json").read_text() == "{}"
    assert (stack / "cdk.tf.json").read_bytes() != b"" and "stacks/hyperpod" in capsys.readouterr().out
    assert (other / "terraform.hp-prod.tfstate").read_text() == '{"serial": 3}'


# A Ctrl-C once the synthesis is in place (issue 22, part 5): one line, and the truth.

def _interrupt_when(marker, out: Path, tmp_path: Path) -> tuple[int, str, str]:
    process = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--out", str(out)], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    seen = marker(process)
    os.killpg(process.pid, signal.SIGINT)
    stdout = process.stdout.read()  # not communicate(): it would skip what readline() already buffered
    stderr = process.stderr.read()
    return process.wait(timeout=120), seen + stdout, stderr


def _stack_json_appears(out: Path):
    def wait(process) -> str:
        while not (out / STACK_JSON).exists():
            assert process.poll() is None, process.communicate()
            time.sleep(0.001)
        return ""
    return wait


def _summary_printed(process) -> str:
    return process.stdout.readline()  # the summary's first line: main is ending, jsii is being shut down


@pytest.mark.parametrize("when", ["stack JSON in place", "summary printed"])
def test_ctrl_c_after_the_synthesis_was_written_says_so_in_one_line(tmp_path, when):
    out = tmp_path / "out"
    marker = _stack_json_appears(out) if when == "stack JSON in place" else _summary_printed
    code, stdout, stderr = _interrupt_when(marker, out, tmp_path)
    assert (out / STACK_JSON).is_file() and json.loads((out / STACK_JSON).read_text())["resource"]
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    assert "nothing was written" not in stderr
    if code == 130:  # the interrupt reached main: the one line names what was written
        assert stderr.splitlines()[-1] == f"interrupted after the synthesis was written to {out / STACK_JSON}"
    else:  # it came after the outcome was reported: nothing left to interrupt
        assert code == 0, stderr
        assert f"wrote {out / STACK_JSON}" in stdout


# The output folder through the real entry points (issue 22, part 1; the rest in tests/core/test_output_folder.py).

def test_the_real_cdktf_cli_keeps_a_left_out_environments_state(tmp_path):
    """`cdktf synth` deletes every stack folder its new manifest does not list: with one config of two, the app
    refuses before the CLI gets there, and the other environment's state stays."""
    from tests.core.test_output_folder_terraform import two_environments

    out, dev, state = two_environments(tmp_path)
    cdktf, project = cdktf_project(tmp_path)
    env = {**os.environ, "HYPERPOD_CONFIG": str(dev), "CHECKPOINT_DISABLE": "1", "CI": "true"}
    result = subprocess.run([cdktf, "synth", "--output", str(out)], cwd=project, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode != 0
    assert "refused: the cdktf CLI deletes every stack folder" in result.stdout + result.stderr
    assert state.read_text() == '{"serial": 4}'


def test_switching_to_hcl_output_removes_the_json_stack_it_replaces(tmp_path):
    """Terraform would load both cdk.tf.json and cdk.tf; the recorded, unchanged JSON goes, the user's file stays."""
    out = tmp_path / "out"
    assert run_main("--out", str(out)).returncode == 0
    (out / "stacks" / "hyperpod" / "override.tf.json").write_text('{"locals": {}}')
    result = run_main("--out", str(out), env={"SYNTH_HCL_OUTPUT": "true"})  # what `cdktf synth --hcl` sets
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (out / "stacks" / "hyperpod").iterdir()) == ["cdk.tf", "metadata.json",
                                                                               "override.tf.json"]


def test_a_second_main_py_is_refused_while_the_first_holds_the_folder(tmp_path):
    """Two runs on one output folder: the second is refused while the first holds the folder (the first is frozen
    with SIGSTOP while it synthesizes, so the overlap is certain), and the state beside them survives both."""
    out = tmp_path / "out"
    assert main_in_process("--out", str(out)).returncode == 0
    state = out / "stacks" / "hyperpod" / "terraform.hyperpod.tfstate"
    state.write_text('{"serial": 5}')
    first = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--out", str(out), "--config",
                              str(EXAMPLES / "production.tfvars.json"), "--allow-replace"], cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        while not any(p.name.startswith(".hyperpod-scratch-") for p in out.iterdir()):
            assert first.poll() is None, first.communicate()
            time.sleep(0.005)
        os.killpg(first.pid, signal.SIGSTOP)
        second = main_in_process("--out", str(out))
    finally:
        os.killpg(first.pid, signal.SIGCONT)
    stdout, stderr = first.communicate(timeout=300)
    assert second.returncode == 2
    assert second.stderr == (f"error: --out {out}: another synthesis is writing this output folder (it holds "
                             f"{out / '.hyperpod.lock'}); run again when it has finished; nothing was written\n")
    assert first.returncode == 0, stderr
    assert "ml-platform-hyperpod" in (out / STACK_JSON).read_text()
    assert state.read_text() == '{"serial": 5}'
