"""Check the hand-written awscc bindings (hyperpod/bindings/awscc.py: `awscc_sagemaker_cluster`, and
hyperpod/bindings/awscc_scheduler.py: `awscc_sagemaker_cluster_scheduler_config`) against the prebuilt awscc binding
generated from the provider's schema (cdktn-provider-awscc 1.8.0, hashicorp/awscc 1.106.0), in the CDK Terrain
environment:

    .venv-terrain/bin/python -m tests.terrain.awscc_oracle OUT

The prebuilt package is a test-time oracle only: no synthesis loads it. Both resources are checked in one process, which
loads its 66 MB jsii assembly once, with jsii's Node loading only the awscc resource modules used
(hyperpod/bindings/node.py): the whole run takes about 1.2 s and 185 MB here, 5 to 7 s and 1.1 GB without that.
For each resource in RESOURCES:

1. Types: every attribute and nested attribute the hand-written binding can emit (the fields of its config dataclass,
   recursively) must be an argument of the prebuilt binding's matching struct, of the same kind: string, number,
   bool, a list or map of one, or a nested object (compared field by field in turn).
2. Names: the binding's maximal config (every field set, each leaf a distinct value) is synthesized once by each
   binding into one stack; the two resource bodies must be equal, which proves the Terraform name of every argument
   (the prebuilt binding maps its own Python names to the schema's).
Writes OUT/report.json: {"<resource type>": {"type_errors": [...], "ours": {...}, "prebuilt": {...},
"checked": [paths]}, ...}, one entry per resource.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import importlib
import itertools
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parents[2]
_counter = itertools.count(1)


SCALARS = {str: "string", int: "number", float: "number", bool: "bool"}


def _options(hint: Any) -> list[Any]:
    """The members of a union (typing.Union or `X | Y`) less None; [hint] for any other type."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return [arg for arg in typing.get_args(hint) if arg is not type(None)]
    return [hint]


def _is_sequence(hint: Any) -> bool:
    return typing.get_origin(hint) in (list, tuple, collections.abc.Sequence)


def _is_mapping(hint: Any) -> bool:
    return typing.get_origin(hint) in (dict, collections.abc.Mapping)


def our_type(hint: Any) -> tuple[Any, Any]:
    """(kind, dataclass or None) of a hand-written binding field: kind is "string", "number", "bool", "object",
    ["list", kind] or ["map", kind]."""
    (hint,) = _options(hint)
    if typing.get_origin(hint) is Literal:
        return SCALARS[type(typing.get_args(hint)[0])], None
    if hint in SCALARS:
        return SCALARS[hint], None
    if _is_sequence(hint):
        kind, dataclass = our_type(typing.get_args(hint)[0])
        return ["list", kind], dataclass
    if _is_mapping(hint):
        return ["map", our_type(typing.get_args(hint)[1])[0]], None
    if dataclasses.is_dataclass(hint):
        return "object", hint
    raise TypeError(f"unexpected type {hint!r} in the hand-written binding")


def prebuilt_type(hint: Any) -> tuple[Any, Any]:
    """(kind, struct class or None) of a prebuilt binding argument, its IResolvable (a token) and plain-dict
    alternatives left out; jsii types a Terraform number as `int | float`."""
    kept = [arg for arg in _options(hint) if getattr(arg, "__name__", "") != "IResolvable"
            and typing.get_origin(arg) is not dict]
    if set(kept) == {int, float}:
        return "number", None
    (hint,) = kept
    if hint in SCALARS:
        return SCALARS[hint], None
    if _is_sequence(hint):
        kind, struct = prebuilt_type(typing.get_args(hint)[0])
        return ["list", kind], struct
    if _is_mapping(hint):
        return ["map", prebuilt_type(typing.get_args(hint)[1])[0]], None
    if isinstance(hint, type) and hasattr(hint, "__jsii_type__"):
        return "object", hint
    raise TypeError(f"unexpected type {hint!r} in the prebuilt binding")


# The hand-written binding names its fields as the schema's Terraform attributes; jsii derives the prebuilt binding's
# Python names from the camelCase ones, which differ where the schema splits an acronym: sizeInGiB is the schema's
# size_in_gi_b and the prebuilt's size_in_gib. The equal Terraform bodies (main) prove both reach the same attribute.
PREBUILT_PYTHON_NAMES = {"size_in_gi_b": "size_in_gib"}


def prebuilt_name(name: str) -> str:
    return PREBUILT_PYTHON_NAMES.get(name, name)


def compare_types(ours: type, theirs: type, path: str, errors: list[str], checked: list[str]) -> None:
    """Every field of dataclass `ours` against the arguments of the prebuilt struct or resource `theirs`."""
    their_hints = typing.get_type_hints(theirs.__init__)
    for name, hint in typing.get_type_hints(ours).items():
        where = f"{path}.{name}" if path else name
        checked.append(where)
        name = prebuilt_name(name)
        if name not in their_hints:
            errors.append(f"{where}: no such argument in the prebuilt binding's {theirs.__name__}")
            continue
        (mine, dataclass), (kind, struct) = our_type(hint), prebuilt_type(their_hints[name])
        if mine != kind:
            errors.append(f"{where}: the hand-written binding has {mine}, the prebuilt binding {kind}")
        elif dataclass is not None:
            compare_types(dataclass, struct, where, errors, checked)


