"""Reading a config file into a validated `HyperPodConfig` (or one clear error per problem)."""

from __future__ import annotations

from pathlib import Path


class UsageError(Exception):
    """A problem with the command line, a config file or a previous synthesis; reported without a traceback."""


def read_config(path: Path):
    """The config and its warnings; `UsageError` naming the file and every problem otherwise."""
    from hyperpod.config import ConfigError, parse_config
    from hyperpod.config.errors import JsonFileError, load_json

    try:
        return parse_config(load_json(path, "config file"))
    except JsonFileError as error:
        raise UsageError(str(error)) from None
    except ConfigError as error:
        lines = [f"{path}: {len(error.problems)} problem(s) in the configuration:"]
        lines += [f"  {problem}" for problem in error.problems]
        raise UsageError("\n".join(lines)) from None
