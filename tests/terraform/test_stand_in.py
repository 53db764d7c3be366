"""The stand-in provider's own behaviour, without Terraform: planning, provider-side checks, data, apply refusal."""

from __future__ import annotations

import json

import msgpack
from tf.gen import tfplugin_pb2 as pb

from tests.terraform.harness import SCHEMAS
from tests.terraform.stand_in import placeholders, schema_proto, values
from tests.terraform.stand_in.provider import StandInProvider, decode, encode

BLOCK = {
    "attributes": {
        "name": {"type": "string", "required": True},
        "arn": {"type": "string", "computed": True},
        "region": {"type": "string", "optional": True, "computed": True},
        "settings": {"nested_type": {"nesting_mode": "list", "attributes": {
            "key": {"type": "string", "required": True},
            "kind": {"type": "string", "optional": True, "computed": True},
        }}, "optional": True},
    },
    "block_types": {"rule": {"nesting_mode": "list", "block": {"attributes": {
        "port": {"type": "number", "optional": True},
        "rule_id": {"type": "string", "computed": True},
    }}}},
}


def test_plan_marks_computed_nulls_unknown_and_keeps_configuration():
    planned = values.plan(BLOCK, {"name": "a", "arn": None, "region": "eu-west-1",
                                  "settings": [{"key": "k", "kind": None}], "rule": [{"port": 1, "rule_id": None}]})
    assert planned["name"] == "a" and planned["region"] == "eu-west-1"
    assert values.is_unknown(planned["arn"])
    assert values.is_unknown(planned["settings"][0]["kind"]) and planned["settings"][0]["key"] == "k"
    assert values.is_unknown(planned["rule"][0]["rule_id"]) and planned["rule"][0]["port"] == 1


def test_plan_leaves_optional_non_computed_nulls_null():
    assert values.plan(BLOCK, {"name": "a", "settings": None, "rule": []})["settings"] is None


def test_check_accepts_a_good_configuration():
    assert values.check(BLOCK, {"name": "a", "arn": None, "settings": [{"key": "k", "kind": None}], "rule": []}) == []


def test_check_reports_read_only_attributes_with_their_path():
    problems = values.check(BLOCK, {"name": "a", "arn": "x", "rule": [{"port": 1, "rule_id": "r"}]})
    assert [(p.summary, p.path) for p in problems] == [
        ("Read-only attribute set", ["arn"]), ("Read-only attribute set", ["rule", 0, "rule_id"])]


def test_check_reports_required_attribute_missing_inside_a_nested_attribute():
    (problem,) = values.check(BLOCK, {"name": "a", "settings": [{"key": None, "kind": "x"}], "rule": []})
    assert problem.summary == "Missing required argument"
    assert problem.path == ["settings", 0, "key"]
    assert 'The argument "key" is required in "settings[0]"' in problem.detail


def test_unknown_nested_values_are_not_checked():
    assert values.check(BLOCK, {"name": "a", "settings": values.UNKNOWN, "rule": []}) == []


def test_eks_cluster_placeholder_follows_the_authentication_mode_variable(monkeypatch):
    aws = json.loads((SCHEMAS / "aws.json").read_text())
    block = aws["data_source_schemas"]["aws_eks_cluster"]["block"]
    config = {name: None for name in block["attributes"]} | {"name": "ml-platform"}
    monkeypatch.setenv(placeholders.EKS_AUTHENTICATION_MODE_ENV, "CONFIG_MAP")
    state = placeholders.read("aws_eks_cluster", block, config)
    assert state["access_config"][0]["authentication_mode"] == "CONFIG_MAP"
    assert state["arn"] == "arn:aws:eks:us-west-2:123456789012:cluster/ml-platform"
    assert len(state["vpc_config"][0]["subnet_ids"]) == 2
    assert state["zonal_shift_config"] == [{"enabled": False}]  # typed filler: one-element list


def test_policy_document_json_is_rendered_from_the_statements():
    state = placeholders.read("aws_iam_policy_document", {"attributes": {"json": {"type": "string", "computed": True}}},
                              {"json": None, "statement": [{"effect": None, "actions": ["s3:GetObject"],
                                                            "resources": ["arn:aws:s3:::b/*"], "principals": []}]})
    assert json.loads(state["json"]) == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}


def _external_block() -> dict:
    return json.loads((SCHEMAS / "external.json").read_text())["data_source_schemas"]["external"]["block"]


def test_chart_fetcher_placeholder_is_the_path_its_script_prints_without_running_it():
    program = ["/bin/sh", "-c", "exit 97", "fetch-hyperpod-chart", "https://example.invalid/repo.git",
               "0123456789abcdef0123456789abcdef01234567", "helm_chart/HyperPodHelmChart", ".hyperpod-chart"]
    state = placeholders.read("external", _external_block(),
                              {"program": program, "query": None, "working_dir": None, "id": None, "result": None})
    assert state["result"] == {
        "chart_path": ".hyperpod-chart/0123456789abcdef0123456789abcdef01234567/helm_chart/HyperPodHelmChart"}
    assert state["id"] == "-" and state["program"] == program


def test_other_external_programs_get_filler_not_a_chart_path():
    state = placeholders.read("external", _external_block(), {"program": ["jq", "-n", "{}"], "result": None})
    assert "chart_path" not in state["result"] and state["result"] == {"stand-in": "stand-in-result"}


def test_provider_refuses_to_apply():
    provider = StandInProvider(json.loads((SCHEMAS / "helm.json").read_text()), "helm")
    response = provider.ApplyResourceChange(pb.ApplyResourceChange.Request(type_name="helm_release"), None)
    (diagnostic,) = response.diagnostics
    assert diagnostic.severity == pb.Diagnostic.ERROR and diagnostic.summary == "Stand-in provider cannot apply"


def test_schema_protobuf_keeps_nested_attributes_and_list_blocks():
    document = json.loads((SCHEMAS / "aws.json").read_text())
    response = schema_proto.provider_schema_response(document)
    versioning = response.resource_schemas["aws_s3_bucket_versioning"].block
    (configuration,) = [b for b in versioning.block_types if b.type_name == "versioning_configuration"]
    assert configuration.nesting == pb.Schema.NestedBlock.LIST
    assert (configuration.min_items, configuration.max_items) == (1, 1)
    helm = schema_proto.provider_schema_response(json.loads((SCHEMAS / "helm.json").read_text()))
    (set_attribute,) = [a for a in helm.resource_schemas["helm_release"].block.attributes if a.name == "set"]
    assert set_attribute.nested_type.nesting == pb.Schema.Object.LIST


def test_unknown_values_survive_a_msgpack_round_trip():
    planned = decode(encode({"arn": values.UNKNOWN}))
    assert values.is_unknown(planned["arn"])
    assert msgpack.packb(planned) == msgpack.packb({"arn": values.UNKNOWN})


def test_missing_terraform_is_a_clear_error(monkeypatch):
    from tests.terraform import harness
    import pytest

    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(harness.TerraformMissing, match="terraform is not on PATH"):
        harness.terraform_binary()
