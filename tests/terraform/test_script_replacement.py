"""A script change never deletes the scripts the cluster points at before the cluster points at the new ones.

Against a state as the previous apply left it (old prefix in every object key and in the cluster's source URI), the
new scripts are planned the way a script change plans them: every object replaced (their keys change; the stand-in
providers do not know which attributes force replacement, so `-replace` says it), the cluster updated. Terraform's
own apply graph for that plan must create the new objects before the cluster update and delete the old ones after.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.terraform.prior_state import applied_state

CLUSTER_TYPE = "awscc_sagemaker_cluster"
OLD_PREFIX = "lifecycle/0123456789abcdef"
BUCKET = "sagemaker-earlier-apply-lcs-1"


def addresses(stack: dict, resource_type: str) -> list[str]:
    return [f"{resource_type}.{name}" for name in stack["resource"][resource_type]]


def previous_apply(state: dict, stack: dict) -> dict:
    """The state with the scripts of an earlier deploy: same addresses, keys and source URI under OLD_PREFIX."""
    for resource in state["resources"]:
        attributes = resource["instances"][0]["attributes"]
        if resource["type"] == "aws_s3_bucket":
            attributes["bucket"] = attributes["id"] = BUCKET
        elif resource["type"] == "aws_s3_object":
            attributes["key"] = f"{OLD_PREFIX}/{attributes['key'].split('/', 2)[2]}"
        elif resource["type"] == CLUSTER_TYPE:
            for group in attributes["instance_groups"]:
                group["life_cycle_config"]["source_s3_uri"] = f"s3://{BUCKET}/{OLD_PREFIX}"
    return state


def reachable(edges: set[tuple[str, str]], start: str) -> set[str]:
    """Every node `start` is ordered after, directly or not (edge a -> b: a runs after b)."""
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        for before, after in edges:
            if before == node and after not in seen:
                seen.add(after)
                todo.append(after)
    return seen


def plan_script_change(workspace) -> tuple[dict, dict, set[tuple[str, str]]]:
    stack = workspace.read_stack()
    first = workspace.plan("-out=first.tfplan")
    assert first.ok, str(first)
    shown = workspace.run("show", "-json", "first.tfplan")
    assert shown.ok, str(shown)
    state = previous_apply(applied_state(workspace, json.loads(shown.output)), stack)
    (workspace.directory / "terraform.tfstate").write_text(json.dumps(state))
    replace = [f"-replace={address}" for address in addresses(stack, "aws_s3_object")]
    planned = workspace.plan("-out=change.tfplan", *replace)
    assert planned.ok, str(planned)
    shown = workspace.run("show", "-json", "change.tfplan")
    assert shown.ok, str(shown)
    graph = workspace.run("graph", "-plan=change.tfplan")
    assert graph.ok, str(graph)
    edges = {(a.removeprefix("[root] "), b.removeprefix("[root] "))
             for a, b in re.findall(r'"([^"]+)" -> "([^"]+)"', graph.output)}
    changes = {change["address"]: change["change"] for change in json.loads(shown.output)["resource_changes"]}
    return stack, changes, edges


def deposed_destroys(edges: set[tuple[str, str]], address: str) -> set[str]:
    return {node for edge in edges for node in edge if node.startswith(f"{address} (destroy deposed ")}


@pytest.fixture(scope="module")
def script_change(valid_quick_start, tmp_path_factory):
    return plan_script_change(valid_quick_start.clone(tmp_path_factory.mktemp("script-change")))


def test_the_cluster_moves_to_the_new_prefix(script_change):
    stack, changes, _ = script_change
    (cluster,) = addresses(stack, CLUSTER_TYPE)
    assert changes[cluster]["actions"] == ["update"]
    before = {g["life_cycle_config"]["source_s3_uri"] for g in changes[cluster]["before"]["instance_groups"]}
    after = {g["life_cycle_config"]["source_s3_uri"] for g in changes[cluster]["after"]["instance_groups"]}
    assert before == {f"s3://{BUCKET}/{OLD_PREFIX}"}
    assert len(after) == 1 and after != before and after.pop().startswith(f"s3://{BUCKET}/lifecycle/")


def test_new_scripts_are_created_before_the_old_ones_are_deleted(script_change):
    stack, changes, _ = script_change
    objects = addresses(stack, "aws_s3_object")
    assert len(objects) >= 10
    assert {address: changes[address]["actions"] for address in objects} == {
        address: ["create", "delete"] for address in objects}
    assert all(changes[address]["before"]["key"].startswith(OLD_PREFIX + "/") for address in objects)


def test_old_scripts_are_deleted_only_after_the_cluster_update(script_change):
    stack, _, edges = script_change
    (cluster,) = addresses(stack, CLUSTER_TYPE)
    cluster_runs_after = reachable(edges, cluster)
    for address in addresses(stack, "aws_s3_object"):
        assert address in cluster_runs_after, f"the cluster update must wait for the new {address}"
        (old,) = deposed_destroys(edges, address)
        assert cluster in reachable(edges, old), f"{old} must wait for the cluster update"


def test_without_create_before_destroy_the_old_scripts_go_first(valid_quick_start, tmp_path):
    """The defect the lifecycle setting prevents, shown by Terraform: the default replacement deletes the old keys
    before the cluster update (and the test above would fail)."""
    workspace = valid_quick_start.clone(tmp_path / "workspace")
    stack = workspace.read_stack()
    for body in stack["resource"]["aws_s3_object"].values():
        del body["lifecycle"]
    workspace.write_stack(stack)
    _, changes, edges = plan_script_change(workspace)
    (cluster,) = addresses(stack, CLUSTER_TYPE)
    on_create = next(a for a in addresses(stack, "aws_s3_object") if "on_create" in a)
    assert changes[on_create]["actions"] == ["delete", "create"]
    assert not deposed_destroys(edges, on_create)
    assert f"{on_create} (destroy)" in reachable(edges, cluster)
