"""The inference operator in the synthesized Terraform JSON: order, dependencies, configuration, roles."""

from __future__ import annotations

import json
import re

from hyperpod.config.inference import INFERENCE_OPERATOR_VERSION, METRICS_SERVER_VERSION, S3_CSI_DRIVER_VERSION
from tests.conftest import example_config, minimal_config
from tests.core.test_addons import addons_by_name, address_of, trust_of

OPERATOR = "amazon-sagemaker-hyperpod-inference"
DEPENDENCIES = {"cert-manager", "aws-mountpoint-s3-csi-driver", "aws-fsx-csi-driver", "metrics-server"}
OIDC = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"


def inference(**fields) -> dict:
    return minimal_config(hyperpod_addons={"inference_operator": {"enabled": True, "model_buckets": ["models-a"],
                                                                  **fields}})


def roles(document: dict) -> dict[str, dict]:
    """{construct id: aws_iam_role body} of the operator's roles."""
    found = {}
    for name, body in document["resource"]["aws_iam_role"].items():
        match = re.search(r"inference-operator_([a-z0-9-]+-role)_", name)
        if match:
            found[match.group(1)] = (name, body)
    return found


def test_the_operator_waits_for_the_cluster_and_every_dependency(synth_json):
    document = synth_json(inference())
    addons = addons_by_name(document)
    assert set(addons) == {OPERATOR, *DEPENDENCIES}
    operator = addons[OPERATOR]
    assert operator["addon_version"] == INFERENCE_OPERATOR_VERSION
    assert addons["aws-mountpoint-s3-csi-driver"]["addon_version"] == S3_CSI_DRIVER_VERSION
    assert addons["metrics-server"]["addon_version"] == METRICS_SERVER_VERSION
    cluster = next(iter(document["resource"]["awscc_sagemaker_cluster"]))
    assert f"awscc_sagemaker_cluster.{cluster}" in operator["depends_on"]
    for name in DEPENDENCIES:
        assert address_of(document, "aws_eks_addon", addons[name]) in operator["depends_on"], name
        assert f"awscc_sagemaker_cluster.{cluster}" in addons[name]["depends_on"], name
    # IRSA, not EKS Pod Identity: no agent, no association.
    assert "eks-pod-identity-agent" not in addons
    assert "aws_eks_pod_identity_association" not in document["resource"]


def test_the_configuration_names_the_cluster_bucket_and_roles(synth_json):
    document = synth_json(inference())
    configuration = addons_by_name(document)[OPERATOR]["configuration_values"]
    (cluster,) = document["resource"]["awscc_sagemaker_cluster"]
    (bucket,) = [n for n in document["resource"]["aws_s3_bucket"] if "tls-bucket" in n]
    found = roles(document)
    assert f'"hyperpodClusterArn" = awscc_sagemaker_cluster.{cluster}.cluster_arn' in configuration
    assert f'"tlsCertificateS3Bucket" = aws_s3_bucket.{bucket}.id' in configuration
    for key, role in (("executionRoleArn", "operator-role"), ("jumpstartGatedModelDownloadRoleArn", "gated-model-role"),
                      ("roleArn", "load-balancer-role"), ("roleArn", "keda-role")):
        assert f'"{key}" = aws_iam_role.{found[role][0]}.arn' in configuration, role
    assert '"alb" = {"enabled" = true' in configuration and '"keda" = {"enabled" = true' in configuration


