"""Every validation rule: one input that passes, one that fails with its path, value and what is allowed."""

from __future__ import annotations

import copy

import pytest

from hyperpod.config import HyperPodConfig, parse_config
from hyperpod.config.errors import ConfigError
from tests.conftest import example_config, minimal_config


def group(**overrides) -> dict:
    base = {"name": "gpu", "instance_type": "ml.g5.48xlarge", "instance_count": 2}
    base.update(overrides)
    return base


def errors_of(raw: dict) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    return [str(p) for p in caught.value.problems]


def assert_problem(raw: dict, path: str, *fragments: str) -> None:
    messages = errors_of(raw)
    matching = [m for m in messages if m.startswith(f"error: {path}: ")]
    assert matching, f"no problem at {path}; got {messages}"
    for fragment in fragments:
        assert any(fragment in m for m in matching), f"{fragment!r} not in {matching}"


# (description, config that passes, config that fails, path, fragments of the message)
RULES = [
    ("unknown top-level key with did-you-mean",
     minimal_config(), minimal_config(hyperpod_node_recovry="None"),
     "hyperpod_node_recovry", ["unknown key", "did you mean 'hyperpod_node_recovery'?"]),
    ("unknown key inside a group",
     minimal_config(), minimal_config(hyperpod_instance_groups=[group(instance_cout=2)]),
     "hyperpod_instance_groups[0].instance_cout", ["unknown key", "did you mean 'instance_count'?"]),
    ("missing required key",
     minimal_config(), {k: v for k, v in minimal_config().items() if k != "eks_cluster_name"},
     "eks_cluster_name", ["required key is missing"]),
    ("missing group key",
     minimal_config(), minimal_config(hyperpod_instance_groups=[{"name": "gpu", "instance_count": 1}]),
     "hyperpod_instance_groups[0].instance_type", ["required key is missing"]),
    ("cluster name required when enabled",
     minimal_config(), {k: v for k, v in minimal_config().items() if k != "hyperpod_cluster_name"},
     "hyperpod_cluster_name", ["required when hyperpod_enabled is true"]),
    ("groups required when enabled",
     minimal_config(), minimal_config(hyperpod_instance_groups=[]),
     "hyperpod_instance_groups", ["got []", "at least one instance group"]),
    ("wrong type: string for integer",
     minimal_config(), minimal_config(hyperpod_instance_groups=[group(instance_count="2")]),
     "hyperpod_instance_groups[0].instance_count", ['got "2"', "allowed: an integer"]),
    ("wrong type: string for boolean",
     minimal_config(), minimal_config(hyperpod_enabled="no"),
     "hyperpod_enabled", ['got "no"', "allowed: true or false"]),
    ("wrong type: object for list",
     minimal_config(), minimal_config(hyperpod_instance_groups={"name": "gpu"}),
     "hyperpod_instance_groups", ["allowed: a JSON array"]),
    ("cluster name pattern",
     minimal_config(hyperpod_cluster_name="a-b-1"), minimal_config(hyperpod_cluster_name="my_cluster"),
     "hyperpod_cluster_name", ['got "my_cluster"', "letters, digits and hyphens"]),
    ("cluster name length",
     minimal_config(hyperpod_cluster_name="a" * 63), minimal_config(hyperpod_cluster_name="a" * 64),
     "hyperpod_cluster_name", ["1-63"]),
    ("group name pattern",
     minimal_config(hyperpod_instance_groups=[group(name="g-1")]),
     minimal_config(hyperpod_instance_groups=[group(name="-g")]),
     "hyperpod_instance_groups[0].name", ['got "-g"', "starting and ending with a letter or digit"]),
    ("duplicate group names",
     minimal_config(hyperpod_instance_groups=[group(name="a"), group(name="b")]),
     minimal_config(hyperpod_instance_groups=[group(name="a"), group(name="a")]),
     "hyperpod_instance_groups[1].name", ["already the name of hyperpod_instance_groups[0]"]),
    ("instance type HyperPod does not offer",
     minimal_config(hyperpod_instance_groups=[group(instance_type="p4d.24xlarge")]),
     minimal_config(hyperpod_instance_groups=[group(instance_type="ml.p3.16xlarge")]),
     "hyperpod_instance_groups[0].instance_type", ['got "ml.p3.16xlarge"', "an instance type the SageMaker API "
                                                   "accepts for HyperPod clusters (ClusterInstanceType)"]),
    ("instance_count below range",
     minimal_config(hyperpod_instance_groups=[group(instance_count=0)]),
     minimal_config(hyperpod_instance_groups=[group(instance_count=-1)]),
     "hyperpod_instance_groups[0].instance_count", ["got -1", "at least 0"]),
    ("instance_count above range",
     minimal_config(hyperpod_instance_groups=[group(instance_count=6758)]),
     minimal_config(hyperpod_instance_groups=[group(instance_count=6759)]),
     "hyperpod_instance_groups[0].instance_count", ["got 6759", "at most 6758"]),
    ("ebs_volume_gb below range",
     minimal_config(hyperpod_instance_groups=[group(ebs_volume_gb=1)]),
     minimal_config(hyperpod_instance_groups=[group(ebs_volume_gb=0)]),
     "hyperpod_instance_groups[0].ebs_volume_gb", ["got 0", "at least 1"]),
    ("ebs_volume_gb above range",
     minimal_config(hyperpod_instance_groups=[group(ebs_volume_gb=16384)]),
     minimal_config(hyperpod_instance_groups=[group(ebs_volume_gb=16385)]),
     "hyperpod_instance_groups[0].ebs_volume_gb", ["got 16385", "at most 16384"]),
    ("deep health check names",
     minimal_config(hyperpod_instance_groups=[group(deep_health_checks=["InstanceStress"])]),
     minimal_config(hyperpod_instance_groups=[group(deep_health_checks=["InstanceStres"])]),
     "hyperpod_instance_groups[0].deep_health_checks[0]", ['got "InstanceStres"', "'InstanceStress' or "
                                                                                  "'InstanceConnectivity'"]),
    ("deep health checks repeated",
     minimal_config(hyperpod_instance_groups=[group(deep_health_checks=["InstanceStress"])]),
     minimal_config(hyperpod_instance_groups=[group(deep_health_checks=["InstanceStress", "InstanceStress"])]),
     "hyperpod_instance_groups[0].deep_health_checks", ["InstanceStress repeated"]),
    ("deep health checks on an instance type without accelerators",
     minimal_config(hyperpod_instance_groups=[group(instance_type="ml.trn1.32xlarge",
                                                    deep_health_checks=["InstanceStress"])]),
     minimal_config(hyperpod_instance_groups=[group(instance_type="ml.m5.xlarge",
                                                    deep_health_checks=["InstanceStress"])]),
     "hyperpod_instance_groups[0].deep_health_checks", ["ml.m5.xlarge, which has no GPU or Trainium"]),
    ("threads_per_core",
     minimal_config(hyperpod_instance_groups=[group(threads_per_core=2)]),
     minimal_config(hyperpod_instance_groups=[group(threads_per_core=4)]),
     "hyperpod_instance_groups[0].threads_per_core", ["got 4", "allowed: 1 or 2"]),
    ("node recovery",
     minimal_config(hyperpod_node_recovery="None"), minimal_config(hyperpod_node_recovery="Manual"),
     "hyperpod_node_recovery", ['got "Manual"', "'Automatic' or 'None'"]),
    ("region",
     minimal_config(region="eu-central-1"), minimal_config(region="Oregon"),
     "region", ['got "Oregon"', "an AWS region"]),
    ("subnet ids",
     minimal_config(hyperpod_subnet_ids=["subnet-0123456789abcdef0"]),
     minimal_config(hyperpod_subnet_ids=["subnet-xyz"]),
     "hyperpod_subnet_ids[0]", ['got "subnet-xyz"', "a subnet id"]),
    ("security group ids",
     minimal_config(hyperpod_security_group_ids=["sg-0123456789abcdef0"]),
     minimal_config(hyperpod_security_group_ids=["default"]),
     "hyperpod_security_group_ids[0]", ['got "default"', "a security group id"]),
    ("lifecycle bucket must start with sagemaker-",
     minimal_config(lifecycle_scripts_bucket_name="sagemaker-my-lifecycle"),
     minimal_config(lifecycle_scripts_bucket_name="my-lifecycle-scripts"),
     "lifecycle_scripts_bucket_name", ['got "my-lifecycle-scripts"', "starting with sagemaker-"]),
    ("helm chart pinned to a commit",
     minimal_config(hyperpod_helm_chart={"git_revision": "a" * 40}),
     minimal_config(hyperpod_helm_chart={"git_revision": "main"}),
     "hyperpod_helm_chart.git_revision", ['got "main"', "40-character commit SHA"]),
    ("helm chart repository needs a version",
     minimal_config(hyperpod_helm_chart={"repository": "oci://registry.example/charts", "version": "0.1.0"}),
     minimal_config(hyperpod_helm_chart={"repository": "oci://registry.example/charts"}),
     "hyperpod_helm_chart.version", ["required with repository"]),
    ("helm chart has one source",
     minimal_config(hyperpod_helm_chart={"local_path": "/charts/hyperpod"}),
     minimal_config(hyperpod_helm_chart={"local_path": "/charts/hyperpod", "repository": "oci://r/c",
                                         "version": "1"}),
     "hyperpod_helm_chart.repository", ["one source"]),
    ("tags are strings",
     minimal_config(tags={"team": "ml"}), minimal_config(tags={"cost-center": 42}),
     "tags.cost-center", ["got 42", "a string"]),
]


