"""Several environments in one app: one config file per stack, read and checked together before anything is written.

`python main.py --config dev.json --config prod.json` and `HYPERPOD_CONFIG=dev.json:prod.json cdktf deploy hp-prod`
both end here: every file is validated (all problems of all files reported at once), then the environments are
checked against each other: stack names must be unique, and no two stacks may share a state object (they would
overwrite each other's state).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from hyperpod.app.configs import UsageError, read_config


@dataclass(frozen=True)
class Environment:
    """One config file and the stack it becomes."""

    path: Path
    config: object  # HyperPodConfig (imported lazily: --check must not pay for more than validation)
    warnings: list

    @property
    def stack_name(self) -> str:
        return self.config.stack_name


def config_paths(from_options: list[Path] | None, from_environment: str | None, default: Path) -> list[Path]:
    """--config options win; else the OS-path-separated list in HYPERPOD_CONFIG; else the default example. A
    HYPERPOD_CONFIG that is set but names no file is a mistake (an unset variable in a script), not the example."""
    if from_options:
        return list(from_options)
    if from_environment is not None:
        paths = [Path(part) for part in from_environment.split(os.pathsep) if part]
        if not paths:
            raise UsageError(f"HYPERPOD_CONFIG is set but names no config file (got {json.dumps(from_environment)}); "
                             f"allowed: config paths separated by {os.pathsep!r}, or unset it for "
                             f"{default.parent.name}/{default.name}")
        return paths
    return [default]


def read_environments(paths: list[Path]) -> list[Environment]:
    """Every config, validated; `UsageError` with the problems of every file, then with every conflict."""
    environments, errors = [], []
    for path in paths:
        try:
            config, warnings = read_config(path)
        except UsageError as error:
            errors.append(str(error))
            continue
        environments.append(Environment(path, config, warnings))
    if errors:
        raise UsageError("\n".join(errors))
    conflicts = environment_conflicts(environments)
    if conflicts:
        raise UsageError("\n".join(["error: the configs cannot be synthesized together; nothing was written:",
                                    *(f"  {conflict}" for conflict in conflicts)]))
    return environments


def environment_conflicts(environments: list[Environment]) -> list[str]:
    from hyperpod.config.state import state_object

    conflicts = []
    by_name: dict[str, Environment] = {}
    by_state: dict[tuple[str, ...], Environment] = {}
    for environment in environments:
        name = environment.stack_name
        same = by_name.get(name.casefold())
        if same is not None and same.stack_name == name:
            conflicts.append(f"{same.path} and {environment.path} both name stack_name {name!r}; allowed: a "
                             "different stack_name per config")
            continue
        if same is not None:
            conflicts.append(f"{same.path} and {environment.path} name stack_names {same.stack_name!r} and {name!r}, "
                             "which differ only in case: on a case-insensitive disk (macOS, Windows) they share one "
                             "folder; allowed: stack_names that differ in more than case")
            continue
        by_name[name.casefold()] = environment
        state = state_object(name, environment.config.state)
        if state in by_state:
            other = by_state[state]
            where = f"s3://{state[1]}/{state[2]}" if state[0] == "s3" else state[1]
            conflicts.append(f"stacks {other.stack_name!r} ({other.path}) and {name!r} ({environment.path}) share "
                             f"the state object {where}; allowed: a different state.key (or bucket) per stack")
        else:
            by_state[state] = environment
    return conflicts