def test_each_role_trusts_one_service_account_through_the_oidc_provider(synth_json):
    document = synth_json(inference(endpoint_namespaces=["team-a", "team-b"]))
    (provider,) = document["resource"]["aws_iam_openid_connect_provider"]
    expected = {
        "operator-role": ["system:serviceaccount:hyperpod-inference-system:hyperpod-inference-controller-manager"],
        "load-balancer-role": ["system:serviceaccount:hyperpod-inference-system:aws-load-balancer-controller"],
        "keda-role": ["system:serviceaccount:hyperpod-inference-system:keda-operator"],
        "s3-csi-role": ["system:serviceaccount:kube-system:s3-csi-driver-sa"],
        "gated-model-role": ["system:serviceaccount:team-a:hyperpod-inference-service-account*",
                             "system:serviceaccount:team-b:hyperpod-inference-service-account*"],
    }
    found = roles(document)
    assert set(found) == set(expected)
    for role, subjects in expected.items():
        web = trust_of(document, found[role][0])["statement"][0]
        assert web["actions"] == ["sts:AssumeRoleWithWebIdentity"]
        assert web["principals"] == [{"type": "Federated",
                                      "identifiers": [f"${{aws_iam_openid_connect_provider.{provider}.arn}}"]}]
        conditions = {c["variable"].rsplit(":", 1)[-1]: c for c in web["condition"]}
        assert conditions["aud"]["values"] == ["sts.amazonaws.com"]
        assert conditions["sub"]["values"] == subjects
        assert conditions["sub"]["test"] == ("StringLike" if role == "gated-model-role" else "StringEquals")


def test_an_existing_oidc_provider_is_used_not_created(synth_json):
    document = synth_json(inference(oidc_provider_arn=OIDC))
    assert "aws_iam_openid_connect_provider" not in document["resource"]
    found = roles(document)
    web = trust_of(document, found["operator-role"][0])["statement"][0]
    assert web["principals"][0]["identifiers"] == [OIDC]


def test_already_installed_dependencies_are_left_alone(synth_json):
    document = synth_json(inference(s3_csi_driver={"already_installed": True},
                                    metrics_server={"already_installed": True},
                                    fsx_csi_driver={"already_installed": True}))
    assert set(addons_by_name(document)) == {OPERATOR, "cert-manager"}
    assert "s3-csi-role" not in roles(document)


def test_with_shared_storage_the_operator_waits_for_its_fsx_driver(synth_json):
    config = inference()
    config["hyperpod_fsx_lustre"] = example_config("addons.tfvars.json")["hyperpod_fsx_lustre"]
    document = synth_json(config)
    fsx_drivers = [(n, b) for n, b in document["resource"]["aws_eks_addon"].items()
                   if b["addon_name"] == "aws-fsx-csi-driver"]
    assert len(fsx_drivers) == 1 and "fsx-volume" in fsx_drivers[0][0]
    assert f"aws_eks_addon.{fsx_drivers[0][0]}" in addons_by_name(document)[OPERATOR]["depends_on"]


def test_the_s3_csi_driver_reads_only_the_model_buckets(synth_json):
    document = synth_json(inference(model_buckets=["models-a", "models-b"]))
    policy = next(b for n, b in document["data"]["aws_iam_policy_document"].items() if "s3-csi-role_permissions" in n)
    grants = {tuple(s["actions"]): s["resources"] for s in policy["statement"]}
    (partition,) = document["data"]["aws_partition"]
    buckets = [f"arn:${{data.aws_partition.{partition}.partition}}:s3:::models-{x}" for x in "ab"]
    assert grants == {("s3:ListBucket",): buckets, ("s3:GetObject",): [f"{b}/*" for b in buckets]}
    addon = addons_by_name(document)["aws-mountpoint-s3-csi-driver"]
    assert addon["service_account_role_arn"] == f"${{aws_iam_role.{roles(document)['s3-csi-role'][0]}.arn}}"


def test_no_write_of_any_inference_role_is_on_every_resource(synth_json):
    document = synth_json(inference())
    for name, body in document["data"]["aws_iam_policy_document"].items():
        if "inference-operator" not in name or not name.split("_")[-2].endswith("permissions"):
            continue
        for statement in body["statement"]:
            if "*" in statement["resources"]:
                verbs = {a.split(":", 1)[1] for a in statement["actions"]}
                assert all(v.startswith(("Describe", "Get", "List")) for v in verbs), (name, statement["sid"])


def test_off_leaves_no_trace(synth_json):
    text = json.dumps(synth_json(minimal_config())["resource"])
    assert "inference-operator" not in text and "amazon-sagemaker-hyperpod-inference" not in text
    assert "aws_iam_openid_connect_provider" not in text
