"""Another team's CDKTF app imports the construct and passes its own EKS cluster, as tokens."""

from __future__ import annotations

import json

import pytest
import cdktf
from cdktf import App, TerraformStack, TerraformVariable

from hyperpod import EksCluster, HyperPod, parse_config
from hyperpod.bindings.awscc import AwsccProvider
from hyperpod.eks import AwsContext
from tests.conftest import minimal_config

SCRIPTS = {"on_create.sh": "#!/bin/bash\necho bootstrap\n"}


def eks_from_variables(stack: TerraformStack, auth_mode: str | None = None) -> EksCluster:
    def var(name: str, type_: str = "string") -> TerraformVariable:
        return TerraformVariable(stack, name, type=type_)

    return EksCluster(
        name=var("eks_name").string_value, arn=var("eks_arn").string_value, endpoint=var("eks_endpoint").string_value,
        certificate_authority_data=var("eks_ca").string_value, vpc_id=var("vpc_id").string_value,
        subnet_ids=var("subnet_ids", "list(string)").list_value,
        cluster_security_group_id=var("eks_sg").string_value,
        authentication_mode=auth_mode or var("eks_auth_mode").string_value,
    )


def build(auth_mode: str | None = None) -> dict:
    from cdktf_cdktf_provider_aws.provider import AwsProvider
    from cdktf_cdktf_provider_helm.provider import HelmProvider

    app = cdktf.Testing.app()
    stack = TerraformStack(app, "platform")
    AwsProvider(stack, "aws", region="eu-west-1")
    AwsccProvider(stack, "awscc", region="eu-west-1")
    HelmProvider(stack, "helm")
    config, _ = parse_config(minimal_config(region="eu-west-1"))
    HyperPod(stack, "training", config=config, eks=eks_from_variables(stack, auth_mode),
             aws=AwsContext(partition="aws", region="eu-west-1", account_id="123456789012"),
             lifecycle_scripts=SCRIPTS)
    return json.loads(cdktf.Testing.synth(stack, run_validations=True))


def test_construct_in_another_stack_with_token_inputs():
    tf = build()
    (cluster,) = tf["resource"]["awscc_sagemaker_cluster"].values()
    assert cluster["orchestrator"]["eks"]["cluster_arn"] == "${var.eks_arn}"
    assert cluster["vpc_config"]["subnets"] == "${var.subnet_ids}"
    assert "${var.eks_sg}" in cluster["vpc_config"]["security_group_ids"]
    assert cluster["lifecycle"]["precondition"][0]["condition"] == (
        '${contains(["API", "API_AND_CONFIG_MAP"], var.eks_auth_mode)}')
    (sg,) = tf["resource"]["aws_security_group"].values()
    assert sg["vpc_id"] == "${var.vpc_id}"
    statements = next(d for n, d in tf["data"]["aws_iam_policy_document"].items() if "permissions" in n)["statement"]
    eni = next(s for s in statements if s["sid"] == "ManageInstanceNetworkInterfaces")
    assert "var.subnet_ids" in json.dumps(eni["resources"])
    assert "arn:aws:ec2:eu-west-1:123456789012:vpc/${var.vpc_id}" in json.dumps(eni["resources"])
    # No data sources of its own: the construct uses only what it is given.
    assert "aws_eks_cluster" not in tf.get("data", {})


def test_literal_unsupported_auth_mode_fails_at_synth():
    with pytest.raises(ValueError, match="API or API_AND_CONFIG_MAP"):
        build(auth_mode="CONFIG_MAP")
    assert build(auth_mode="API_AND_CONFIG_MAP")["resource"]["awscc_sagemaker_cluster"]


def test_construct_refuses_a_disabled_config():
    app = App()
    stack = TerraformStack(app, "s")
    config, _ = parse_config({"eks_cluster_name": "ml"})
    with pytest.raises(ValueError, match="hyperpod_enabled false"):
        HyperPod(stack, "hp", config=config, eks=eks_from_variables(stack),
                 aws=AwsContext("aws", "us-east-1", "123456789012"), lifecycle_scripts=SCRIPTS)


def test_every_public_export_resolves():
    import hyperpod

    for name in hyperpod.__all__:
        assert getattr(hyperpod, name) is not None, name


def test_lifecycle_scripts_must_include_on_create():
    from hyperpod.lifecycle_bucket import LifecycleScripts

    stack = TerraformStack(App(), "s")
    with pytest.raises(ValueError, match=r"must include on_create.sh; got \['setup.sh'\]"):
        LifecycleScripts(stack, "scripts", bucket=None, scripts={"setup.sh": "#!/bin/bash\n"})
