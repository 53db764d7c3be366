"""Assertions on the synthesized Terraform JSON: every resource the stack makes, and every option."""

from __future__ import annotations

import json

import pytest

from tests.conftest import EXAMPLES, minimal_config


def resources(tf: dict, kind: str) -> dict:
    return tf.get("resource", {}).get(kind, {})


def only(tf: dict, kind: str) -> dict:
    found = resources(tf, kind)
    assert len(found) == 1, f"expected one {kind}, got {sorted(found)}"
    return next(iter(found.values()))


def address(tf: dict, kind: str) -> str:
    return f"{kind}.{next(iter(resources(tf, kind)))}"


def cluster(tf: dict) -> dict:
    return only(tf, "awscc_sagemaker_cluster")


def policy_statements(tf: dict, data_name_fragment: str) -> list[dict]:
    docs = tf["data"]["aws_iam_policy_document"]
    (doc,) = [d for name, d in docs.items() if data_name_fragment in name]
    return doc["statement"]


@pytest.fixture(scope="module")
def quick(synth_json):
    return synth_json(EXAMPLES / "terraform.tfvars.json")


@pytest.fixture(scope="module")
def production(synth_json):
    return synth_json(EXAMPLES / "production.tfvars.json")


def test_providers_and_versions_are_pinned(quick):
    required = quick["terraform"]["required_providers"]
    assert {name: p["version"] for name, p in required.items()} == {
        "aws": "6.25.0", "awscc": "1.106.0", "external": "2.3.5", "helm": "3.1.1", "kubernetes": "2.38.0"}
    assert required["awscc"]["source"] == "hashicorp/awscc"
    assert quick["provider"]["aws"][0]["region"] == "us-west-2"


def test_backend_is_local_and_relative(quick):
    assert quick["terraform"]["backend"] == {"local": {"path": "terraform.hyperpod.tfstate"}}


def test_helm_and_kubernetes_authenticate_to_eks_with_a_token(quick):
    helm = quick["provider"]["helm"][0]["kubernetes"]
    kube = quick["provider"]["kubernetes"][0]
    for conf, exec_ in ((helm, helm["exec"]), (kube, kube["exec"][0])):
        assert conf["host"].startswith("${data.aws_eks_cluster.")
        assert conf["cluster_ca_certificate"].startswith("${base64decode(data.aws_eks_cluster.")
        assert exec_["command"] == "aws"
        assert exec_["args"][:4] == ["eks", "get-token", "--cluster-name", "ml-platform"]


def test_existing_eks_cluster_is_looked_up_not_created(quick):
    (eks,) = quick["data"]["aws_eks_cluster"].values()
    assert eks["name"] == "ml-platform"
    assert "aws_eks_cluster" not in quick["resource"]
    assert "aws_eks_access_entry" not in quick["resource"]  # HyperPod creates its own


def test_cluster_attaches_to_eks_in_config_order(production):
    c = cluster(production)
    assert c["cluster_name"] == "ml-platform-hyperpod"
    assert c["orchestrator"]["eks"]["cluster_arn"].endswith(".arn}")
    assert c["node_recovery"] == "Automatic"
    groups = c["instance_groups"]
    assert [g["instance_group_name"] for g in groups] == ["training-gpu", "inference-gpu"]
    assert [g["instance_type"] for g in groups] == ["ml.p4d.24xlarge", "ml.g5.48xlarge"]
    assert [g["instance_count"] for g in groups] == [4, 2]
    assert [g["instance_storage_configs"] for g in groups] == [
        [{"ebs_volume_config": {"volume_size_in_gb": 1000}}], [{"ebs_volume_config": {"volume_size_in_gb": 500}}]]
    assert all(g["on_start_deep_health_checks"] == ["InstanceStress", "InstanceConnectivity"] for g in groups)
    assert all(g["threads_per_core"] == 1 for g in groups)


