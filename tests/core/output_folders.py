"""What the output-folder tests share: configs, in-process syntheses, snapshots, and the user's own files a stack
folder holds beside the synthesis."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import EXAMPLES, main_in_process, minimal_config


STACK = Path("stacks/hyperpod")
PRODUCTION = str(EXAMPLES / "production.tfvars.json")


def write_config(directory: Path, **overrides) -> Path:
    path = directory / f"config-{len(list(directory.glob('config-*')))}.json"
    path.write_text(json.dumps(minimal_config(**overrides)))
    return path


def synthesize(out: Path, *args: str, env: dict | None = None):
    return main_in_process("--out", str(out), *args, env=env)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# Terraform's files and the user's own: a saved plan, override files (Terraform merges them into the stack), the
# state and its backup, the providers' folder and the lock file.
USER_FILES = {"tfplan": "plan", "backend_override.tf": 'terraform { backend "local" {} }',
              "override.tf.json": '{"locals": {"x": 1}}', "terraform.hyperpod.tfstate": '{"serial": 7}',
              "terraform.hyperpod.tfstate.backup": '{"serial": 6}', ".terraform/providers/plugin": "binary",
              ".terraform.lock.hcl": "# lock", "notes/runbook.md": "# ours, not the synthesis's"}


def add_user_files(stack: Path) -> None:
    for name, content in USER_FILES.items():
        (stack / name).parent.mkdir(parents=True, exist_ok=True)
        (stack / name).write_text(content)


def assert_user_files(stack: Path) -> None:
    assert {name: (stack / name).read_text() for name in USER_FILES} == USER_FILES
