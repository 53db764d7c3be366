"""Rebuild `terraform providers schema -json`-shaped schemas from the TypeScript of prebuilt CDKTF bindings.

What the generated TypeScript tells us, per field:
- `// name - computed: X, optional: Y, required: Z` above each getter: the schema flags;
- `xToHclTerraform` entries (`isBlock`, `type`, `storageClassType`): the type of every configurable field;
- the getter body (`getStringAttribute`, `Fn.tolist(getListAttribute(..))`, `new XList(this, "x", wrapsSet)`):
  the type of computed-only fields, and set vs list;
- `cdktf.listMapper(fn, true)`: the field is a real nested block (`false`: an attribute holding objects).
What it cannot tell is a block from a nested attribute for single objects: that is protocol knowledge, passed in as
`framework` (plugin-framework providers such as helm 3 use nested attributes; SDKv2 providers such as aws and
kubernetes use list blocks with max_items 1, and "attributes as blocks" for computed objects).

Usage: python -m tests.terraform.schema_generator [--types tests/terraform/schemas/types.json] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.terraform import awscc_schema, jsii_sources

HERE = Path(__file__).resolve().parent
FRAMEWORK_PROVIDERS = {"helm"}  # providers whose single objects are nested attributes, not list blocks

FLAGS = re.compile(
    r"// (\w+) - computed: (true|false), optional: (true|false), required: (true|false)\n(.*?)(?=\n\n|\n  //|\n\}|\Z)", re.S
)
HCL_ENTRY = re.compile(
    r'(\w+): \{\s*value: (.*?),\s*isBlock: (true|false),\s*type: "(\w+)",\s*storageClassType: "(\w+)",?\s*\}', re.S
)
PLAIN_ENTRY = re.compile(r"^\s+(\w+): ([^\n]*),$", re.M)
PRIMITIVES = {"string": "string", "number": "number", "boolean": "bool"}
PRIMITIVE_COLLECTIONS = {
    "stringList": "string", "numberList": "number", "booleanList": "bool",
    "stringMap": "string", "numberMap": "number", "booleanMap": "bool",
}
GETTERS = {
    "getStringAttribute": "string", "getNumberAttribute": "number", "getBooleanAttribute": "bool",
    "getListAttribute": ["list", "string"], "getNumberListAttribute": ["list", "number"],
    "getStringMapAttribute": ["map", "string"], "getNumberMapAttribute": ["map", "number"],
    "getBooleanMapAttribute": ["map", "bool"],
}
MAP_CLASSES = {"StringMap": "string", "NumberMap": "number", "BooleanMap": "bool"}


def _blocks(text: str, keyword: str) -> dict[str, str]:
    """Top-level `export <keyword> Name ...{ ... }` bodies by name (the generator closes them with a bare `}` line)."""
    found = {}
    for match in re.finditer(rf"^export {keyword} (\w+)[^\n]*\n(.*?)^\}}$", text, re.S | re.M):
        found[match.group(1)] = match.group(0)
    return found


def _lower_first(name: str) -> str:
    return name[0].lower() + name[1:]


@dataclass
class Flags:
    computed: bool
    optional: bool
    required: bool

    def as_schema(self) -> dict:
        return {key: True for key in ("required", "optional", "computed") if getattr(self, key)}


class TypeScriptModule:
    """One generated binding module (a resource, data source or provider and its structs)."""

    def __init__(self, text: str, framework: bool):
        self.framework = framework
        self.classes = _blocks(text, "class")
        self.functions = _blocks(text, "function")
        self.interfaces = _blocks(text, "interface")

    def root_block(self, type_name: str) -> dict:
        for name, body in self.classes.items():
            if re.search(rf'tfResourceType = "{re.escape(type_name)}";', body):
                hcl = self._method(body, "synthesizeHclAttributes")
                plain = self._method(body, "synthesizeAttributes")
                block = self._block(hcl, plain, body, interface=self.interfaces.get(f"{name}Config", ""))
                if "extends cdktf.TerraformProvider" in body:
                    block["attributes"].pop("alias", None)  # a meta-argument, not part of the provider schema
                return block
        raise KeyError(f"no class with tfResourceType {type_name!r}")

    @staticmethod
    def _method(class_body: str, method: str) -> str:
        match = re.search(rf"protected {method}\(\)[^\n]*\n(.*?)\n  \}}\n", class_body, re.S)
        return match.group(1) if match else ""

    def struct_block(self, struct: str) -> dict:
        hcl = self.functions.get(f"{_lower_first(struct)}ToHclTerraform", "")
        plain = self.functions.get(f"{_lower_first(struct)}ToTerraform", "")
        getters = self.classes.get(f"{struct}OutputReference", "")
        return self._block(hcl, plain, getters, interface=self.interfaces.get(struct, ""))

    def _block(self, hcl: str, plain: str, getters: str, interface: str) -> dict:
        entries = {m.group(1): m for m in HCL_ENTRY.finditer(hcl)}
        plain_values = {m.group(1): m.group(2) for m in PLAIN_ENTRY.finditer(plain)}
        commented = {m.group(1): m for m in FLAGS.finditer(getters)}
        block: dict = {"attributes": {}, "block_types": {}}
        for name in sorted(entries.keys() | commented.keys()):
            flags = self._flags(commented.get(name), entries.get(name), interface)
            if name in entries:
                self._add_configurable(block, name, flags, entries[name], plain_values.get(name, ""))
            else:
                self._add_computed_only(block, name, flags, commented[name].group(5))
        if not block["block_types"]:
            del block["block_types"]
        return block

    @staticmethod
    def _flags(comment, entry, interface: str) -> Flags:
        if comment is not None:
            return Flags(*(comment.group(i) == "true" for i in (2, 3, 4)))
        # Provider structs have no getters: a TypeScript `?` is the only sign of optional.
        camel = re.findall(r"(?:struct!\.|this\._)(\w+)\)", entry.group(2))[-1]
        optional = re.search(rf"readonly {camel}\?:", interface) is not None
        return Flags(computed=False, optional=optional, required=not optional)

    def _add_configurable(self, block: dict, name: str, flags: Flags, entry, plain_value: str) -> None:
        kind, storage, is_block = entry.group(4), entry.group(5), entry.group(3) == "true"
        if kind == "simple":
            block["attributes"][name] = {"type": PRIMITIVES[storage], **flags.as_schema()}
            return
        if storage in PRIMITIVE_COLLECTIONS:
            block["attributes"][name] = {"type": [kind, PRIMITIVE_COLLECTIONS[storage]], **flags.as_schema()}
            return
        struct = storage if kind == "struct" else self._element_struct(storage)
        nested = self.struct_block(struct)
        # `listMapper(fn, true)`: a list/set block; a direct `xToTerraform(..)` call: one object (a max-1 block in
        # SDKv2, a single nested attribute in the framework); `listMapper(fn, false)`: objects in an attribute.
        one_object = "cdktf.listMapper(" not in plain_value
        nesting = "single" if one_object else kind
        list_block = re.search(r"cdktf\.listMapper\([\w.]+, true\)", plain_value) is not None
        if list_block or (one_object and is_block and not self.framework):
            self._add_block(block, name, flags, nested, nesting)
        else:
            self._add_objects(block, name, flags, nested, nesting)

    def _add_computed_only(self, block: dict, name: str, flags: Flags, getter: str) -> None:
        tolist = "cdktf.Fn.tolist(" in getter
        simple = re.search(r"this\.(get\w+Attribute)\(", getter)
        if simple and simple.group(1) in GETTERS:
            cty = GETTERS[simple.group(1)]
            if tolist and isinstance(cty, list):
                cty = ["set", cty[1]]
            block["attributes"][name] = {"type": cty, **flags.as_schema()}
            return
        maps = re.search(r"new cdktf\.(\w+)\(this, \"\w+\"(?:, (true|false))?\)", getter)
        if maps and maps.group(1) in MAP_CLASSES:
            block["attributes"][name] = {"type": ["map", MAP_CLASSES[maps.group(1)]], **flags.as_schema()}
            return
        complex_ = re.search(r"new (\w+)\(this, \"\w+\"(?:, (true|false))?\)", getter)
        if complex_ is None:
            raise ValueError(f"cannot tell the type of computed field {name!r} from: {getter.strip()[:200]}")
        cls = complex_.group(1)
        if cls.endswith("OutputReference"):
            struct, nesting = cls.removesuffix("OutputReference"), "single"
        else:
            struct, nesting = self._element_struct(cls), "set" if complex_.group(2) == "true" else "list"
        self._add_objects(block, name, flags, self.struct_block(struct), nesting)

    def _element_struct(self, list_class: str) -> str:
        body = self.classes.get(list_class, "")
        match = re.search(r"return new (\w+)OutputReference\(", body)
        # Provider structs have no List classes: the storage type is then the struct name plus "List".
        return match.group(1) if match else list_class.removesuffix("List")

    @staticmethod
    def _add_block(block: dict, name: str, flags: Flags, nested: dict, nesting: str) -> None:
        entry = {"nesting_mode": "list" if nesting == "single" else nesting, "block": nested}
        if flags.required:
            entry["min_items"] = 1
        if nesting == "single":
            entry["max_items"] = 1
        block["block_types"][name] = entry

    def _add_objects(self, block: dict, name: str, flags: Flags, nested: dict, nesting: str) -> None:
        if self.framework:
            block["attributes"][name] = {
                "nested_type": {"attributes": nested["attributes"], "nesting_mode": nesting}, **flags.as_schema()
            }
            return
        element = implied_type(nested)
        block["attributes"][name] = {"type": element if nesting == "single" else [nesting, element], **flags.as_schema()}


def implied_type(block: dict) -> list:
    """The cty object type a block (or nested attribute object) stands for."""
    fields = {}
    for name, attribute in block.get("attributes", {}).items():
        if "nested_type" in attribute:
            nested = attribute["nested_type"]
            element = implied_type(nested)
            fields[name] = element if nested["nesting_mode"] == "single" else [nested["nesting_mode"], element]
        else:
            fields[name] = attribute["type"]
    for name, nested in block.get("block_types", {}).items():
        element = implied_type(nested["block"])
        fields[name] = element if nested["nesting_mode"] == "single" else [nested["nesting_mode"], element]
    return ["object", fields]


def provider_schema(provider: str, resources: list[str], data_sources: list[str],
                    binding: jsii_sources.Binding | None = None) -> dict:
    """One provider's pruned schema document, with the binding it came from (default: CDKTF's)."""
    binding = binding or jsii_sources.BINDINGS[provider]
    wanted = [("provider", provider)] + [("resource", t) for t in resources] + [("data", t) for t in data_sources]
    modules = {jsii_sources.module_for(provider, kind, name): (kind, name) for kind, name in wanted}
    sources = jsii_sources.read_modules(binding, set(modules))
    framework = provider in FRAMEWORK_PROVIDERS
    document = {
        "_source": {
            "generator": "tests/terraform/schema_generator.py",
            "binding": f"PyPI {binding.python_package.replace('_', '-')} (jsii {jsii_sources.package_version(binding)})",
            "provider_version": provider_version(sources["provider"], provider),
        },
        "provider": None,
        "resource_schemas": {},
        "data_source_schemas": {},
    }
    for module, (kind, name) in sorted(modules.items()):
        block = TypeScriptModule(sources[module], framework).root_block(name)
        if kind == "provider":
            document["provider"] = {"version": 0, "block": block}
        else:
            key = "resource_schemas" if kind == "resource" else "data_source_schemas"
            document[key][name] = {"version": 0, "block": block}
    return document


def provider_version(provider_module: str, provider: str) -> str:
    match = re.search(rf"registry\.terraform\.io/providers/hashicorp/{provider}/([\d.]+)/docs", provider_module)
    if match is None:
        raise ValueError(f"binding for {provider} does not name the provider version it was generated from")
    return match.group(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--types", type=Path, default=HERE / "schemas" / "types.json",
                        help="JSON {provider: {resources: [...], data_sources: [...]}} naming the types to keep")
    parser.add_argument("--out", type=Path, default=HERE / "schemas")
    args = parser.parse_args(argv)
    wanted = json.loads(args.types.read_text())
    args.out.mkdir(parents=True, exist_ok=True)
    for provider, types in sorted(wanted.items()):
        resources, data_sources = types.get("resources", []), types.get("data_sources", [])
        if provider == "awscc":
            document = awscc_schema.provider_schema(resources)
        elif provider in jsii_sources.BINDINGS:
            document = provider_schema(provider, resources, data_sources)
        else:
            print(f"error: --types names provider {provider!r}; known: awscc, "
                  f"{', '.join(sorted(jsii_sources.BINDINGS))}", file=sys.stderr)
            return 2
        (args.out / f"{provider}.json").write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
        print(f"{provider}: {len(document['resource_schemas'])} resources, "
              f"{len(document['data_source_schemas'])} data sources -> {args.out / (provider + '.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
