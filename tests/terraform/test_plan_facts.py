"""Plan-level facts checked by Terraform itself: `terraform test` assertions, and the dependency graph."""

from __future__ import annotations

import pytest

from tests.terraform.conftest import EXAMPLE_CONFIGS
from tests.terraform.harness import HERE

TEST_FILE = HERE / "tftest" / "plan_facts.tftest.hcl"
RESTRICTED_TEST_FILE = HERE / "tftest" / "restricted_plan_facts.tftest.hcl"
RESTRICTED = "restricted.tfvars.json"  # restricted instance groups only: no instance groups, no lifecycle bucket


def address(stack: dict, resource_type: str, marker: str = "") -> str:
    """The one resource of a type whose logical id contains `marker` (the capacity example adds an autoscaler role
    and a Karpenter release next to the execution role and the HyperPod chart release; the inference example a TLS
    certificate bucket next to the lifecycle bucket)."""
    (name,) = [name for name in stack["resource"][resource_type] if marker in name]
    return f"{resource_type}.{name}"


def data_address(stack: dict, data_type: str) -> str:
    (name,) = stack["data"][data_type]
    return f"data.{data_type}.{name}"


def install_test_file(workspace) -> None:
    stack = workspace.read_stack()
    text = TEST_FILE.read_text()
    for placeholder, resource_type, marker in (
            ("__CLUSTER__", "awscc_sagemaker_cluster", ""), ("__ROLE__", "aws_iam_role", "execution-role"),
            ("__BUCKET__", "aws_s3_bucket", "lifecycle-bucket"), ("__RELEASE__", "helm_release", "helm-dependencies")):
        text = text.replace(placeholder, address(stack, resource_type, marker))
    text = text.replace("__CHART_SOURCE__", data_address(stack, "external"))
    (workspace.directory / TEST_FILE.name).write_text(text)


@pytest.mark.parametrize("example", [e for e in EXAMPLE_CONFIGS if e != RESTRICTED])
def test_terraform_test_plan_facts(example_workspace, tmp_path, example):
    workspace = example_workspace(example).clone(tmp_path / "workspace")
    install_test_file(workspace)
    result = workspace.run("test", "-no-color")
    assert result.ok, str(result)
    assert "run \"plan_facts\"... pass" in result.output
    assert "1 passed, 0 failed." in result.output


def install_restricted_test_file(workspace) -> None:
    stack = workspace.read_stack()
    text = RESTRICTED_TEST_FILE.read_text()
    for placeholder, resource_type, marker in (("__CLUSTER__", "awscc_sagemaker_cluster", ""),
                                               ("__ROLE__", "aws_iam_role", "execution-role")):
        text = text.replace(placeholder, address(stack, resource_type, marker))
    (workspace.directory / RESTRICTED_TEST_FILE.name).write_text(text)


def test_terraform_test_restricted_plan_facts(example_workspace, tmp_path):
    workspace = example_workspace(RESTRICTED).clone(tmp_path / "workspace")
    install_restricted_test_file(workspace)
    result = workspace.run("test", "-no-color")
    assert result.ok, str(result)
    assert "run \"restricted_plan_facts\"... pass" in result.output
    assert "1 passed, 0 failed." in result.output


def test_restricted_plan_facts_can_fail(example_workspace, tmp_path):
    workspace = example_workspace(RESTRICTED).clone(tmp_path / "workspace")
    stack = workspace.read_stack()
    (cluster,) = stack["resource"]["awscc_sagemaker_cluster"].values()
    cluster["restricted_instance_groups"][0]["execution_role"] = "arn:aws:iam::123456789012:role/someone-else"
    workspace.write_stack(stack)
    install_restricted_test_file(workspace)
    result = workspace.run("test", "-no-color")
    assert not result.ok
    assert "every restricted instance group must run as the stack's execution role" in " ".join(result.output.split())


def _another_role(stack: dict) -> None:
    (cluster,) = stack["resource"]["awscc_sagemaker_cluster"].values()
    cluster["instance_groups"][-1]["execution_role"] = "arn:aws:iam::123456789012:role/someone-else"


def _chart_path_by_hand(stack: dict) -> None:
    (release,) = stack["resource"]["helm_release"].values()
    release["chart"] = ".hyperpod-chart/checked-out-by-hand/helm_chart/HyperPodHelmChart"


def test_terraform_test_assertions_can_fail(example_workspace, tmp_path):
    """Break two facts at once (one terraform test run is ~3 s): each assertion fails with its own message."""
    workspace = example_workspace("production.tfvars.json").clone(tmp_path / "workspace")
    stack = workspace.read_stack()
    _another_role(stack)
    _chart_path_by_hand(stack)
    workspace.write_stack(stack)
    install_test_file(workspace)
    result = workspace.run("test", "-no-color")
    assert not result.ok
    output = " ".join(result.output.split())
    assert "every instance group must run as the stack's execution role" in output, str(result)
    assert "the helm release must install the chart the external data source fetched at plan time" in output


@pytest.fixture(scope="module")
def quick_start_graph(example_workspace) -> tuple[dict, set[tuple[str, str]]]:
    workspace = example_workspace("terraform.tfvars.json")
    return workspace.read_stack(), workspace.graph_edges()


def test_helm_release_is_ordered_before_the_cluster(quick_start_graph):
    stack, edges = quick_start_graph
    assert (address(stack, "awscc_sagemaker_cluster"), address(stack, "helm_release")) in edges


def test_helm_release_reads_its_chart_from_the_external_data_source(quick_start_graph):
    stack, edges = quick_start_graph
    assert (address(stack, "helm_release"), data_address(stack, "external")) in edges
