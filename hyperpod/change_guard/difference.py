"""What really changed between two values of a synthesis, in full, as a reader of a refusal needs it.

Subnets and security groups are sets to the awscc provider (a new order is no change), so they are compared and
shown as sets: which IDs were added, which removed. A value that reads a data source (`orchestrator` is
`${data.aws_eks_cluster.x.arn}` whichever EKS cluster is looked up) changes when that data source's arguments do.
"""

from __future__ import annotations

import json
import re

SET_VALUED = ("subnets", "security_group_ids")
_DATA_REFERENCE = re.compile(r"data\.([a-z0-9_]+)\.([A-Za-z0-9_-]+)")


def show(value: object) -> str:
    return json.dumps(value, sort_keys=True)


def _is_set(path: str) -> bool:
    return path.rsplit(".", 1)[-1] in SET_VALUED


def normalized(value: object, path: str = "") -> object:
    """`value` with set-valued lists in a canonical order, so equal sets compare equal."""
    if isinstance(value, dict):
        return {key: normalized(item, f"{path}.{key}") for key, item in value.items()}
    if isinstance(value, list):
        items = [normalized(item, path) for item in value]
        return sorted(items, key=show) if _is_set(path) else items
    return value


def differences(before: object, after: object, path: str) -> list[str]:
    """One line per changed place below `path`: `path: before -> after`, sets as added/removed items."""
    if normalized(before, path) == normalized(after, path):
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        lines: list[str] = []
        for key in [*before, *(k for k in after if k not in before)]:
            if key == "//":  # CDKTF's construct metadata, not an argument
                continue
            where = f"{path}.{key}"
            if key not in after:
                lines.append(f"{where}: {show(before[key])} -> (removed)")
            elif key not in before:
                lines.append(f"{where}: (not set) -> {show(after[key])}")
            else:
                lines += differences(before[key], after[key], where)
        return lines
    if isinstance(before, list) and isinstance(after, list):
        if _is_set(path):
            removed = [item for item in before if item not in after]
            added = [item for item in after if item not in before]
            parts = ([f"removed {show(removed)}"] if removed else []) + ([f"added {show(added)}"] if added else [])
            return [f"{path}: {'; '.join(parts)}"]
        if len(before) == len(after):
            return [line for index, (old, new) in enumerate(zip(before, after))
                    for line in differences(old, new, f"{path}[{index}]")]
    return [f"{path}: {show(before)} -> {show(after)}"]


def data_sources_read(document: dict, value: object) -> dict[str, dict]:
    """The arguments of every data source `value` refers to, by address (`data.aws_eks_cluster.x`)."""
    data = document.get("data", {})
    return {f"data.{kind}.{name}": {key: item for key, item in data.get(kind, {}).get(name, {}).items() if key != "//"}
            for kind, name in sorted(set(_DATA_REFERENCE.findall(show(value))))}


def resolved_differences(old_document: dict, before: object, new_document: dict, after: object, path: str
                         ) -> list[str]:
    """`differences`, plus changed arguments of the data sources both values read."""
    lines = differences(before, after, path)
    old_reads, new_reads = data_sources_read(old_document, before), data_sources_read(new_document, after)
    for address in old_reads:
        if address in new_reads:
            lines += differences(old_reads[address], new_reads[address], address)
    return lines
