"""Rules of the newer awscc_sagemaker_cluster surface that need the whole raw config (the stack's file system, the
provisioning mode, the add-ons): per-group storage and restricted instance groups."""

from __future__ import annotations

from hyperpod.config.errors import Problem
from hyperpod.config.group_storage import storage_problems
from hyperpod.config.restricted import restricted_problems


def surface_problems(raw: dict) -> list[Problem]:
    problems: list[Problem] = []
    groups = raw.get("hyperpod_instance_groups")
    for index, group in enumerate(groups if isinstance(groups, list) else []):
        if isinstance(group, dict):
            problems += storage_problems(raw, group, f"hyperpod_instance_groups[{index}]")
    return problems + restricted_problems(raw)
