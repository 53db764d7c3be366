"""Run real Terraform offline: a filesystem mirror of stand-in providers, and scratch copies of synthesized stacks."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tf.runner import _get_cert_cache_path, _self_signed_cert  # the stand-ins' TLS material (tf package)

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SCHEMAS = HERE / "schemas"
HOSTNAME, NAMESPACE = "registry.terraform.io", "hashicorp"


class TerraformMissing(RuntimeError):
    pass


def terraform_binary() -> str:
    found = shutil.which("terraform")
    if found is None:
        raise TerraformMissing(
            "terraform is not on PATH: these tests run the real Terraform CLI (1.11.x) against offline stand-in "
            "providers; install it (it cannot be downloaded from this machine) and re-run"
        )
    return found


def provider_versions() -> dict[str, str]:
    """Provider type -> the version its committed schema was generated from."""
    return {
        path.stem: json.loads(path.read_text())["_source"]["provider_version"]
        for path in sorted(SCHEMAS.glob("*.json")) if path.name != "types.json"
    }


def server_key_pair(root: Path) -> Path:
    """A TLS key pair and certificate for every stand-in process of this mirror, made once by the tf package in its
    cache format, under `root` (the package's cache is in $HOME, which parallel test workers would race on)."""
    home = os.environ.get("HOME")
    os.environ["HOME"] = str(root)
    try:
        _self_signed_cert()
        return _get_cert_cache_path()
    finally:
        if home is None:
            del os.environ["HOME"]
        else:
            os.environ["HOME"] = home


def build_mirror(root: Path) -> Path:
    """An unpacked filesystem mirror with one shim executable per provider, and the CLI config naming it."""
    mirror = root / "mirror"
    tls = server_key_pair(root)
    for name, version in provider_versions().items():
        target = mirror / HOSTNAME / NAMESPACE / name / version / "linux_amd64"
        target.mkdir(parents=True, exist_ok=True)
        shim = target / f"terraform-provider-{name}_v{version}"
        shim.write_text(
            "#!/bin/sh\n"
            f"PYTHONPATH='{REPO}' exec '{sys.executable}' -m tests.terraform.stand_in.provider '{SCHEMAS / (name + '.json')}' '{tls}'\n"
        )
        shim.chmod(0o755)
    cli_config = root / "terraformrc"
    cli_config.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{mirror}"\n    include = ["{HOSTNAME}/{NAMESPACE}/*"]\n  }}\n'
        "}\n"
    )
    return cli_config


@dataclass
class Result:
    args: list[str]
    returncode: int
    output: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def __str__(self) -> str:
        """Short enough for an assertion message: each distinct error with where it was reported."""
        errors, lines = [], self.output.splitlines()
        for index, line in enumerate(lines):
            if line.startswith("Error: "):
                where = next((l.strip() for l in lines[index + 1:index + 4] if l.strip().startswith("on ")), "")
                entry = f"{line} ({where[:160]})" if where else line
                if entry not in errors:
                    errors.append(entry)
        if not errors:
            return f"{' '.join(self.args[1:2])} exited {self.returncode}:\n{self.output[-3000:]}"
        shown = "\n  ".join(errors[:15])
        more = f"\n  ... and {len(errors) - 15} more" if len(errors) > 15 else ""
        return f"{' '.join(self.args[1:2])} exited {self.returncode} with {len(errors)} distinct error(s):\n  {shown}{more}"


@dataclass
class Workspace:
    """A scratch copy of one synthesized stack, initialised against the stand-in mirror."""

    directory: Path
    cli_config: Path
    env_overrides: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_stack(cls, stack_json: Path, directory: Path, cli_config: Path) -> "Workspace":
        directory.mkdir(parents=True, exist_ok=True)
        for item in stack_json.parent.iterdir():
            if item.is_file():
                shutil.copy2(item, directory / item.name)
            elif item.is_dir() and item.name != ".terraform":
                shutil.copytree(item, directory / item.name, dirs_exist_ok=True)
        # Whatever backend the stack declares, state stays in the scratch directory.
        (directory / "backend_override.tf.json").write_text(
            json.dumps({"terraform": {"backend": {"local": {"path": "terraform.tfstate"}}}}))
        return cls(directory, cli_config)

    @property
    def stack(self) -> Path:
        return self.directory / "cdk.tf.json"

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("TF_")}
        env.update(TF_CLI_CONFIG_FILE=str(self.cli_config), TF_IN_AUTOMATION="1", TF_INPUT="0",
                   CHECKPOINT_DISABLE="1", NO_COLOR="1")
        env.update(self.env_overrides)
        env.update(extra or {})
        return env

    def run(self, *args: str, env: dict[str, str] | None = None, timeout: int = 120) -> Result:
        command = [terraform_binary(), *args]
        started = time.monotonic()
        completed = subprocess.run(command, cwd=self.directory, env=self.env(env), capture_output=True,
                                   text=True, timeout=timeout)
        seconds = time.monotonic() - started
        self.timings.setdefault(args[0], seconds)  # the first run of each command: the unmutated stack
        return Result(command, completed.returncode, completed.stdout + completed.stderr, seconds)

    def init(self) -> Result:
        return self.run("init", "-no-color", "-input=false")

    def validate(self) -> Result:
        return self.run("validate", "-no-color")

    def plan(self, *extra: str, env: dict[str, str] | None = None) -> Result:
        return self.run("plan", "-no-color", "-input=false", "-refresh=false", "-lock=false", *extra, env=env)

    def write_stack(self, document: dict) -> None:
        self.stack.write_text(json.dumps(document, indent=2))

    def read_stack(self) -> dict:
        return json.loads(self.stack.read_text())

    def clone(self, directory: Path) -> "Workspace":
        """A copy that shares this one's initialised providers (copying .terraform is far cheaper than init)."""
        shutil.copytree(self.directory, directory, symlinks=True, dirs_exist_ok=True)
        return Workspace(directory, self.cli_config, dict(self.env_overrides))

    def graph_edges(self) -> set[tuple[str, str]]:
        """Terraform's own dependency edges (a -> b: a is ordered after b)."""
        result = self.run("graph")
        if not result.ok:
            raise AssertionError(f"terraform graph failed:\n{result.output}")
        return set(re.findall(r'"([^"]+)" -> "([^"]+)"', result.output))
