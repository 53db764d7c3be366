"""How this project's small bindings appear in `cdktf synth --hcl`.

CDKTF 0.21 writes HCL from a second method, `synthesizeHclAttributes`, not from the Terraform JSON attributes: a
binding that overrides only `_synthesize_attributes` comes out with an empty body. The prebuilt bindings describe each
argument for the HCL renderer as `{"value", "isBlock", "type", "storageClassType"}`; `typed_for_hcl` derives that
description from the JSON-shaped attributes the bindings already synthesize, so both outputs come from one source and
the JSON output is untouched.

What the renderer (cdktf lib/hcl/render.js) makes of each description:
- strings, numbers, booleans: `simple` with their storage class -> `name = "text"`, `name = 3`, `name = true`;
- a list of scalars: `list` with `stringList`/`numberList`/`booleanList` -> `name = [ ... ]`;
- a mapping of strings (labels, Helm-style maps): `map` -> `name = { "any key" = "text" }` (keys quoted as needed);
- any other mapping (a nested object): `list` holding one described object, not a block -> `name = { ... }`;
- a list of mappings: blocks (`name { ... }` per element) when the provider declares them as blocks (hashicorp/
  kubernetes 2.x, whose Terraform JSON writes a block as a list of objects), else a list of objects
  (`name = [ { ... }, ]`, the nested attributes of plugin-framework providers such as awscc).
"""

from __future__ import annotations

from typing import Any, Mapping

_SCALAR_CLASS = {bool: "boolean", int: "number", float: "number", str: "string"}


def _scalar_class(value: Any) -> str | None:
    return _SCALAR_CLASS.get(type(value))


def _describe(value: Any, lists_of_objects_are_blocks: bool) -> dict[str, Any]:
    scalar = _scalar_class(value)
    if scalar:
        return {"value": value, "isBlock": False, "type": "simple", "storageClassType": scalar}
    if isinstance(value, Mapping):
        if all(isinstance(item, str) for item in value.values()):
            return {"value": dict(value), "isBlock": False, "type": "map", "storageClassType": "stringMap"}
        return {"value": typed_for_hcl(value, lists_of_objects_are_blocks=lists_of_objects_are_blocks),
                "isBlock": False, "type": "list", "storageClassType": "object"}
    if isinstance(value, (list, tuple)):
        classes = {_scalar_class(item) for item in value}
        if len(classes) == 1 and None not in classes:
            return {"value": list(value), "isBlock": False, "type": "list", "storageClassType": f"{classes.pop()}List"}
        if not value:
            return {"value": [], "isBlock": False, "type": "list", "storageClassType": "stringList"}
        if all(isinstance(item, Mapping) for item in value):
            return {"value": [typed_for_hcl(item, lists_of_objects_are_blocks=lists_of_objects_are_blocks)
                              for item in value],
                    "isBlock": lists_of_objects_are_blocks, "type": "list", "storageClassType": "objectList"}
    raise TypeError(f"no HCL rendering for {type(value).__name__} value {value!r}")


def typed_for_hcl(attributes: Mapping[str, Any], *, lists_of_objects_are_blocks: bool) -> dict[str, Any]:
    """The `_synthesize_hcl_attributes` result for Terraform JSON `attributes` (None, i.e. unset, is left out)."""
    return {name: _describe(value, lists_of_objects_are_blocks)
            for name, value in attributes.items() if value is not None}
