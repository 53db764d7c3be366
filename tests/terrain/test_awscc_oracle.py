"""The hand-written awscc binding (hyperpod/bindings/awscc.py) against the prebuilt binding generated from the
provider's schema (cdktn-provider-awscc 1.8.0 for hashicorp/awscc 1.106.0, the version the project pins): every
attribute and nested attribute the project can emit exists there with the same type and Terraform name.
tests/terrain/awscc_oracle.py runs the check in the CDK Terrain environment, the only one with the prebuilt package."""

from __future__ import annotations

import dataclasses
import json
import typing

import pytest

from hyperpod.bindings import awscc
from tests.terrain import awscc_oracle
from tests.terrain.conftest import run_terrain


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
def report(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("awscc-oracle")
    result = run_terrain("-m", "tests.terrain.awscc_oracle", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads((out / "report.json").read_text())


def test_every_attribute_the_binding_can_emit_exists_in_the_prebuilt_binding_with_its_type(report):
    assert report["type_errors"] == []
    assert report["checked"] == field_paths(awscc.SagemakerClusterConfig)  # every field, nested ones too
    assert {"instance_groups.kubernetes_config.taints.effect",
            "tiered_storage_config.instance_memory_allocation_percentage",
            "instance_groups.scheduled_update_config.deployment_config.rolling_update_policy.maximum_batch_size.value",
            } <= set(report["checked"])


def test_both_bindings_write_the_same_terraform_for_the_maximal_config(report):
    """Every field set, each leaf a distinct value: equal bodies mean every argument has the schema's name."""
    assert report["prebuilt"] is not None
    assert report["ours"] == report["prebuilt"]
    emitted = set(report["ours"])
    assert {field.name for field in dataclasses.fields(awscc.SagemakerClusterConfig)} == emitted


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

