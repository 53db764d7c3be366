"""main.py and `cdktf synth` as users run them: whole processes, exit codes, what is (not) written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, cdktf_project, main_in_process, minimal_config
from tests.core.cli_runs import STACK_JSON, run_main, write_config


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