def test_every_group_runs_as_the_execution_role_and_reads_scripts_from_the_bucket(production):
    role = address(production, "aws_iam_role")
    bucket = address(production, "aws_s3_bucket")
    objects = resources(production, "aws_s3_object")
    for g in cluster(production)["instance_groups"]:
        assert g["execution_role"] == f"${{{role}.arn}}"
        lc = g["life_cycle_config"]
        assert lc["on_create"] == "on_create.sh"
        assert lc["source_s3_uri"].startswith(f"s3://${{{bucket}.bucket}}/lifecycle/")
        prefix = lc["source_s3_uri"].split("}/", 1)[1]
        keys = {o["key"] for o in objects.values()}
        assert f"{prefix}/on_create.sh" in keys
        assert all(k.startswith(prefix + "/") for k in keys)


def test_cluster_waits_for_scripts_and_helm_chart(quick):
    depends = cluster(quick)["depends_on"]
    assert address(quick, "helm_release") in depends
    assert {f"aws_s3_object.{name}" for name in resources(quick, "aws_s3_object")} <= set(depends)


def test_auth_mode_precondition_and_prevent_destroy(quick):
    lifecycle = cluster(quick)["lifecycle"]
    (pre,) = lifecycle["precondition"]
    assert pre["condition"].startswith('${contains(["API", "API_AND_CONFIG_MAP"], data.aws_eks_cluster.')
    assert pre["condition"].endswith(".access_config[0].authentication_mode)}")
    assert "API_AND_CONFIG_MAP" in pre["error_message"]
    assert lifecycle["prevent_destroy"] is True
    assert only(quick, "aws_s3_bucket")["lifecycle"]["prevent_destroy"] is True


def test_prevent_destroy_can_be_lifted(synth_json):
    tf = synth_json(minimal_config(hyperpod_prevent_destroy=False))
    assert cluster(tf)["lifecycle"]["prevent_destroy"] is False
    assert only(tf, "aws_s3_bucket")["lifecycle"]["prevent_destroy"] is False


def test_vpc_defaults_to_eks_subnets_and_adds_instance_security_group(quick):
    vpc = cluster(quick)["vpc_config"]
    sg = address(quick, "aws_security_group")
    assert vpc["security_group_ids"][0] == f"${{{sg}.id}}"
    assert vpc["security_group_ids"][1].endswith(".vpc_config[0].cluster_security_group_id}")
    assert "vpc_config[0].subnet_ids" in vpc["subnets"]
    ingress = only(quick, "aws_vpc_security_group_ingress_rule")
    egress = only(quick, "aws_vpc_security_group_egress_rule")
    for rule in (ingress, egress):
        assert rule["ip_protocol"] == "-1"
        assert rule["referenced_security_group_id"] == rule["security_group_id"] == f"${{{sg}.id}}"


def test_explicit_subnets_and_security_groups(synth_json):
    tf = synth_json(minimal_config(hyperpod_subnet_ids=["subnet-0123456789abcdef0"],
                                   hyperpod_security_group_ids=["sg-0123456789abcdef0"],
                                   hyperpod_create_security_group=False))
    vpc = cluster(tf)["vpc_config"]
    assert vpc["subnets"] == ["subnet-0123456789abcdef0"]
    assert vpc["security_group_ids"][1:] == ["sg-0123456789abcdef0"]
    assert "aws_security_group" not in tf["resource"]
    statements = policy_statements(tf, "permissions")
    eni = next(s for s in statements if s["sid"] == "ManageInstanceNetworkInterfaces")
    assert "subnet-0123456789abcdef0" in json.dumps(eni["resources"])


def test_execution_role_trusts_only_sagemaker(quick):
    (trust,) = policy_statements(quick, "trust")
    assert trust["principals"] == [{"identifiers": ["sagemaker.amazonaws.com"], "type": "Service"}]
    assert trust["actions"] == ["sts:AssumeRole"]
    attachment = only(quick, "aws_iam_role_policy_attachment")
    assert attachment["policy_arn"].endswith(":iam::aws:policy/AmazonSageMakerClusterInstanceRolePolicy")


