"""The add-ons and shared storage in the synthesized Terraform JSON, per add-on and option."""

from __future__ import annotations

import json

import pytest

from hyperpod.config.addons import OBSERVABILITY_VERSION, TASK_GOVERNANCE_VERSION, TRAINING_OPERATOR_VERSION
from tests.conftest import example_config, minimal_config

ADDON_TYPES = ("aws_eks_addon", "aws_eks_pod_identity_association", "aws_fsx_lustre_file_system",
               "aws_prometheus_workspace", "kubernetes_persistent_volume_v1", "kubernetes_persistent_volume_claim_v1")


def with_addons(**areas) -> dict:
    return minimal_config(hyperpod_addons=areas)


def addons_by_name(document: dict) -> dict[str, dict]:
    return {body["addon_name"]: body for body in document["resource"].get("aws_eks_addon", {}).values()}


def only(document: dict, kind: str) -> dict:
    (body,) = document["resource"][kind].values()
    return body


def address_of(document: dict, kind: str, body: dict) -> str:
    return next(f"{kind}.{name}" for name, b in document["resource"][kind].items() if b is body)


def trust_of(document: dict, role_name: str) -> dict:
    reference = document["resource"]["aws_iam_role"][role_name]["assume_role_policy"]
    name = reference.split(".")[2]
    return document["data"]["aws_iam_policy_document"][name]


def test_everything_off_adds_no_addon_resource(synth_json):
    document = synth_json(minimal_config())
    assert not set(ADDON_TYPES) & set(document["resource"])


def test_training_operator_is_pinned_after_the_cluster_with_its_prerequisites(synth_json):
    document = synth_json(with_addons(training_operator={"enabled": True}))
    addons = addons_by_name(document)
    assert set(addons) == {"amazon-sagemaker-hyperpod-training-operator", "cert-manager", "eks-pod-identity-agent"}
    operator = addons["amazon-sagemaker-hyperpod-training-operator"]
    assert operator["addon_version"] == TRAINING_OPERATOR_VERSION
    cluster = next(iter(document["resource"]["awscc_sagemaker_cluster"]))
    depends = operator["depends_on"]
    assert f"awscc_sagemaker_cluster.{cluster}" in depends
    assert address_of(document, "aws_eks_addon", addons["cert-manager"]) in depends
    assert address_of(document, "aws_eks_addon", addons["eks-pod-identity-agent"]) in depends
    # Replaced with the chart release that owns aws-hyperpod, never left behind in a deleted namespace.
    release = next(iter(document["resource"]["helm_release"]))
    assert operator["lifecycle"]["replace_triggered_by"] == [f"helm_release.{release}.id"]
    assert "pod_identity_association" not in operator  # standalone association instead


def test_training_operator_checks_the_kubernetes_version(synth_json):
    operator = addons_by_name(synth_json(with_addons(training_operator={"enabled": True})))[
        "amazon-sagemaker-hyperpod-training-operator"]
    (check,) = operator["lifecycle"]["precondition"]
    assert ">= 28" in check["condition"] and "data.aws_eks_cluster.eks_cluster_55B0C966.version" in check["condition"]
    assert "needs Kubernetes 1.28 or newer" in check["error_message"]


def test_training_operator_identity_is_a_standalone_association_for_its_service_account(synth_json):
    document = synth_json(with_addons(training_operator={"enabled": True}))
    association = only(document, "aws_eks_pod_identity_association")
    assert (association["namespace"], association["service_account"]) == \
        ("aws-hyperpod", "hp-training-operator-controller-manager")
    role = association["role_arn"].split(".")[1]
    attachment = [
        body for body in document["resource"]["aws_iam_role_policy_attachment"].values() if role in body["role"]]
    assert [a["policy_arn"].rsplit("/", 1)[1] for a in attachment] == ["AmazonSageMakerHyperPodTrainingOperatorAccess"]
    (statement,) = trust_of(document, role)["statement"]
    assert statement["actions"] == ["sts:AssumeRole", "sts:TagSession"]
    assert statement["principals"] == [{"identifiers": ["pods.eks.amazonaws.com"], "type": "Service"}]
    variables = {c["variable"]: c["values"] for c in statement["condition"]}
    assert set(variables) == {"aws:SourceAccount", "aws:SourceArn", "aws:RequestTag/kubernetes-namespace",
                              "aws:RequestTag/kubernetes-service-account"}
    assert variables["aws:SourceArn"] == ["${data.aws_eks_cluster.eks_cluster_55B0C966.arn}"]
    assert variables["aws:RequestTag/kubernetes-namespace"] == ["aws-hyperpod"]


def test_prerequisites_the_cluster_already_runs_are_not_installed(synth_json):
    document = synth_json(with_addons(training_operator={"enabled": True}, cert_manager={"already_installed": True},
                                      pod_identity_agent={"already_installed": True}))
    assert set(addons_by_name(document)) == {"amazon-sagemaker-hyperpod-training-operator"}