@pytest.mark.parametrize("description,good,bad,path,fragments", RULES, ids=[r[0] for r in RULES])
def test_rule(description, good, bad, path, fragments):
    parse_config(good)
    assert_problem(bad, path, *fragments)


def test_instance_connectivity_on_one_instance_is_a_warning_not_an_error():
    _, warnings = parse_config(minimal_config(hyperpod_instance_groups=[
        group(instance_count=1, deep_health_checks=["InstanceConnectivity"])]))
    assert [w.severity for w in warnings] == ["warning"]
    assert warnings[0].path == "hyperpod_instance_groups[0].deep_health_checks"
    assert "needs 2 or more instances" in warnings[0].message
    _, none = parse_config(minimal_config(hyperpod_instance_groups=[
        group(instance_count=2, deep_health_checks=["InstanceConnectivity"])]))
    assert none == []


def test_all_problems_are_reported_together_including_cross_field_ones():
    raw = minimal_config(region="nowhere", hyperpod_instance_groups=[
        group(name="a", instance_count="3"),
        group(name="a", instance_type="ml.c5.large", deep_health_checks=["InstanceStress"]),
    ])
    messages = errors_of(raw)
    # a field error (region, instance_count) must not hide the cross-field ones (duplicate, checks on CPU).
    assert any(m.startswith("error: region:") for m in messages)
    assert any("hyperpod_instance_groups[0].instance_count" in m for m in messages)
    assert any("already the name of" in m for m in messages)
    assert any("has no GPU or Trainium" in m for m in messages)