def test_execution_role_statements_are_scoped(quick):
    statements = {s["sid"]: s for s in policy_statements(quick, "permissions")}
    assert set(statements) == {"ManageInstanceNetworkInterfaces", "TagNetworkInterfaces", "DescribeNetwork",
                               "PullContainerImages", "ReadAlarms", "EksPodIdentity", "ListLifecycleBucket",
                               "ReadLifecycleScripts"}
    assert statements["EksPodIdentity"]["resources"] == [f"${{{next(iter(quick['data']['aws_eks_cluster']))}}}"
                                                         .replace("${", "${data.aws_eks_cluster.")
                                                         .replace("}", ".arn}")]
    bucket = address(quick, "aws_s3_bucket")
    assert statements["ListLifecycleBucket"]["resources"] == [f"${{{bucket}.arn}}"]
    assert statements["ReadLifecycleScripts"]["resources"] == [f"${{{bucket}.arn}}/*"]
    assert statements["TagNetworkInterfaces"]["resources"][0].endswith(":network-interface/*")
    for sid in ("DescribeNetwork", "PullContainerImages", "ReadAlarms"):
        assert all(":Describe" in a or a.startswith("ecr:") or a == "cloudwatch:DescribeAlarms"
                   for a in statements[sid]["actions"])


def test_lifecycle_bucket_is_private_encrypted_versioned_and_tls_only(quick):
    bucket = only(quick, "aws_s3_bucket")
    assert bucket["bucket_prefix"].startswith("sagemaker-")
    assert bucket["force_destroy"] is False
    sse = only(quick, "aws_s3_bucket_server_side_encryption_configuration")
    assert sse["rule"][0]["apply_server_side_encryption_by_default"]["sse_algorithm"] == "AES256"
    assert only(quick, "aws_s3_bucket_versioning")["versioning_configuration"]["status"] == "Enabled"
    block = only(quick, "aws_s3_bucket_public_access_block")
    assert all(block[k] is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls",
                                          "restrict_public_buckets"))
    (deny,) = policy_statements(quick, "tls-only")
    assert deny["effect"] == "Deny"
    assert deny["condition"] == [{"test": "Bool", "values": ["false"], "variable": "aws:SecureTransport"}]
    assert only(quick, "aws_s3_bucket_ownership_controls")["rule"]["object_ownership"] == "BucketOwnerEnforced"


def test_bucket_name_can_be_given(synth_json):
    tf = synth_json(minimal_config(lifecycle_scripts_bucket_name="sagemaker-team-a-scripts"))
    bucket = only(tf, "aws_s3_bucket")
    assert bucket["bucket"] == "sagemaker-team-a-scripts" and "bucket_prefix" not in bucket


def test_helm_release_values_follow_config(quick, synth_json):
    release = only(quick, "helm_release")
    assert release["name"] == "hyperpod-dependencies" and release["namespace"] == "kube-system"
    values = json.loads(release["values"][0])
    assert values["trainingOperators"] == {"enabled": False}
    assert values["health-monitoring-agent"] == {"enabled": True, "region": "us-west-2"}
    assert values["deep-health-check"] == {"enabled": True}
    assert values["job-auto-restart"] == {"enabled": True}
    assert values["nvidia-device-plugin"]["devicePlugin"]["enabled"] is True
    assert values["neuron-device-plugin"]["devicePlugin"]["enabled"] is False
    trn = synth_json(minimal_config(hyperpod_enable_training_operator=True, hyperpod_instance_groups=[
        {"name": "trn", "instance_type": "trn1.32xlarge", "instance_count": 2}]))
    values = json.loads(only(trn, "helm_release")["values"][0])
    assert values["trainingOperators"] == {"enabled": True}
    assert values["neuron-device-plugin"]["devicePlugin"]["enabled"] is True
    assert values["nvidia-device-plugin"]["devicePlugin"]["enabled"] is False


def test_helm_chart_comes_from_a_pinned_commit_fetched_at_plan(quick):
    (name, source), = quick["data"]["external"].items()
    program = source["program"]
    assert program[:2] == ["/bin/sh", "-c"]
    assert program[3:] == ["fetch-hyperpod-chart", "https://github.com/aws/sagemaker-hyperpod-cli.git",
                           "011ca927123e02b35a399935bbb3ab1905fe33c7", "helm_chart/HyperPodHelmChart", ".hyperpod-chart"]
    release = only(quick, "helm_release")
    assert release["chart"] == f"${{data.external.{name}.result.chart_path}}"
    assert quick["terraform"]["required_providers"]["external"] == {"source": "hashicorp/external",
                                                                   "version": "2.3.5"}