def maximal(hint: Any, path: str) -> Any:
    """A value of `hint` with every optional field set and each leaf distinct (a swapped name cannot match)."""
    (hint,) = _options(hint)
    if typing.get_origin(hint) is Literal:
        return typing.get_args(hint)[0]
    if hint is str:
        return f"{path}-{next(_counter)}"
    if hint is int:
        return next(_counter)
    if hint is bool:
        return True
    if dataclasses.is_dataclass(hint):
        return hint(**{name: maximal(field_hint, f"{path}.{name}")
                       for name, field_hint in typing.get_type_hints(hint).items()})
    if _is_mapping(hint):
        return {f"{path}-key": maximal(typing.get_args(hint)[1], path)}
    return [maximal(typing.get_args(hint)[0], path)]


def to_prebuilt(value: Any, hint: Any) -> Any:
    """The hand-written binding's value as the prebuilt binding's struct instances (`hint`: the prebuilt type)."""
    _, struct = prebuilt_type(hint)
    if dataclasses.is_dataclass(value):
        hints = typing.get_type_hints(struct.__init__)
        return struct(**{prebuilt_name(f.name): to_prebuilt(getattr(value, f.name), hints[prebuilt_name(f.name)])
                         for f in dataclasses.fields(value) if getattr(value, f.name) is not None})
    if isinstance(value, (list, tuple)):
        (sequence,) = [arg for arg in _options(hint) if _is_sequence(arg)]
        return [to_prebuilt(item, typing.get_args(sequence)[0]) for item in value]
    return value


# The hand-written awscc resources (module, class). Each one's prebuilt counterpart has the same class name in
# cdktn_provider_awscc.<its Terraform type less "awscc_">; test_awscc_oracle checks that no resource is left out.
RESOURCES = (("hyperpod.bindings.awscc", "SagemakerCluster"),
             ("hyperpod.bindings.awscc_scheduler", "SagemakerClusterSchedulerConfig"))


def config_class(resource: type) -> type:
    """The config dataclass of a hand-written resource (its `config` annotation)."""
    return typing.get_type_hints(resource)["config"]


def prebuilt_class(resource: type) -> type:
    """The prebuilt binding's class for the same Terraform resource type (test-time oracle only)."""
    module = importlib.import_module("cdktn_provider_awscc." + resource.TF_RESOURCE_TYPE.removeprefix("awscc_"))
    return getattr(module, resource.__name__)


def main(out: Path) -> int:
    sys.path.insert(0, str(ROOT))
    from hyperpod.bindings.node import lazy_provider_modules

    with lazy_provider_modules():  # jsii's Node, started by this first CDK import, loads only the awscc modules used
        from hyperpod.runtime.core import App, TerraformStack
    from hyperpod.bindings.awscc import AwsccProvider
    from cdktn_provider_awscc.provider import AwsccProvider as PrebuiltProvider  # test-time oracle only

    app = App(outdir=str(out / "cdktf.out"))
    stack = TerraformStack(app, "oracle")
    ours_provider = AwsccProvider(stack, "ours", region="us-west-2")
    theirs_provider = PrebuiltProvider(stack, "prebuilt", region="us-west-2", alias="prebuilt")
    reports: dict[str, dict[str, Any]] = {}
    for module, name in RESOURCES:
        resource = getattr(importlib.import_module(module), name)
        config_type, prebuilt = config_class(resource), prebuilt_class(resource)
        errors: list[str] = []
        checked: list[str] = []
        compare_types(config_type, prebuilt, "", errors, checked)
        config = maximal(config_type, resource.TF_RESOURCE_TYPE)
        resource(stack, f"ours-{name}", config, provider=ours_provider)
        if not errors:
            hints = typing.get_type_hints(prebuilt.__init__)
            prebuilt(stack, f"prebuilt-{name}", provider=theirs_provider,
                     **{f.name: to_prebuilt(getattr(config, f.name), hints[f.name])
                        for f in dataclasses.fields(config) if getattr(config, f.name) is not None})
        reports[resource.TF_RESOURCE_TYPE] = {"type_errors": errors, "checked": checked}
    app.synth()
    document = json.loads((out / "cdktf.out" / "stacks" / "oracle" / "cdk.tf.json").read_text())
    for resource_type, report in reports.items():
        bodies = document["resource"][resource_type]
        report["ours"] = next(body for key, body in bodies.items() if key.startswith("ours"))
        report["prebuilt"] = next((body for key, body in bodies.items() if key.startswith("prebuilt")), None)
        for body in (report["ours"], report["prebuilt"] or {}):
            body.pop("provider", None)  # which provider block, and the construct's id and path: the differences the
            body.pop("//", None)  # two resources have on purpose
    (out / "report.json").write_text(json.dumps(reports, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
