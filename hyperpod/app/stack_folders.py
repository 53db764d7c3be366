"""Stack folders that a synthesis could mistake for another's: a renamed stack whose old folder still holds the
deployment's local state, and names that differ only in case (one folder on a case-insensitive disk: macOS, Windows).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from hyperpod.app.configs import UsageError
from hyperpod.app.owned_files import read_record
from hyperpod.app.previous import ChangeRefused, refuse_unless_allowed
from hyperpod.app.terraform_lock import state_files

CLUSTER_TYPE = "awscc_sagemaker_cluster"


def _existing_folders(outdir: Path) -> list[Path]:
    stacks = outdir / "stacks"
    try:
        return sorted(p for p in stacks.iterdir() if p.is_dir()) if stacks.is_dir() else []
    except OSError:
        return []


def refuse_colliding_stacks(outdir: Path, names: list[str]) -> None:
    """`UsageError` when a stack would share its folder with an existing one whose name differs only in case."""
    for name in names:
        for folder in _existing_folders(outdir):
            if folder.name != name and folder.name.casefold() == name.casefold():
                raise UsageError(f"stack_name {name!r} and the existing folder {folder} differ only in case: on a "
                                 "case-insensitive disk (macOS, Windows) they are one folder, and one stack would "
                                 f"take the other's files; allowed: stack_name {folder.name!r}, or another name")


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None


def _clusters_in_state(state: object) -> tuple[bool, set[str]]:
    """Whether a state holds resources (an unreadable one is taken to), and the HyperPod clusters it holds."""
    if not isinstance(state, dict):
        return True, set()
    resources = state.get("resources")
    if not isinstance(resources, list):
        return bool(resources), set()
    names = set()
    for resource in resources:
        if isinstance(resource, dict) and resource.get("type") == CLUSTER_TYPE:
            for instance in resource.get("instances") or []:
                name = instance.get("attributes", {}).get("cluster_name") if isinstance(instance, dict) else None
                if isinstance(name, str):
                    names.add(name)
    return bool(resources), names


def _clusters_in_synthesis(folder: Path) -> set[str]:
    document = _read_json(folder / "cdk.tf.json")
    resources = document.get("resource") if isinstance(document, dict) else None
    clusters = resources.get(CLUSTER_TYPE) if isinstance(resources, dict) else None
    if not isinstance(clusters, dict):
        return set()
    return {cluster["cluster_name"] for cluster in clusters.values()
            if isinstance(cluster, dict) and isinstance(cluster.get("cluster_name"), str)}


def deployed_elsewhere(outdir: Path, config, names: list[str]) -> tuple[Path, str] | None:
    """The local state (in another stack's folder, not synthesized in this run) of the HyperPod cluster `config`
    declares, with that folder's stack name: the stack was renamed while its state stayed behind."""
    cluster = config.hyperpod_cluster_name if config.hyperpod_enabled else None
    if cluster is None:
        return None
    for folder in _existing_folders(outdir):
        if folder.name in names:
            continue
        for state in state_files(folder):
            holds_resources, clusters = _clusters_in_state(_read_json(state))
            if holds_resources and cluster in clusters | _clusters_in_synthesis(folder):
                return state, folder.name
    return None


def refuse_renamed_stacks(outdir: Path, configs: list, previous: dict, allow: bool) -> None:
    """`ChangeRefused` (exit 3; a warning with --allow-replace) for a stack synthesized here for the first time while
    another stack folder's local state holds its cluster: the new stack would plan the cluster from an empty state."""
    names = [config.stack_name for config in configs]
    refusals = []
    for config in configs:
        if previous.get(config.stack_name) is not None or state_files(outdir / "stacks" / config.stack_name):
            continue
        found = deployed_elsewhere(outdir, config, names)
        if found is None:
            continue
        state, old = found
        new = config.stack_name
        if config.state.backend == "local":
            move = (f"move the state with the stack: mkdir -p {outdir / 'stacks' / new} && mv {state} "
                    f"{outdir / 'stacks' / new / f'terraform.{new}.tfstate'} (then run again and terraform init there)")
        else:
            move = (f"migrate it first: set stack_name back to {old!r} with the new state block, synthesize, and run "
                    f"`terraform init -migrate-state` in {state.parent}; then rename")
        refusals.append(f"stack_name {new!r} is new in {outdir}, but {state} (stack {old!r}) holds the state of "
                        f"HyperPod cluster {config.hyperpod_cluster_name!r}: stack {new!r} would plan that cluster "
                        f"from an empty state and create it again. To keep the deployment, {move}; or set "
                        f"stack_name back to {old!r}")
    refuse_unless_allowed(refusals, allow, warned="renamed stack(s)",
                          refused="renamed stack(s) would lose their deployed state")


def run_by_cdktf_cli(out_option: str | None) -> bool:
    """`cdktf synth`/`deploy` runs the app with these variables (@cdktf/cli-core, src/lib/synth-stack.js)."""
    return out_option is None and bool(os.environ.get("CDKTF_OUTDIR")) and \
        os.environ.get("CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS") == "true"


def _users_files(folder: Path, recorded: dict) -> list[str]:
    """What in a stack folder a synthesis did not write (Terraform's files, the state, the user's); a stack file of
    CDKTF's own name counts as written (a synthesis from before the record existed)."""
    try:
        entries = sorted(entry.name for entry in os.scandir(folder))
    except OSError:
        return []
    return [name for name in entries
            if f"stacks/{folder.name}/{name}" not in recorded and name not in ("cdk.tf.json", "cdk.tf")]


def refuse_cdktf_cli_removal(outdir: Path, names: list[str], allow: bool) -> None:
    """`ChangeRefused` (exit 3; a warning with --allow-replace) when the cdktf CLI, after this synthesis, would delete
    stack folders holding Terraform's files or state: it removes every folder under stacks/ that the new
    manifest.json does not list (the stacks of configs left out of HYPERPOD_CONFIG)."""
    recorded, _ = read_record(outdir)
    doomed = []
    for folder in _existing_folders(outdir):
        if folder.name not in names:
            kept = _users_files(folder, recorded)
            if kept:
                doomed.append(f"{folder} ({', '.join(kept[:4])}{', ...' if len(kept) > 4 else ''})")
    if not doomed:
        return
    report = "\n".join(f"  - {folder}" for folder in doomed)
    if allow:
        print(f"warning: going ahead (--allow-replace): the cdktf CLI will now delete {len(doomed)} stack "
              f"folder(s) with their files:\n{report}", file=sys.stderr)
        return
    raise ChangeRefused(f"refused: the cdktf CLI deletes every stack folder the new synthesis does not list, and "
                        f"{len(doomed)} hold(s) Terraform's or your files; nothing was written.\n{report}\nName their "
                        f"configs in HYPERPOD_CONFIG too, or synthesize with `python main.py --config ...` (which "
                        f"keeps other stacks' folders). Re-run with HYPERPOD_ALLOW_REPLACE=1 if you mean it.")