def test_helm_chart_from_local_path_or_mirror(synth_json):
    local = synth_json(minimal_config(hyperpod_helm_chart={"local_path": "/opt/charts/HyperPodHelmChart"}))
    assert only(local, "helm_release")["chart"] == "/opt/charts/HyperPodHelmChart"
    assert "external" not in local.get("data", {}) and "external" not in local["provider"]
    mirror = synth_json(minimal_config(hyperpod_helm_chart={"repository": "oci://registry.example/hyperpod",
                                                            "version": "0.1.0"}))
    release = only(mirror, "helm_release")
    assert (release["repository"], release["version"]) == ("oci://registry.example/hyperpod", "0.1.0")


def test_helm_dependencies_can_be_left_out(synth_json):
    tf = synth_json(minimal_config(hyperpod_install_helm_dependencies=False))
    assert "helm_release" not in tf["resource"] and "external" not in tf.get("data", {})
    assert not any(d.startswith("helm_release.") for d in cluster(tf)["depends_on"])


def test_disabled_synthesizes_no_hyperpod_resources(synth_json):
    tf = synth_json({"eks_cluster_name": "ml-platform", "region": "us-west-2"})
    assert "resource" not in tf and "data" not in tf and "output" not in tf
    assert set(tf["terraform"]["required_providers"]) == {"aws"}


def test_deep_health_checks_left_out_when_none_and_threads_per_core_kept(synth_json):
    tf = synth_json(minimal_config(hyperpod_instance_groups=[
        {"name": "cpu", "instance_type": "m5.xlarge", "instance_count": 1, "threads_per_core": 2}]))
    (g,) = cluster(tf)["instance_groups"]
    assert "on_start_deep_health_checks" not in g
    assert g["threads_per_core"] == 2 and g["instance_type"] == "ml.m5.xlarge"


def test_tags_reach_every_resource(synth_json):
    tf = synth_json(minimal_config(tags={"team": "ml", "env": "prod"}))
    assert tf["provider"]["aws"][0]["default_tags"][0]["tags"] == {"env": "prod", "managed-by": "hyperpod-cdktf",
                                                                   "team": "ml"}
    assert cluster(tf)["tags"] == [{"key": "env", "value": "prod"}, {"key": "team", "value": "ml"}]


def test_outputs_are_named_as_the_module_documents(production):
    outputs = production["output"]
    assert set(outputs) == {"hyperpod_cluster_arn", "hyperpod_cluster_name", "hyperpod_cluster_status",
                            "hyperpod_execution_role_arn", "lifecycle_scripts_bucket", "hyperpod_instance_groups"}
    assert outputs["hyperpod_cluster_arn"]["value"].endswith(".cluster_arn}")
    assert [g["name"] for g in outputs["hyperpod_instance_groups"]["value"]] == ["training-gpu", "inference-gpu"]
    assert all(o["description"] for o in outputs.values())


def test_changed_script_changes_the_source_uri(tmp_path):
    from hyperpod.lifecycle_bucket import content_prefix

    scripts = {"on_create.sh": "#!/bin/bash\necho one\n"}
    changed = {"on_create.sh": "#!/bin/bash\necho two\n"}
    assert content_prefix(scripts) == content_prefix(dict(scripts))
    assert content_prefix(scripts) != content_prefix(changed)
    assert content_prefix(scripts) != content_prefix({**scripts, "extra.sh": ""})


def test_script_content_reaches_s3_verbatim(quick):
    from hyperpod.lifecycle_bucket import terraform_literal

    # Terraform would read "${BASH_SOURCE[0]}" in a script as its own interpolation: it must arrive escaped.
    contents = [o["content"] for o in resources(quick, "aws_s3_object").values()]
    assert any("$${" in c for c in contents)
    assert not any("${" in c.replace("$${", "") for c in contents)
    assert terraform_literal('a ${b} %{c} $${d}') == 'a $${b} %%{c} $$${d}'
