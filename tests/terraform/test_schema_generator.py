"""The schema generator reads CDKTF-generated TypeScript the way the binding generator wrote it."""

from __future__ import annotations

import json

from tests.terraform import awscc_schema, schema_generator
from tests.terraform.schema_generator import TypeScriptModule

# A trimmed module in the shape the CDKTF generator writes for an SDKv2 resource: a required string, a computed-only
# string, a computed-only set of strings, a list block (listMapper true), a max-1 block (direct call) and a set of
# objects held in an attribute (listMapper false).
SDKV2_MODULE = '''
export interface ThingRule {
  readonly port: number;
}

export function thingRuleToTerraform(struct?: ThingRule): any {
  return {
    port: cdktf.numberToTerraform(struct!.port),
  }
}

export function thingRuleToHclTerraform(struct?: ThingRule): any {
  const attrs = {
    port: {
      value: cdktf.numberToHclTerraform(struct!.port),
      isBlock: false,
      type: "simple",
      storageClassType: "number",
    },
  };
  return attrs;
}

export class ThingRuleOutputReference extends cdktf.ComplexObject {
  // port - computed: false, optional: false, required: true
  private _port?: number; 
  public get port() {
    return this.getNumberAttribute('port');
  }

  // rule_id - computed: true, optional: false, required: false
  public get ruleId() {
    return this.getStringAttribute('rule_id');
  }
}

export class ThingRuleList extends cdktf.ComplexList {
  public get(index: number): ThingRuleOutputReference {
    return new ThingRuleOutputReference(this.terraformResource, this.terraformAttribute, index, this.wrapsSet);
  }
}

export class Thing extends cdktf.TerraformResource {
  public static readonly tfResourceType = "stand_thing";

  // name - computed: false, optional: false, required: true
  private _name?: string; 
  public get name() {
    return this.getStringAttribute('name');
  }

  // arn - computed: true, optional: false, required: false
  public get arn() {
    return this.getStringAttribute('arn');
  }

  // zones - computed: true, optional: false, required: false
  public get zones() {
    return cdktf.Fn.tolist(this.getListAttribute('zones'));
  }

  // rule - computed: false, optional: true, required: false
  private _rule = new ThingRuleList(this, "rule", false);
  public get rule() {
    return this._rule;
  }

  // main_rule - computed: false, optional: false, required: true
  private _mainRule = new ThingRuleOutputReference(this, "main_rule");
  public get mainRule() {
    return this._mainRule;
  }

  // loose_rules - computed: true, optional: true, required: false
  private _looseRules = new ThingRuleList(this, "loose_rules", true);
  public get looseRules() {
    return this._looseRules;
  }

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      name: cdktf.stringToTerraform(this._name),
      rule: cdktf.listMapper(thingRuleToTerraform, true)(this._rule.internalValue),
      main_rule: thingRuleToTerraform(this._mainRule.internalValue),
      loose_rules: cdktf.listMapper(thingRuleToTerraform, false)(this._looseRules.internalValue),
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      name: {
        value: cdktf.stringToHclTerraform(this._name),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      rule: {
        value: cdktf.listMapperHcl(thingRuleToHclTerraform, true)(this._rule.internalValue),
        isBlock: true,
        type: "list",
        storageClassType: "ThingRuleList",
      },
      main_rule: {
        value: thingRuleToHclTerraform(this._mainRule.internalValue),
        isBlock: true,
        type: "list",
        storageClassType: "ThingRuleList",
      },
      loose_rules: {
        value: cdktf.listMapperHcl(thingRuleToHclTerraform, false)(this._looseRules.internalValue),
        isBlock: true,
        type: "set",
        storageClassType: "ThingRuleList",
      },
    };
    return attrs;
  }
}
'''


def sdkv2_block() -> dict:
    return TypeScriptModule(SDKV2_MODULE, framework=False).root_block("stand_thing")


def test_required_field():
    assert sdkv2_block()["attributes"]["name"] == {"type": "string", "required": True}


def test_computed_only_field():
    assert sdkv2_block()["attributes"]["arn"] == {"type": "string", "computed": True}


def test_set_of_strings():
    assert sdkv2_block()["attributes"]["zones"] == {"type": ["set", "string"], "computed": True}


def test_list_block_with_its_own_required_and_computed_fields():
    rule = sdkv2_block()["block_types"]["rule"]
    assert rule["nesting_mode"] == "list" and "max_items" not in rule and "min_items" not in rule
    assert rule["block"]["attributes"] == {
        "port": {"type": "number", "required": True}, "rule_id": {"type": "string", "computed": True}}


def test_required_single_object_is_a_max_one_list_block_in_sdkv2():
    main_rule = sdkv2_block()["block_types"]["main_rule"]
    assert (main_rule["nesting_mode"], main_rule["min_items"], main_rule["max_items"]) == ("list", 1, 1)


def test_objects_mapped_without_block_flag_are_an_attribute_of_a_set_of_objects():
    loose = sdkv2_block()["attributes"]["loose_rules"]
    assert loose == {"type": ["set", ["object", {"port": "number", "rule_id": "string"}]],
                     "computed": True, "optional": True}


def test_framework_objects_are_nested_attributes():
    block = TypeScriptModule(SDKV2_MODULE, framework=True).root_block("stand_thing")
    assert block["attributes"]["main_rule"]["nested_type"]["nesting_mode"] == "single"
    assert block["attributes"]["loose_rules"]["nested_type"]["nesting_mode"] == "set"
    assert "rule" in block["block_types"]  # listMapper(.., true) stays a block even in the framework


def test_real_helm_binding_nested_attributes():
    document = schema_generator.provider_schema("helm", ["helm_release"], [])
    release = document["resource_schemas"]["helm_release"]["block"]["attributes"]
    assert document["_source"]["provider_version"] == "3.1.1"
    assert release["set"]["nested_type"]["nesting_mode"] == "list"
    assert release["set"]["nested_type"]["attributes"]["name"] == {"type": "string", "required": True}
    assert release["metadata"]["computed"] and release["metadata"]["nested_type"]["nesting_mode"] == "single"
    assert release["chart"] == {"type": "string", "required": True}


def test_awscc_reference_conversion():
    document = awscc_schema.provider_schema(["awscc_sagemaker_cluster"])
    cluster = document["resource_schemas"]["awscc_sagemaker_cluster"]["block"]["attributes"]
    assert cluster["instance_groups"]["nested_type"]["nesting_mode"] == "list"
    assert cluster["tags"]["nested_type"]["nesting_mode"] == "set"
    assert cluster["cluster_arn"] == {"type": "string", "computed": True}
    groups = cluster["instance_groups"]["nested_type"]["attributes"]
    assert groups["on_start_deep_health_checks"]["type"] == ["list", "string"]


def test_committed_schemas_are_what_the_generator_makes(tmp_path):
    """The pruned schemas in schemas/ are regenerated, not hand-edited (helm and awscc: the cheap ones)."""
    committed = schema_generator.HERE / "schemas"
    types = json.loads((committed / "types.json").read_text())
    small = {name: types[name] for name in ("helm", "awscc")}
    (tmp_path / "types.json").write_text(json.dumps(small))
    assert schema_generator.main(["--types", str(tmp_path / "types.json"), "--out", str(tmp_path)]) == 0
    for name in small:
        assert (tmp_path / f"{name}.json").read_text() == (committed / f"{name}.json").read_text()
