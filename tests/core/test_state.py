"""Remote state (`state`) and stack names (`stack_name`): each rule passes once and fails once with its message, the
backend the stack declares survives synthesis (including the `use_lockfile` override), and a renamed stack or a
name that collides never strands a local state (issue 22, part 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hyperpod.config import parse_config
from tests.conftest import main_in_process, minimal_config
from tests.core.test_config import assert_problem, errors_of

S3 = {"backend": "s3", "bucket": "acme-terraform-state", "key": "hyperpod/prod/terraform.tfstate",
      "region": "us-west-2"}
KMS_KEY = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE = "arn:aws:iam::123456789012:role/terraform-state"


def with_state(**overrides) -> dict:
    state = {**S3, **overrides}
    return minimal_config(state={key: value for key, value in state.items() if value is not None})


def test_default_is_the_local_backend():
    config, _ = parse_config(minimal_config())
    assert config.state.backend == "local" and config.stack_name == "hyperpod"


@pytest.mark.parametrize("state", [
    S3, {**S3, "encrypt": True, "kms_key_id": KMS_KEY, "role_arn": ROLE},
    {**S3, "kms_key_id": "arn:aws:kms:us-west-2:123456789012:alias/terraform-state"},
    {**S3, "bucket": "state.example.com"}, {**S3, "key": "terraform.tfstate"}, {"backend": "local"},
], ids=["minimal", "every-key", "kms-alias", "dotted-bucket", "top-level-key", "local"])
def test_valid_states(state):
    config, _ = parse_config(minimal_config(state=state))
    dumped = config.state.model_dump()
    assert {key: dumped[key] for key in state} == state


def test_unknown_backend():
    assert_problem(minimal_config(state={"backend": "gcs"}), "state.backend", 'got "gcs"', "'local' or 's3'")


@pytest.mark.parametrize("missing", ["bucket", "key", "region"])
def test_s3_needs_bucket_key_and_region(missing):
    assert_problem(with_state(**{missing: None}), f"state.{missing}", 'required when backend is "s3"')


@pytest.mark.parametrize("key, reason", [
    ("/hyperpod/terraform.tfstate", "must not start or end with '/'"),
    ("hyperpod/", "must not start or end with '/'"),
    ("hyperpod//terraform.tfstate", "must not contain '//'"),
    ("../other-team/terraform.tfstate", "must not contain '.' or '..' segments"),
    ("hyperpod/../../terraform.tfstate", "must not contain '.' or '..' segments"),
    ("k" * 1018, "is 1018 bytes; at most 1017"),
])
def test_state_key_that_is_absolute_or_escapes(key, reason):
    assert_problem(with_state(key=key), "state.key", "allowed: a relative object key", reason)


def test_empty_key():
    assert_problem(with_state(key=""), "state.key", 'got ""', "the key must not be empty")


def test_longest_key_that_leaves_room_for_the_lock_object():
    config, _ = parse_config(with_state(key="k" * 1017))
    assert len(config.state.key) == 1017


@pytest.mark.parametrize("bucket", ["AcmeState", "ab", "a" * 64, "acme..state", "192.168.5.4", "-acme",
                                    "xn--acme", "sthree-acme", "amzn-s3-demo-acme", "acme-s3alias", "acme--ol-s3",
                                    "acme.mrap", "acme--x-s3", "acme_state"])
def test_bucket_names_s3_refuses(bucket):
    assert_problem(with_state(bucket=bucket), "state.bucket", f'got "{bucket}"', "allowed: an S3 bucket name")


@pytest.mark.parametrize("field, value, allowed", [
    ("role_arn", "terraform-state", "an IAM role ARN"),
    ("role_arn", "arn:aws:iam::123456789012:user/terraform", "an IAM role ARN"),
    ("kms_key_id", "1234abcd-12ab-34cd-56ef-1234567890ab", "the ARN of a KMS key or alias"),
    ("kms_key_id", "arn:aws:kms:us-west-2:123456789012:key/not-a-key", "the ARN of a KMS key or alias"),
    ("region", "mars-1", "an AWS region"),
])
def test_arn_and_region_patterns(field, value, allowed):
    assert_problem(with_state(**{field: value}), f"state.{field}", f'got "{value}"', allowed)


def test_kms_key_needs_encryption():
    assert_problem(with_state(kms_key_id=KMS_KEY, encrypt=False), "state.kms_key_id", "encrypt false")


def test_s3_keys_with_the_local_backend_are_refused():
    assert_problem(minimal_config(state={"backend": "local", "bucket": "acme-state"}), "state.bucket",
                   'with backend "local"', 'only with backend "s3"')


def test_encrypt_is_strictly_boolean():
    assert_problem(with_state(encrypt="yes"), "state.encrypt", 'got "yes"', "true or false")


def test_state_problems_are_reported_next_to_other_field_errors():
    raw = with_state(key=None)
    raw["hyperpod_node_recovery"] = "On"
    messages = errors_of(raw)
    assert any(m.startswith("error: state.key: required") for m in messages), messages
    assert any(m.startswith("error: hyperpod_node_recovery:") for m in messages), messages


@pytest.mark.parametrize("name", ["hp-prod", "hyperpod", "Dev_2"])
def test_valid_stack_names(name):
    assert parse_config(minimal_config(stack_name=name))[0].stack_name == name


@pytest.mark.parametrize("name", ["", "2prod", "hp/prod", "..", "hp prod", "a" * 65])
def test_stack_names_that_cannot_name_a_directory_or_a_deploy(name):
    assert_problem(minimal_config(stack_name=name), "stack_name", "allowed: a letter, then up to 63 letters")


def test_s3_backend_with_native_lock_file_survives_synthesis(synth_json):
    document = synth_json(minimal_config(state={**S3, "kms_key_id": KMS_KEY, "role_arn": ROLE}))
    assert document["terraform"]["backend"] == {"s3": {
        "bucket": "acme-terraform-state", "key": "hyperpod/prod/terraform.tfstate", "region": "us-west-2",
        "encrypt": True, "kms_key_id": KMS_KEY, "assume_role": {"role_arn": ROLE}, "use_lockfile": True}}
    assert "dynamodb_table" not in document["terraform"]["backend"]["s3"]


def test_s3_backend_without_optional_keys(synth_json):
    backend = synth_json(minimal_config(state={**S3, "encrypt": False}))["terraform"]["backend"]
    assert backend == {"s3": {**{k: v for k, v in S3.items() if k != "backend"}, "encrypt": False,
                              "use_lockfile": True}}


def test_local_state_file_is_named_after_the_stack(synth_json):
    assert synth_json(minimal_config())["terraform"]["backend"] == {"local": {"path": "terraform.hyperpod.tfstate"}}
    renamed = synth_json(minimal_config(stack_name="hp-dev"))
    assert renamed["terraform"]["backend"] == {"local": {"path": "terraform.hp-dev.tfstate"}}
    assert renamed["//"]["metadata"]["stackName"] == "hp-dev"


# Renamed stacks and names that collide (issue 22, part 2).

def write_config(directory: Path, **overrides) -> Path:
    path = directory / f"config-{len(list(directory.glob('config-*.json')))}.json"
    path.write_text(json.dumps(minimal_config(**overrides)))
    return path


def deployed_state(cluster: str = "test-cluster") -> str:
    """A local state as Terraform writes it once the cluster exists (the parts the check reads)."""
    return json.dumps({"version": 4, "serial": 12, "resources": [
        {"mode": "managed", "type": "aws_s3_bucket", "name": "bucket", "instances": [{"attributes": {}}]},
        {"mode": "managed", "type": "awscc_sagemaker_cluster", "name": "cluster",
         "instances": [{"attributes": {"cluster_name": cluster}}]}]})


@pytest.fixture
def deployed(tmp_path):
    """An output folder whose stack `hyperpod` was synthesized and applied with the local backend."""
    out = tmp_path / "out"
    assert main_in_process("--config", str(write_config(tmp_path)), "--out", str(out)).returncode == 0
    state = out / "stacks" / "hyperpod" / "terraform.hyperpod.tfstate"
    state.write_text(deployed_state())
    return out, state


def test_renaming_a_stack_whose_local_state_stays_behind_is_refused(tmp_path, deployed):
    out, state = deployed
    renamed = write_config(tmp_path, stack_name="hp-prod")
    result = main_in_process("--config", str(renamed), "--out", str(out))
    assert result.returncode == 3, result.stderr
    assert "refused: 1 renamed stack(s) would lose their deployed state; nothing was written." in result.stderr
    assert (f"stack_name 'hp-prod' is new in {out}, but {state} (stack 'hyperpod') holds the state of HyperPod "
            "cluster 'test-cluster': stack 'hp-prod' would plan that cluster from an empty state") in result.stderr
    assert (f"move the state with the stack: mkdir -p {out / 'stacks' / 'hp-prod'} && mv {state} "
            f"{out / 'stacks' / 'hp-prod' / 'terraform.hp-prod.tfstate'}") in result.stderr
    assert "Traceback" not in result.stderr and "change guard skipped" not in result.stderr
    assert not (out / "stacks" / "hp-prod").exists()
    # Following the advice: the state moves with the stack, and the synthesis goes ahead.
    (out / "stacks" / "hp-prod").mkdir()
    state.rename(out / "stacks" / "hp-prod" / "terraform.hp-prod.tfstate")
    assert main_in_process("--config", str(renamed), "--out", str(out)).returncode == 0


def test_a_rename_can_be_allowed(tmp_path, deployed):
    out, _ = deployed
    result = main_in_process("--config", str(write_config(tmp_path, stack_name="hp-prod")), "--out", str(out),
                             "--allow-replace")
    assert result.returncode == 0, result.stderr
    assert "warning: going ahead (--allow-replace) with 1 renamed stack(s)" in result.stderr
    assert (out / "stacks" / "hp-prod" / "cdk.tf.json").is_file()


def test_an_old_state_that_is_empty_or_of_another_cluster_is_no_rename(tmp_path, deployed):
    out, state = deployed
    other = write_config(tmp_path, stack_name="hp-dev", hyperpod_cluster_name="dev-cluster")
    assert main_in_process("--config", str(other), "--out", str(out)).returncode == 0  # a second environment
    state.write_text(json.dumps({"version": 4, "serial": 13, "resources": []}))  # destroyed
    result = main_in_process("--config", str(write_config(tmp_path, stack_name="hp-prod")), "--out", str(out))
    assert result.returncode == 0, result.stderr


def test_stack_names_that_differ_only_in_case_are_refused(tmp_path):
    first, second = write_config(tmp_path, stack_name="hp"), write_config(tmp_path, stack_name="HP")
    result = main_in_process("--config", str(first), "--config", str(second), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert (f"{first} and {second} name stack_names 'hp' and 'HP', which differ only in case: on a "
            "case-insensitive disk (macOS, Windows) they share one folder") in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_stack_name_that_differs_from_an_existing_folder_only_in_case_is_refused(tmp_path, deployed):
    out, state = deployed
    result = main_in_process("--config", str(write_config(tmp_path, stack_name="HyperPod")), "--out", str(out))
    assert result.returncode == 2
    assert result.stderr == (f"error: stack_name 'HyperPod' and the existing folder {out / 'stacks' / 'hyperpod'} "
                             "differ only in case: on a case-insensitive disk (macOS, Windows) they are one folder, "
                             "and one stack would take the other's files; allowed: stack_name 'hyperpod', or "
                             "another name\n")
    assert not (out / "stacks" / "HyperPod").exists() and state.read_text() == deployed_state()


@pytest.mark.parametrize("value", ["", ":", "::"])
def test_an_empty_hyperpod_config_is_refused(tmp_path, value):
    result = main_in_process("--out", str(tmp_path / "out"), env={"HYPERPOD_CONFIG": value})
    assert result.returncode == 2
    assert result.stderr == (f"error: HYPERPOD_CONFIG is set but names no config file (got {json.dumps(value)}); "
                             "allowed: config paths separated by ':', or unset it for examples/terraform.tfvars.json"
                             "\n")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("check", [[], ["--check"]])
def test_an_empty_out_is_refused(tmp_path, check):
    result = main_in_process(*check, "--out", "", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "error: --out is empty; allowed: a folder such as cdktf.out (`--out .` for the current " \
                            "folder)\n"
    assert list(tmp_path.iterdir()) == []
