"""The hand-written awscc bindings (hyperpod/bindings/awscc.py and awscc_scheduler.py) against the prebuilt binding
generated from the provider's schema (cdktn-provider-awscc 1.8.0 for hashicorp/awscc 1.106.0, the version the project
pins): every attribute and nested attribute the project can emit exists there with the same type and Terraform name.
tests/terrain/awscc_oracle.py runs the check in the CDK Terrain environment, the only one with the prebuilt package,
for both resources in one process."""

from __future__ import annotations

import dataclasses
import importlib
import json
import pkgutil
import typing

import pytest

import hyperpod.bindings
from hyperpod.bindings import awscc, awscc_scheduler
from tests.terrain import awscc_oracle
from tests.terrain.conftest import run_terrain

CONFIGS = {"awscc_sagemaker_cluster": awscc.SagemakerClusterConfig,
           "awscc_sagemaker_cluster_scheduler_config": awscc_scheduler.SagemakerClusterSchedulerConfigConfig}
# A few deep paths per resource, so that a `checked` list that lost its recursion fails by name.
DEEP_PATHS = {
    "awscc_sagemaker_cluster": {
        "instance_groups.kubernetes_config.taints.effect",
        "tiered_storage_config.instance_memory_allocation_percentage",
        "instance_groups.scheduled_update_config.deployment_config.rolling_update_policy.maximum_batch_size.value"},
    "awscc_sagemaker_cluster_scheduler_config": {
        "scheduler_config.fair_share", "scheduler_config.idle_resource_sharing",
        "scheduler_config.priority_classes.name", "scheduler_config.priority_classes.weight", "tags.key"},
}


