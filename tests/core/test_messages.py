"""Messages say what the user wrote in the user's terms (issue 22, part 5): JSON's type names, and a warning for
features switched on under `hyperpod_enabled: false`, which synthesize nothing."""

from __future__ import annotations

import json

import pytest

from hyperpod.config import parse_config
from tests.conftest import main_in_process, minimal_config
from tests.core.test_config import errors_of


@pytest.mark.parametrize("document, name", [(None, "null"), ([], "an array"), ("config", "a string"), (3, "a number"),
                                            (2.5, "a number"), (True, "a boolean")])
def test_a_config_that_is_not_an_object_is_named_in_json_terms(document, name):
    assert errors_of(document) == [f"error: (top level): got {name}; allowed: a JSON object of configuration keys"]


def test_a_null_config_file_is_one_line_in_json_terms(tmp_path):
    path = tmp_path / "config.json"
    path.write_text("null")
    result = main_in_process("--check", "--config", str(path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "got null; allowed: a JSON object" in result.stderr and "NoneType" not in result.stderr


AUTOSCALING = {"enabled": True, "instance_groups": ["gpu"]}


def disabled(**features) -> dict:
    groups = [{"name": "gpu", "instance_type": "ml.g5.48xlarge", "instance_count": 2}]  # valid for every feature
    return minimal_config(hyperpod_enabled=False, hyperpod_instance_groups=groups, **features)


@pytest.mark.parametrize("features, named", [
    ({"hyperpod_autoscaling": AUTOSCALING}, "hyperpod_autoscaling.enabled is"),
    ({"hyperpod_tiered_storage": {"enabled": True}, "hyperpod_enable_training_operator": True},
     "hyperpod_tiered_storage.enabled, hyperpod_enable_training_operator are"),
    ({"hyperpod_addons": {"observability": {"enabled": True}}}, "hyperpod_addons.observability.enabled is"),
], ids=["autoscaling", "two", "add-on"])
def test_features_switched_on_while_hyperpod_is_off_warn(features, named):
    _, warnings = parse_config(disabled(**features))
    assert [str(w) for w in warnings] == [
        f"warning: hyperpod_enabled: false, so nothing of HyperPod is synthesized, and {named} switched on for "
        "nothing; allowed: hyperpod_enabled true to create them, or switch them off"]


def test_hyperpod_left_at_its_default_says_so():
    raw = disabled(hyperpod_fsx_lustre={"enabled": True, "storage_capacity_gib": 1200})
    del raw["hyperpod_enabled"]
    _, warnings = parse_config(raw)
    assert [w.path for w in warnings] == ["hyperpod_enabled"]
    assert str(warnings[0]).startswith("warning: hyperpod_enabled: not set (default false), so nothing")


def test_no_warning_when_hyperpod_is_on_or_nothing_is_switched_on():
    assert parse_config(minimal_config(hyperpod_autoscaling={"enabled": False}))[1] == []
    assert parse_config(disabled(hyperpod_autoscaling={"enabled": False}))[1] == []


def test_the_warning_reaches_the_user_and_the_synthesis_goes_ahead(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(disabled(hyperpod_autoscaling=AUTOSCALING)))
    result = main_in_process("--config", str(path), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert f"{path}: warning: hyperpod_enabled: false, so nothing of HyperPod is synthesized" in result.stderr