def test_without_the_stack_chart_release_the_operator_has_no_replace_trigger(synth_json):
    document = synth_json({**with_addons(training_operator={"enabled": True}),
                           "hyperpod_install_helm_dependencies": False})
    operator = addons_by_name(document)["amazon-sagemaker-hyperpod-training-operator"]
    assert "replace_triggered_by" not in operator["lifecycle"]


def test_task_governance_checks_the_kubernetes_version_and_needs_no_prerequisite(synth_json):
    document = synth_json(with_addons(task_governance={"enabled": True}))
    addons = addons_by_name(document)
    assert set(addons) == {"amazon-sagemaker-hyperpod-taskgovernance"}
    addon = addons["amazon-sagemaker-hyperpod-taskgovernance"]
    assert addon["addon_version"] == TASK_GOVERNANCE_VERSION
    (check,) = addon["lifecycle"]["precondition"]
    assert ">= 30" in check["condition"] and "data.aws_eks_cluster.eks_cluster_55B0C966.version" in check["condition"]
    assert "needs Kubernetes 1.30 or newer" in check["error_message"]


def test_observability_creates_a_workspace_and_scopes_its_collector(synth_json):
    document = synth_json(with_addons(observability={"enabled": True}))
    addon = addons_by_name(document)["amazon-sagemaker-hyperpod-observability"]
    assert addon["addon_version"] == OBSERVABILITY_VERSION
    workspace = next(iter(document["resource"]["aws_prometheus_workspace"]))
    assert f"aws_prometheus_workspace.{workspace}.arn" in addon["configuration_values"]
    association = only(document, "aws_eks_pod_identity_association")
    assert (association["namespace"], association["service_account"]) == \
        ("hyperpod-observability", "hyperpod-observability-operator-otel-collector")
    permissions = next(body for name, body in document["data"]["aws_iam_policy_document"].items()
                       if "observability_identity_permissions" in name)
    grants = {s["sid"]: s for s in permissions["statement"]}
    assert grants["RemoteWriteMetrics"]["actions"] == ["aps:RemoteWrite"]
    assert grants["RemoteWriteMetrics"]["resources"] == [f"${{aws_prometheus_workspace.{workspace}.arn}}"]
    assert all("/aws/sagemaker/Clusters/*" in r for r in grants["HyperPodClusterLogs"]["resources"])


def test_observability_with_a_given_workspace_creates_none(synth_json):
    arn = "arn:aws:aps:us-west-2:111122223333:workspace/ws-0a1b2c3d"
    document = synth_json(with_addons(observability={"enabled": True, "prometheus_workspace_arn": arn}))
    assert "aws_prometheus_workspace" not in document["resource"]
    addon = addons_by_name(document)["amazon-sagemaker-hyperpod-observability"]
    assert arn in addon["configuration_values"]
    # The endpoint is derived from the ARN, without a trailing slash (as AWS's own modules pass it).
    assert '/workspaces/${element(split(\"/\", \"' + arn + '\"), 1)}\"' in addon["configuration_values"]
    assert document["output"]["hyperpod_prometheus_workspace_arn"]["value"] == arn


def test_the_created_workspace_endpoint_loses_its_trailing_slash_and_is_an_output(synth_json):
    document = synth_json(with_addons(observability={"enabled": True}))
    workspace = next(iter(document["resource"]["aws_prometheus_workspace"]))
    endpoint = f'trimsuffix(aws_prometheus_workspace.{workspace}.prometheus_endpoint, \"/\")'
    assert f"\"prometheusEndpoint\" = {endpoint}" in addons_by_name(document)[
        "amazon-sagemaker-hyperpod-observability"]["configuration_values"]
    assert document["output"]["hyperpod_prometheus_endpoint"]["value"] == "${" + endpoint.replace('\\"', '"') + "}"
    assert document["output"]["hyperpod_prometheus_workspace_arn"]["value"] == \
        f"${{aws_prometheus_workspace.{workspace}.arn}}"


def test_the_training_operator_tags_the_cluster_sagemaker_true(synth_json):
    """AmazonSageMakerHyperPodTrainingOperatorAccess reaches only clusters tagged SageMaker=true."""
    def cluster_tags(document):
        return {t["key"]: t["value"] for t in only(document, "awscc_sagemaker_cluster").get("tags", [])}

    assert cluster_tags(synth_json(with_addons(training_operator={"enabled": True}))) == {"SageMaker": "true"}
    assert "SageMaker" not in cluster_tags(synth_json(with_addons(task_governance={"enabled": True})))
    tagged = synth_json({**with_addons(training_operator={"enabled": True}), "tags": {"team": "ml"}})
    assert cluster_tags(tagged) == {"SageMaker": "true", "team": "ml"}


def test_addon_outputs_only_for_what_is_on(synth_json):
    assert not {k for k in synth_json(minimal_config())["output"] if "prometheus" in k or "fsx" in k}
    document = synth_json(example_config("addons.tfvars.json"))
    file_system = next(iter(document["resource"]["aws_fsx_lustre_file_system"]))
    assert document["output"]["hyperpod_fsx_file_system_id"]["value"] == \
        f"${{aws_fsx_lustre_file_system.{file_system}.id}}"
    assert document["output"]["hyperpod_fsx_claim"]["value"] == "ml-team/shared-fsx"


