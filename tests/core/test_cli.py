"""main.py and `cdktf synth` as users run them: whole processes, exit codes, what is (not) written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, cdktf_project, main_in_process, minimal_config

STACK_JSON = Path("stacks/hyperpod/cdk.tf.json")


def run_main(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def write_config(tmp_path: Path, content) -> Path:
    path = tmp_path / "config.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2))
    return path


@pytest.fixture(scope="module")
def quick_start_runs(tmp_path_factory):
    """The quick start synthesized twice, from two working directories, in two processes."""
    runs = []
    for name in ("first", "second"):
        cwd = tmp_path_factory.mktemp(name)
        runs.append((run_main("--out", str(cwd / "out"), cwd=cwd), cwd / "out"))
    return runs


def test_quick_start_synthesizes_and_summarizes(quick_start_runs):
    result, out = quick_start_runs[0]
    assert result.returncode == 0, result.stderr
    assert (out / STACK_JSON).is_file()
    assert "HyperPod cluster my-hyperpod-cluster on EKS cluster ml-platform" in result.stdout
    assert "group gpu-workers: 2 x ml.g5.48xlarge, 500 GB, InstanceStress, InstanceConnectivity" in result.stdout
    assert "total: 1 group(s), 2 instance(s), 16 GPUs" in result.stdout
    assert str(out / STACK_JSON) in result.stdout
    # No runtime banners; only the note that a first synthesis has nothing for the change guard to compare.
    assert result.stderr == f"note: no previous synthesis at {out / STACK_JSON}: change guard skipped\n"


def test_synthesis_is_byte_identical_across_runs_and_checkouts(quick_start_runs):
    (_, first), (_, second) = quick_start_runs
    assert (first / STACK_JSON).read_bytes() == (second / STACK_JSON).read_bytes()
    assert (first / "manifest.json").read_bytes() == (second / "manifest.json").read_bytes()


def test_bad_config_reports_every_problem_writes_nothing(tmp_path):
    config = write_config(tmp_path, minimal_config(hyperpod_cluster_name="bad_name", hyperpod_node_recovery="On",
                                                   hyperpod_instance_groups=[{"name": "g", "instance_type": "x1",
                                                                              "instance_count": 1}]))
    result = run_main("--config", str(config), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "3 problem(s)" in result.stderr
    for path in ("hyperpod_cluster_name", "hyperpod_node_recovery", "hyperpod_instance_groups[0].instance_type"):
        assert f"error: {path}: got " in result.stderr
    assert not (tmp_path / "out").exists()
    assert result.stdout == ""


def test_bad_config_leaves_a_previous_synthesis_untouched(tmp_path):
    out = tmp_path / "out"
    assert main_in_process("--out", str(out)).returncode == 0
    before = (out / STACK_JSON).read_bytes()
    config = write_config(tmp_path, minimal_config(hyperpod_enabled="yes"))
    assert main_in_process("--config", str(config), "--out", str(out)).returncode == 2
    assert (out / STACK_JSON).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json", "out"]  # no scratch folder left behind


def test_invalid_json_names_line_and_column(tmp_path):
    config = write_config(tmp_path, '{\n  "eks_cluster_name": "ml",\n  "region": us-west-2\n}\n')
    result = run_main("--config", str(config), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{config}:3:13: the config file is not valid JSON" in result.stderr


def test_missing_config_file(tmp_path):
    result = run_main("--config", str(tmp_path / "nope.json"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "nope.json: cannot read the config file" in result.stderr


def test_warnings_do_not_stop_synthesis(tmp_path):
    config = write_config(tmp_path, minimal_config(hyperpod_instance_groups=[
        {"name": "g", "instance_type": "g5.xlarge", "instance_count": 1, "deep_health_checks": ["InstanceConnectivity"]}]))
    result = main_in_process("--config", str(config), "--out", str(tmp_path / "out"))
    assert result.returncode == 0
    assert "warning: hyperpod_instance_groups[0].deep_health_checks: InstanceConnectivity" in result.stderr


def test_config_path_from_environment(tmp_path):
    result = main_in_process("--out", str(tmp_path / "out"), env={"HYPERPOD_CONFIG": str(EXAMPLES / "production.tfvars.json")})
    assert result.returncode == 0, result.stderr
    assert "HyperPod cluster ml-platform-hyperpod" in result.stdout
    assert "total: 2 group(s), 6 instance(s), 48 GPUs" in result.stdout


def test_cdktf_cli_synth_on_the_default_example_honours_the_cli_outdir(tmp_path):
    cdktf, project = cdktf_project(tmp_path)
    env = {key: value for key, value in os.environ.items() if key != "HYPERPOD_CONFIG"}
    env.update({"CHECKPOINT_DISABLE": "1", "CI": "true"})
    result = subprocess.run([cdktf, "synth", "--output", str(tmp_path / "cli-out")], cwd=project, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    synthesized = json.loads((tmp_path / "cli-out" / STACK_JSON).read_text())
    (cluster,) = synthesized["resource"]["awscc_sagemaker_cluster"].values()
    assert cluster["cluster_name"] == "my-hyperpod-cluster"  # examples/terraform.tfvars.json
    assert not (project / "cdktf.out").exists()  # the CLI's output directory was honoured


def test_check_validates_without_writing(tmp_path):
    result = run_main("--check", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "valid (0 warning(s); no previous synthesis); nothing written" in result.stdout
    assert not (tmp_path / "out").exists()


def test_check_reports_config_problems_like_a_synthesis(tmp_path):
    config = write_config(tmp_path, minimal_config(hyperpod_cluster_name="bad_name"))
    checked = run_main("--check", "--config", str(config), "--out", str(tmp_path / "out"), cwd=tmp_path)
    synthesized = run_main("--config", str(config), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert checked.returncode == synthesized.returncode == 2
    assert checked.stderr == synthesized.stderr
    assert "hyperpod_cluster_name" in checked.stderr
    assert not (tmp_path / "out").exists()


def test_check_reads_the_previous_synthesis(tmp_path):
    previous = tmp_path / "previous.json"
    previous.write_text("[]")
    result = run_main("--check", "--check-against", str(previous), cwd=tmp_path)
    assert result.returncode == 2
    assert "previous.json" in result.stderr and "Traceback" not in result.stderr


def test_check_does_not_start_jsii():
    code = ("import sys; from hyperpod.app.cli import main; code = main(['--check']); "
            "print(code, 'jsii' in sys.modules, 'cdktf' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().endswith("0 False False"), result.stdout + result.stderr


@pytest.mark.parametrize("abbreviation", ["--check-a", "--conf", "--allow"])
def test_options_are_never_abbreviated(abbreviation, tmp_path):
    result = run_main(abbreviation, "x", cwd=tmp_path)
    assert result.returncode == 2
    assert "unrecognized arguments" in result.stderr


# Every ending has its documented exit code and one line; nothing is half-written (issue 12, parts 5 and 6).

@pytest.mark.parametrize("out", ["hyperpod/out", "tests", "examples/out", "lifecycle_scripts/x", "charts/o", "gates",
                                 "docs/o", "bench/o", "scripts/o", "tools/o", ".", ".git/o", "hyperpod/../tests/o"])
def test_out_inside_the_project_sources_is_refused(out):
    result = run_main("--check", "--out", out)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: --out {out}: inside the project's sources ({ROOT}); allowed: a folder "
                                    "outside hyperpod/, lifecycle_scripts/, charts/, gates/")
    assert result.stderr.count("\n") == 1
    assert not (ROOT / out).exists() or out in (".", "tests", "gates")


def test_out_inside_the_sources_through_a_symlink_is_refused(tmp_path):
    (tmp_path / "link").symlink_to(ROOT / "examples")
    result = run_main("--out", str(tmp_path / "link" / "out"))
    assert result.returncode == 2 and "inside the project's sources" in result.stderr
    assert not (ROOT / "examples" / "out").exists()


def test_out_beside_the_sources_is_fine(tmp_path):
    result = run_main("--check", "--out", "cdktf.out")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("make_out,message", [
    (lambda tmp: (tmp / "file").write_text("keep") and tmp / "file", "is a file, not a folder"),
    (lambda tmp: (tmp / "file").write_text("keep") and tmp / "file" / "out", "cannot write there: Not a directory"),
    (lambda tmp: Path("/proc/self/hyperpod-out"), "cannot write there: "),
], ids=["a file", "below a file", "in /proc"])
def test_unusable_out_is_one_line_exit_two(tmp_path, make_out, message):
    out = make_out(tmp_path)
    result = run_main("--out", str(out))  # as root too: these fail whatever the permission bits say
    assert result.returncode == 2, result.stderr
    assert result.stderr == f"error: --out {out}: {message}" + result.stderr.split(message, 1)[1]
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    if (tmp_path / "file").exists():
        assert (tmp_path / "file").read_text() == "keep"


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
    from tests.core.test_output_folder import two_environments

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