def test_defaults_are_the_modules():
    config, _ = parse_config({"eks_cluster_name": "ml"})
    assert config.hyperpod_enabled is False
    assert config.hyperpod_node_recovery == "Automatic"
    assert config.hyperpod_install_helm_dependencies is True
    assert config.hyperpod_enable_training_operator is False
    assert config.hyperpod_prevent_destroy is True


def test_instance_type_gets_the_ml_prefix_once():
    config, _ = parse_config(minimal_config(hyperpod_instance_groups=[
        group(name="a", instance_type="p4d.24xlarge"), group(name="b", instance_type="ml.p4d.24xlarge")]))
    assert [g.instance_type for g in config.hyperpod_instance_groups] == ["ml.p4d.24xlarge"] * 2


def test_python_users_get_the_same_rules():
    # One model: building it directly in Python enforces the cross-field rules too.
    raw = minimal_config(hyperpod_instance_groups=[group(name="a"), group(name="a")])
    with pytest.raises(ValueError, match="already the name of"):
        HyperPodConfig(**raw)


def test_unresolved_tokens_from_python_skip_literal_checks():
    # Only a config built in Python may carry tokens; a file never may (tests/core/test_hostile_input.py).
    config = HyperPodConfig(**minimal_config(hyperpod_subnet_ids=["${TfToken[TOKEN.12]}"]))
    assert config.hyperpod_subnet_ids == ["${TfToken[TOKEN.12]}"]


@pytest.mark.parametrize("name", ["terraform.tfvars.json", "production.tfvars.json"])
def test_examples_are_valid(name):
    config, warnings = parse_config(example_config(name))
    assert config.hyperpod_enabled and warnings == []


def test_top_level_must_be_an_object():
    messages = errors_of(copy.deepcopy([minimal_config()]))  # type: ignore[arg-type]
    assert messages == ["error: (top level): got an array; allowed: a JSON object of configuration keys"]
