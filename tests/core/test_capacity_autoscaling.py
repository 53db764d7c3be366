"""Karpenter autoscaling: the autoscaler role the stack creates, and the chart holding the HyperpodNodeClass and
NodePool (rendered with the real helm binary) installed after the cluster."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml

from hyperpod.autoscaling import KARPENTER_CHART, karpenter_values
from tests.core.test_capacity_config import cpu, group, with_groups
from tests.core.test_capacity_stack import cluster_of, policy_statements

AUTOSCALING = with_groups(group(), cpu(), cpu(name="cpu-b"),
                          hyperpod_autoscaling={"enabled": True, "instance_groups": ["cpu", "cpu-b"]})


def render(values: dict) -> subprocess.CompletedProcess:
    helm = shutil.which("helm")
    if helm is None:
        pytest.fail("helm is not on PATH (.tools/bin)", pytrace=False)
    return subprocess.run([helm, "template", "nodes", str(KARPENTER_CHART), "-f", "-"], input=json.dumps(values),
                          capture_output=True, text=True, timeout=60)


def test_chart_renders_node_class_naming_the_groups_and_a_node_pool_using_it():
    result = render(karpenter_values("ml-cluster", ["cpu", "cpu-b"]))
    assert result.returncode == 0, result.stderr
    objects = {doc["kind"]: doc for doc in yaml.safe_load_all(result.stdout) if doc}
    node_class, pool = objects["HyperpodNodeClass"], objects["NodePool"]
    assert node_class["apiVersion"] == "karpenter.sagemaker.amazonaws.com/v1"
    assert node_class["spec"]["instanceGroups"] == ["cpu", "cpu-b"]
    assert pool["apiVersion"] == "karpenter.sh/v1"
    assert pool["spec"]["template"]["spec"]["nodeClassRef"] == {
        "group": "karpenter.sagemaker.amazonaws.com", "kind": "HyperpodNodeClass", "name": "ml-cluster"}


@pytest.mark.parametrize("values, message", [
    ({"name": "ml-cluster", "instanceGroups": []}, "minItems"),
    ({"name": "ml-cluster", "instanceGroups": [f"g{i}" for i in range(11)]}, "maxItems"),
    ({"name": "ml-cluster", "instanceGroups": ["cpu"], "extra": 1}, "additional properties"),
])
def test_chart_refuses_values_outside_its_schema(values, message):
    result = render(values)
    assert result.returncode != 0 and message in result.stderr


def test_stack_creates_the_autoscaler_role_when_none_is_given(synth_json):
    document = synth_json(AUTOSCALING)
    roles = document["resource"]["aws_iam_role"]
    (role_id,) = [r for r in roles if "autoscaler-role" in r]
    assert cluster_of(document)["cluster_role"] == f"${{aws_iam_role.{role_id}.arn}}"
    trust = policy_statements(document, "HyperPodAutoscalerAssumesRole")["HyperPodAutoscalerAssumesRole"]
    assert trust["principals"] == [{"type": "Service", "identifiers": ["hyperpod.sagemaker.amazonaws.com"]}]
    assert {c["variable"] for c in trust["condition"]} == {"aws:SourceAccount", "aws:SourceArn"}
    scale = policy_statements(document, "ScaleClusterNodes")["ScaleClusterNodes"]
    assert scale["actions"] == ["sagemaker:BatchAddClusterNodes", "sagemaker:BatchDeleteClusterNodes"]
    assert scale["resources"][0].endswith(":cluster/*")
    assert scale["condition"][0]["variable"] == "aws:ResourceAccount"
    grant = policy_statements(document, "GrantVolumeKeys")["GrantVolumeKeysThroughSageMaker"]
    assert {c["variable"] for c in grant["condition"]} == {"kms:ViaService", "kms:GrantIsForAWSResource",
                                                           "kms:GrantOperations"}
    (operations,) = [c for c in grant["condition"] if c["variable"] == "kms:GrantOperations"]
    # AWS's policy for this role (HyperPod user guide, "Create an IAM role for HyperPod autoscaling with Karpenter"),
    # written out here rather than imported, so a change to the construct's list fails this test.
    assert operations["test"] == "ForAllValues:StringEquals"
    assert operations["values"] == ["CreateGrant", "Decrypt", "DescribeKey", "GenerateDataKeyWithoutPlaintext",
                                    "ReEncryptTo", "ReEncryptFrom", "RetireGrant"]


def test_brought_role_creates_no_role(synth_json):
    arn = "arn:aws:iam::123456789012:role/hyperpod-autoscaler"
    document = synth_json({**AUTOSCALING, "hyperpod_autoscaling": {
        "enabled": True, "instance_groups": ["cpu"], "cluster_role_arn": arn}})
    assert not [r for r in document["resource"]["aws_iam_role"] if "autoscaler-role" in r]
    assert cluster_of(document)["cluster_role"] == arn


def test_karpenter_release_waits_for_the_cluster_and_ships_the_chart(synth, synth_json):
    document = synth_json(AUTOSCALING)
    releases = document["resource"]["helm_release"]
    (release_id,) = [r for r in releases if "karpenter" in r]
    release = releases[release_id]
    (cluster_id,) = document["resource"]["awscc_sagemaker_cluster"]
    assert f"awscc_sagemaker_cluster.{cluster_id}" in release["depends_on"]
    assert json.loads(release["values"][0]) == {"name": "test-cluster", "instanceGroups": ["cpu", "cpu-b"]}
    chart_dir = synth(AUTOSCALING).parent / release["chart"]
    assert (chart_dir / "templates" / "nodeclass.yaml").is_file()


def test_no_autoscaling_no_karpenter_objects(synth_json):
    document = synth_json(with_groups(group()))
    assert not [r for r in document["resource"]["helm_release"] if "karpenter" in r]
    assert not [r for r in document["resource"]["aws_iam_role"] if "autoscaler" in r]