def field_paths(cls: type, path: str = "") -> list[str]:
    """Every field of the hand-written config, nested ones as dotted paths."""
    paths = []
    for name, hint in typing.get_type_hints(cls).items():
        where = f"{path}.{name}" if path else name
        paths.append(where)
        _, nested = awscc_oracle.our_type(hint)
        if nested is not None:
            paths += field_paths(nested, where)
    return paths


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("awscc-oracle")
    result = run_terrain("-m", "tests.terrain.awscc_oracle", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads((out / "report.json").read_text())


def test_the_oracle_checks_every_hand_written_awscc_resource():
    """A new awscc resource in hyperpod/bindings must be added to the oracle's RESOURCES."""
    found = set()
    for module in pkgutil.iter_modules(hyperpod.bindings.__path__, "hyperpod.bindings."):
        for value in vars(importlib.import_module(module.name)).values():
            if (isinstance(value, type) and issubclass(value, awscc.AwsccResource) and value is not awscc.AwsccResource
                    and value.__module__ == module.name):
                found.add((value.__module__, value.__name__))
    assert found == set(awscc_oracle.RESOURCES)
    assert {awscc_oracle.config_class(getattr(importlib.import_module(module), name))
            for module, name in awscc_oracle.RESOURCES} == set(CONFIGS.values())


def test_the_oracle_reports_each_resource(reports):
    assert set(reports) == set(CONFIGS)


@pytest.mark.parametrize("resource_type", sorted(CONFIGS))
def test_every_attribute_the_binding_can_emit_exists_in_the_prebuilt_binding_with_its_type(reports, resource_type):
    report = reports[resource_type]
    assert report["type_errors"] == []
    assert report["checked"] == field_paths(CONFIGS[resource_type])  # every field, nested ones too
    assert DEEP_PATHS[resource_type] <= set(report["checked"])


@pytest.mark.parametrize("resource_type", sorted(CONFIGS))
def test_both_bindings_write_the_same_terraform_for_the_maximal_config(reports, resource_type):
    """Every field set, each leaf a distinct value: equal bodies mean every argument has the schema's name."""
    report = reports[resource_type]
    assert report["prebuilt"] is not None
    assert report["ours"] == report["prebuilt"]
    emitted = set(report["ours"])
    assert {field.name for field in dataclasses.fields(CONFIGS[resource_type])} == emitted


# The comparison itself, on stand-ins for a prebuilt struct (no jsii needed).
class PrebuiltVolume:
    __jsii_type__ = "test.Volume"

    def __init__(self, *, size_in_gb: typing.Union[int, float, None] = None,
                 kms_key_id: typing.Optional[str] = None) -> None: ...


@dataclasses.dataclass(frozen=True)
class MatchingVolume:
    size_in_gb: int
    kms_key_id: str | None = None


@dataclasses.dataclass(frozen=True)
class MistypedVolume:
    size_in_gb: str
    kms_key: str | None = None


def test_the_comparison_accepts_matching_fields():
    errors, checked = [], []
    awscc_oracle.compare_types(MatchingVolume, PrebuiltVolume, "volume", errors, checked)
    assert errors == [] and checked == ["volume.size_in_gb", "volume.kms_key_id"]


def test_the_comparison_reports_a_wrong_type_and_an_unknown_name():
    errors = []
    awscc_oracle.compare_types(MistypedVolume, PrebuiltVolume, "volume", errors, [])
    assert errors == ["volume.size_in_gb: the hand-written binding has string, the prebuilt binding number",
                      "volume.kms_key: no such argument in the prebuilt binding's PrebuiltVolume"]



# The scheduler config's nested structs, shaped as the prebuilt binding declares them (a list argument also takes a
# token, a struct argument also a plain dict), once as 1.8.0 has them and once with `name` gone and `weight` a string.
class IResolvable:
    __jsii_type__ = "test.IResolvable"


class PrebuiltPriorityClasses:
    __jsii_type__ = "test.PriorityClasses"

    def __init__(self, *, name: typing.Optional[str] = None,
                 weight: typing.Optional[typing.Union[int, float]] = None) -> None: ...


class BrokenPriorityClasses:
    __jsii_type__ = "test.BrokenPriorityClasses"

    def __init__(self, *, weight: typing.Optional[str] = None) -> None: ...


class PrebuiltSchedulerConfig:
    __jsii_type__ = "test.SchedulerConfig"

    def __init__(self, *, fair_share: typing.Optional[str] = None, idle_resource_sharing: typing.Optional[str] = None,
                 priority_classes: typing.Optional[typing.Union[IResolvable, typing.Sequence[typing.Union[
                     PrebuiltPriorityClasses, typing.Dict[str, typing.Any]]]]] = None) -> None: ...


class BrokenSchedulerConfig:
    __jsii_type__ = "test.BrokenSchedulerConfig"

    def __init__(self, *, fair_share: typing.Optional[str] = None,
                 priority_classes: typing.Optional[typing.Union[IResolvable, typing.Sequence[typing.Union[
                     BrokenPriorityClasses, typing.Dict[str, typing.Any]]]]] = None) -> None: ...


def test_the_comparison_follows_the_scheduler_config_into_its_priority_classes():
    errors, checked = [], []
    awscc_oracle.compare_types(awscc_scheduler.SchedulerConfig, PrebuiltSchedulerConfig, "scheduler_config", errors,
                               checked)
    assert errors == []
    assert checked == ["scheduler_config.fair_share", "scheduler_config.idle_resource_sharing",
                       "scheduler_config.priority_classes", "scheduler_config.priority_classes.name",
                       "scheduler_config.priority_classes.weight"]


def test_the_comparison_reports_a_missing_or_mistyped_scheduler_field():
    errors = []
    awscc_oracle.compare_types(awscc_scheduler.SchedulerConfig, BrokenSchedulerConfig, "scheduler_config", errors, [])
    assert errors == [
        "scheduler_config.idle_resource_sharing: no such argument in the prebuilt binding's BrokenSchedulerConfig",
        "scheduler_config.priority_classes.name: no such argument in the prebuilt binding's BrokenPriorityClasses",
        "scheduler_config.priority_classes.weight: the hand-written binding has number, the prebuilt binding string"]
