"""Plan-level facts checked by Terraform itself: `terraform test` assertions, and the dependency graph."""

from __future__ import annotations

import pytest

from tests.terraform.conftest import EXAMPLE_CONFIGS
from tests.terraform.harness import HERE

TEST_FILE = HERE / "tftest" / "plan_facts.tftest.hcl"


def address(stack: dict, resource_type: str) -> str:
    (name,) = stack["resource"][resource_type]
    return f"{resource_type}.{name}"


def install_test_file(workspace) -> None:
    stack = workspace.read_stack()
    text = TEST_FILE.read_text()
    for placeholder, resource_type in (("__CLUSTER__", "awscc_sagemaker_cluster"), ("__ROLE__", "aws_iam_role"),
                                       ("__BUCKET__", "aws_s3_bucket")):
        text = text.replace(placeholder, address(stack, resource_type))
    (workspace.directory / TEST_FILE.name).write_text(text)


@pytest.mark.parametrize("example", EXAMPLE_CONFIGS)
def test_terraform_test_plan_facts(example_workspace, tmp_path, example):
    workspace = example_workspace(example).clone(tmp_path / "workspace")
    install_test_file(workspace)
    result = workspace.run("test", "-no-color")
    assert result.ok, str(result)
    assert "run \"plan_facts\"... pass" in result.output
    assert "1 passed, 0 failed." in result.output


def test_terraform_test_fails_when_a_group_runs_as_another_role(example_workspace, tmp_path):
    """The assertions can fail: point one group at a different role and the run fails with our message."""
    workspace = example_workspace("production.tfvars.json").clone(tmp_path / "workspace")
    stack = workspace.read_stack()
    (cluster,) = stack["resource"]["awscc_sagemaker_cluster"].values()
    cluster["instance_groups"][-1]["execution_role"] = "arn:aws:iam::123456789012:role/someone-else"
    workspace.write_stack(stack)
    install_test_file(workspace)
    result = workspace.run("test", "-no-color")
    assert not result.ok
    assert "every instance group must run as the stack's execution role" in result.output


def test_helm_release_is_ordered_before_the_cluster(example_workspace):
    workspace = example_workspace("terraform.tfvars.json")
    stack = workspace.read_stack()
    edges = workspace.graph_edges()
    assert (address(stack, "awscc_sagemaker_cluster"), address(stack, "helm_release")) in edges