def test_fsx_lustre_in_the_configured_subnet_reachable_from_the_instances_only(synth_json):
    document = synth_json(example_config("addons.tfvars.json"))
    file_system = only(document, "aws_fsx_lustre_file_system")
    assert file_system["subnet_ids"] == ["subnet-0123456789abcdef0"]
    assert (file_system["storage_capacity"], file_system["deployment_type"],
            file_system["per_unit_storage_throughput"]) == (4800, "PERSISTENT_2", 250)
    assert file_system["lifecycle"]["prevent_destroy"] is True
    (lustre_group,) = [name for name in file_system["security_group_ids"]]
    lustre_sg = lustre_group.split(".")[1]
    instances_sg = next(name for name in document["resource"]["aws_security_group"] if "network" in name)
    rules = [r for r in document["resource"]["aws_vpc_security_group_ingress_rule"].values()
             if lustre_sg in r["security_group_id"]]
    assert sorted((r["from_port"], r["to_port"]) for r in rules) == [(988, 988), (988, 988), (1018, 1023),
                                                                       (1018, 1023)]
    assert {r["referenced_security_group_id"].split(".")[1] for r in rules} == {lustre_sg, instances_sg}
    assert all(r["ip_protocol"] == "tcp" and "cidr_ipv4" not in r for r in rules)


def test_fsx_volume_claim_in_the_named_namespace_through_the_csi_driver(synth_json):
    document = synth_json(example_config("addons.tfvars.json"))
    driver = addons_by_name(document)["aws-fsx-csi-driver"]
    association = next(a for a in document["resource"]["aws_eks_pod_identity_association"].values()
                       if a["service_account"] == "fsx-csi-controller-sa")
    assert association["namespace"] == "kube-system"
    volume = only(document, "kubernetes_persistent_volume_v1")
    csi = volume["spec"][0]["persistent_volume_source"][0]["csi"][0]
    assert csi["driver"] == "fsx.csi.aws.com" and "aws_fsx_lustre_file_system." in csi["volume_handle"]
    assert volume["spec"][0]["persistent_volume_reclaim_policy"] == "Retain"
    claim = only(document, "kubernetes_persistent_volume_claim_v1")
    assert claim["metadata"] == [{"name": "shared-fsx", "namespace": "ml-team"}]
    assert claim["spec"][0]["volume_name"] == volume["metadata"][0]["name"]
    assert only(document, "kubernetes_namespace_v1")["metadata"] == [{"name": "ml-team"}]
    assert address_of(document, "aws_eks_addon", driver) in volume["depends_on"]


def test_fsx_customer_managed_key_reaches_the_file_system(synth_json):
    document = synth_json(example_config("addons.tfvars.json"))
    key = example_config("addons.tfvars.json")["hyperpod_fsx_lustre"]["kms_key_id"]
    assert only(document, "aws_fsx_lustre_file_system")["kms_key_id"] == key
    assert "kms_key_id" not in only(synth_json(minimal_config(hyperpod_fsx_lustre={"enabled": True})),
                                    "aws_fsx_lustre_file_system")


def test_an_existing_file_system_is_mounted_not_created(synth_json):
    document = synth_json(minimal_config(hyperpod_fsx_lustre={
        "enabled": True, "file_system_id": "fs-0123456789abcdef0", "dns_name": "fs.example", "mount_name": "abcd"}))
    assert "aws_fsx_lustre_file_system" not in document["resource"]
    csi = only(document, "kubernetes_persistent_volume_v1")["spec"][0]["persistent_volume_source"][0]["csi"][0]
    assert csi["volume_handle"] == "fs-0123456789abcdef0"
    assert csi["volume_attributes"] == {"dnsname": "fs.example", "mountname": "abcd"}
    assert "kubernetes_namespace_v1" not in document["resource"]


def test_fsx_subnet_against_the_eks_subnets_is_a_plan_time_precondition(synth_json):
    document = synth_json(minimal_config(hyperpod_fsx_lustre={"enabled": True, "subnet_id": "subnet-0123456789abcdef0"}))
    (check,) = only(document, "aws_fsx_lustre_file_system")["lifecycle"]["precondition"]
    assert check["condition"].startswith("${contains(tolist(data.aws_eks_cluster.")
    assert "subnet-0123456789abcdef0" in check["condition"]


@pytest.mark.parametrize("instance_type, efa", [("ml.c6i.32xlarge", False), ("ml.c5n.18xlarge", True),
                                                ("ml.m6i.32xlarge", False), ("ml.p5.48xlarge", True)])
def test_efa_plugin_only_where_the_chart_schedules_it(synth_json, instance_type, efa):
    document = synth_json(minimal_config(hyperpod_instance_groups=[
        {"name": "g", "instance_type": instance_type, "instance_count": 1}]))
    values = json.loads(only(document, "helm_release")["values"][0])
    assert values["aws-efa-k8s-device-plugin"]["devicePlugin"]["enabled"] is efa
