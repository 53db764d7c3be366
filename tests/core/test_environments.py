"""Several environments in one app: one stack per config in one process, conflicts refused before anything is
written, and the change guard applied per stack (a refused change in one environment writes nothing for any)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from hyperpod.app.environments import Environment, config_paths, environment_conflicts
from hyperpod.config import parse_config
from tests.conftest import EXAMPLES, ROOT, cdktf_project, main_in_process, minimal_config
from tests.core.test_cli import run_main

DEV, PROD = EXAMPLES / "environments" / "dev.json", EXAMPLES / "environments" / "prod.json"


def stack_json(out: Path, name: str) -> Path:
    return out / "stacks" / name / "cdk.tf.json"


def write(tmp_path: Path, name: str, config: dict) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(config))
    return path


def environment(name: str, **overrides) -> Environment:
    config, _ = parse_config(minimal_config(stack_name=name, **overrides))
    return Environment(Path(f"{name}.json"), config, [])


def s3_state(key: str, bucket: str = "acme-state") -> dict:
    return {"backend": "s3", "bucket": bucket, "key": key, "region": "us-west-2"}


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """dev and prod synthesized by one `python main.py --config dev --config prod`."""
    out = tmp_path_factory.mktemp("both") / "out"
    return run_main("--config", str(DEV), "--config", str(PROD), "--out", str(out)), out


def test_one_stack_per_config_in_one_process(both):
    result, out = both
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (out / "stacks").iterdir()) == ["hp-dev", "hp-prod"]
    assert "stack hp-dev: HyperPod cluster hyperpod-dev on EKS cluster ml-dev" in result.stdout
    assert "stack hp-prod: HyperPod cluster hyperpod-prod on EKS cluster ml-prod" in result.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["stacks"]) == ["hp-dev", "hp-prod"]
    for name, key in (("hp-dev", "hyperpod/dev/terraform.tfstate"), ("hp-prod", "hyperpod/prod/terraform.tfstate")):
        backend = json.loads(stack_json(out, name).read_text())["terraform"]["backend"]["s3"]
        assert backend["key"] == key and backend["use_lockfile"] is True


def test_configs_from_hyperpod_config_separated_by_the_os_path_separator(both, tmp_path):
    _, out_from_options = both
    out = tmp_path / "out"
    result = main_in_process("--out", str(out), env={"HYPERPOD_CONFIG": os.pathsep.join([str(DEV), str(PROD)])})
    assert result.returncode == 0, result.stderr
    for name in ("hp-dev", "hp-prod"):
        assert stack_json(out, name).read_bytes() == stack_json(out_from_options, name).read_bytes()


def test_config_paths_order_of_precedence(tmp_path):
    default = tmp_path / "default.json"
    assert config_paths([Path("a.json")], f"b.json{os.pathsep}c.json", default) == [Path("a.json")]
    assert config_paths(None, f"b.json{os.pathsep}{os.pathsep}c.json", default) == [Path("b.json"), Path("c.json")]
    assert config_paths(None, None, default) == [default]  # unset; set but empty is refused (tests/core/test_state.py)


def test_two_configs_with_one_stack_name_are_refused_before_anything_is_written(tmp_path):
    first = write(tmp_path, "first.json", minimal_config(stack_name="hp-prod"))
    second = write(tmp_path, "second.json", minimal_config(stack_name="hp-prod", hyperpod_cluster_name="other"))
    result = main_in_process("--config", str(first), "--config", str(second), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{first} and {second} both name stack_name 'hp-prod'" in result.stderr
    assert "nothing was written" in result.stderr
    assert not (tmp_path / "out").exists()


def test_two_stacks_sharing_one_state_object_are_refused(tmp_path):
    dev = write(tmp_path, "dev.json", minimal_config(stack_name="hp-dev", state=s3_state("hyperpod.tfstate")))
    prod = write(tmp_path, "prod.json", minimal_config(stack_name="hp-prod", state=s3_state("hyperpod.tfstate")))
    result = main_in_process("--config", str(dev), "--config", str(prod), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "stacks 'hp-dev'" in result.stderr and "'hp-prod'" in result.stderr
    assert "share the state object s3://acme-state/hyperpod.tfstate" in result.stderr
    assert not (tmp_path / "out").exists()


def test_state_conflicts_distinguish_bucket_and_key():
    assert environment_conflicts([environment("a", state=s3_state("k")), environment("b", state=s3_state("k"))])
    assert not environment_conflicts([environment("a", state=s3_state("k")), environment("b", state=s3_state("j"))])
    assert not environment_conflicts([environment("a", state=s3_state("k")),
                                      environment("b", state=s3_state("k", bucket="other-state"))])
    assert not environment_conflicts([environment("a"), environment("b")])  # terraform.a/b.tfstate


def test_problems_of_every_config_are_reported_together(tmp_path):
    dev = write(tmp_path, "dev.json", minimal_config(stack_name="hp-dev", hyperpod_node_recovery="On"))
    prod = write(tmp_path, "prod.json", minimal_config(stack_name="hp prod"))
    result = main_in_process("--config", str(dev), "--config", str(prod), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{dev}: 1 problem(s)" in result.stderr and "hyperpod_node_recovery" in result.stderr
    assert f"{prod}: 1 problem(s)" in result.stderr and "stack_name" in result.stderr
    assert not (tmp_path / "out").exists()


def test_check_validates_every_config(tmp_path):
    result = main_in_process("--check", "--config", str(DEV), "--config", str(PROD), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert f"{DEV}: valid" in result.stdout and f"{PROD}: valid" in result.stdout
    assert not (tmp_path / "out").exists()


def test_check_against_names_one_stack_only(tmp_path):
    result = main_in_process("--config", str(DEV), "--config", str(PROD), "--check-against", str(tmp_path / "x.json"),
                      "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--check-against names the previous synthesis of one stack" in result.stderr


def test_a_refused_change_in_one_environment_writes_nothing_for_any(both, tmp_path):
    _, deployed = both
    out = tmp_path / "out"
    shutil.copytree(deployed, out)
    before = {name: stack_json(out, name).read_bytes() for name in ("hp-dev", "hp-prod")}
    dev = json.loads(DEV.read_text())
    dev["hyperpod_instance_groups"][0]["instance_count"] = 2  # safe on its own
    prod = json.loads(PROD.read_text())
    prod["hyperpod_instance_groups"][0]["instance_type"] = "ml.p5e.48xlarge"  # the API refuses this in place
    result = main_in_process("--config", str(write(tmp_path, "dev.json", dev)), "--config",
                      str(write(tmp_path, "prod.json", prod)), "--out", str(out))
    assert result.returncode == 3, result.stderr
    assert "stack hp-prod: refused: 1 change(s)" in result.stderr
    assert "group 'training-gpu': instance_type changes" in result.stderr
    assert "stack hp-dev" not in result.stderr  # each stack is compared with its own previous synthesis
    assert {name: stack_json(out, name).read_bytes() for name in before} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dev.json", "out", "prod.json"]  # no scratch left


def test_cdktf_synth_takes_the_list_from_hyperpod_config(tmp_path):
    cdktf, project = cdktf_project(tmp_path)
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "CI": "true",
           "HYPERPOD_CONFIG": os.pathsep.join([str(DEV), str(PROD)])}
    result = subprocess.run([cdktf, "synth", "--output", str(tmp_path / "cli-out")], cwd=project, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in (tmp_path / "cli-out" / "stacks").iterdir()) == ["hp-dev", "hp-prod"]
