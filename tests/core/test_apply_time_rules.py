"""Plans that synthesized fine but that AWS or Helm would reject at apply time (issue 22 part 4): each is now either
correct in the synthesized JSON or a config error (or warning) naming the field."""

from __future__ import annotations

import json

import pytest

from gates.checkov_acknowledgements import AcknowledgementError, load_acknowledgements
from gates.checkov_gate import _file_number
from hyperpod.config import parse_config
from hyperpod.config.karpenter import karpenter_release_name
from hyperpod.status.cli import main as status_main
from tests.conftest import ROOT, minimal_config
from tests.core.test_capacity_config import cpu, group, with_groups
from tests.core.test_config import assert_problem

GROUP_SUBNET, GROUP_SG = "subnet-0a1b2c3d4e5f60718", "sg-0fedcba9876543210"


def eni_resources(document: dict) -> str:
    """The resources of the execution role's ENI statement (a Terraform expression: concat of ARN lists)."""
    for data in document["data"]["aws_iam_policy_document"].values():
        for statement in data.get("statement", []):
            if statement.get("sid") == "ManageInstanceNetworkInterfaces":
                return statement["resources"] if isinstance(statement["resources"], str) \
                    else json.dumps(statement["resources"])
    raise AssertionError("no ManageInstanceNetworkInterfaces statement")


def test_group_subnets_and_security_groups_are_in_the_eni_statement(synth_json):
    """HyperPod creates a group's network interfaces in the group's own subnets with its own security groups
    (override_vpc_config): the execution role must be allowed to use them, not only the cluster's."""
    document = synth_json(with_groups(group(subnet_ids=[GROUP_SUBNET]), cpu(security_group_ids=[GROUP_SG])))
    resources = eni_resources(document)
    assert f':subnet/{GROUP_SUBNET}"' in resources and f':security-group/{GROUP_SG}"' in resources
    assert resources.count(GROUP_SUBNET) == 1 and resources.count(GROUP_SG) == 1


def test_group_ids_the_cluster_already_names_are_not_repeated(synth_json):
    document = synth_json(with_groups(group(subnet_ids=[GROUP_SUBNET]), hyperpod_subnet_ids=[GROUP_SUBNET]))
    assert eni_resources(document).count(GROUP_SUBNET) == 1


def test_without_group_networks_the_eni_statement_is_unchanged(synth_json):
    """No group overrides its network: the statement names the cluster's subnets and security groups only (the
    golden files hold the whole policy byte for byte)."""
    resources = eni_resources(synth_json(minimal_config()))
    assert ":subnet/subnet-" not in resources and ":security-group/sg-" not in resources


# --- A group's own security groups replace the cluster's ------------------------------------------------------------
def warnings_of(raw: dict) -> list[str]:
    return [str(p) for p in parse_config(raw)[1]]


def test_own_security_groups_warn_which_groups_the_instances_lose():
    (warning,) = [w for w in warnings_of(with_groups(group(), cpu(security_group_ids=[GROUP_SG])))
                  if "security_group_ids" in w]
    assert warning.startswith(f'warning: hyperpod_instance_groups[1].security_group_ids: got ["{GROUP_SG}"]: these '
                              "replace the cluster's security groups for this group")
    assert "the EKS cluster security group" in warning and "may not join the cluster" in warning
    assert "the instance security group the stack creates" in warning and "EFA/NCCL" in warning
    assert "FSx" not in warning  # no file system here


def test_own_security_groups_warning_names_fsx_only_when_the_stack_creates_the_file_system():
    fsx = {"enabled": True, "storage_capacity_gib": 1200}
    (warning,) = [w for w in warnings_of(with_groups(cpu(security_group_ids=[GROUP_SG]), hyperpod_fsx_lustre=fsx))
                  if "security_group_ids" in w]
    assert "the only group the created FSx for Lustre file system accepts Lustre traffic from" in warning
    (warning,) = [w for w in warnings_of(with_groups(cpu(security_group_ids=[GROUP_SG]),
                                                     hyperpod_create_security_group=False))
                  if "security_group_ids" in w]
    assert "the instance security group" not in warning and "the EKS cluster security group" in warning


def test_own_subnets_alone_keep_the_cluster_security_groups_and_do_not_warn():
    assert not [w for w in warnings_of(with_groups(group(subnet_ids=[GROUP_SUBNET]))) if "security_group_ids" in w]


# --- The Karpenter objects' Helm release ---------------------------------------------------------------------------
SCALING = {"enabled": True, "instance_groups": ["cpu"]}


def test_cluster_name_that_makes_the_karpenter_release_name_too_long_is_refused():
    fits = "c" * 37  # + "-karpenter-nodes" = 53, Helm's limit
    parse_config(with_groups(group(), cpu(), hyperpod_cluster_name=fits, hyperpod_autoscaling=SCALING))
    parse_config(with_groups(group(), cpu(), hyperpod_cluster_name=fits + "c"))  # no autoscaling, no release
    assert_problem(with_groups(group(), cpu(), hyperpod_cluster_name=fits + "c", hyperpod_autoscaling=SCALING),
                   "hyperpod_cluster_name", '"cccccccccccccccccccccccccccccccccccccc" (38 characters)',
                   f"'{'c' * 38}-karpenter-nodes', would have 54 characters",
                   "allowed: at most 37 characters with autoscaling")


def test_a_group_named_twice_in_autoscaling_is_refused():
    assert_problem(with_groups(group(), cpu(), hyperpod_autoscaling={"enabled": True,
                                                                     "instance_groups": ["cpu", "cpu"]}),
                   "hyperpod_autoscaling.instance_groups", '"cpu" more than once', "each instance group once")


def test_the_release_the_stack_declares_is_the_name_the_rule_checks(synth_json):
    document = synth_json(with_groups(group(), cpu(), hyperpod_cluster_name="Mixed-Case", hyperpod_autoscaling=SCALING))
    names = [r["name"] for r in document["resource"]["helm_release"].values()]
    assert karpenter_release_name("Mixed-Case") == "mixed-case-karpenter-nodes" and names.count(
        "mixed-case-karpenter-nodes") == 1


# --- ASCII digits only ----------------------------------------------------------------------------------------------
# Python's \d matches every script's decimal digits: "١٢٣" (Arabic-Indic) passed as an account id or version, and
# int() then read it as a number. AWS's patterns mean ASCII [0-9].
ARABIC_ACCOUNT = "١٢٣٤٥٦٧٨٩٠١٢"  # twelve Arabic-Indic digits
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
ASCII_DIGIT_RULES = [
    ("training plan account", with_groups(group(training_plan_arn="arn:aws:sagemaker:us-west-2:"
                                                                  f"{ARABIC_ACCOUNT}:training-plan/p5")),
     "hyperpod_instance_groups[0].training_plan_arn"),
    ("EBS key account", with_groups(group(ebs_kms_key_id=f"arn:aws:kms:us-west-2:{ARABIC_ACCOUNT}:key/1234abcd")),
     "hyperpod_instance_groups[0].ebs_kms_key_id"),
    ("autoscaler role account", with_groups(group(), cpu(), hyperpod_autoscaling={
        **SCALING, "cluster_role_arn": f"arn:aws:iam::{ARABIC_ACCOUNT}:role/scaler"}),
     "hyperpod_autoscaling.cluster_role_arn"),
    ("autoscaler role name with a non-ASCII letter", with_groups(group(), cpu(), hyperpod_autoscaling={
        **SCALING, "cluster_role_arn": "arn:aws:iam::123456789012:role/scaler-é"}),
     "hyperpod_autoscaling.cluster_role_arn"),
    ("add-on version", minimal_config(hyperpod_addons={"task_governance": {"enabled": True,
                                                                           "version": "v١.6.0-eksbuild.1"}}),
     "hyperpod_addons.task_governance.version"),
    ("workspace account", minimal_config(hyperpod_addons={"observability": {
        "enabled": True, "prometheus_workspace_arn": f"arn:aws:aps:us-west-2:{ARABIC_ACCOUNT}:workspace/ws-1"}}),
     "hyperpod_addons.observability.prometheus_workspace_arn"),
    ("region", minimal_config(region="us-west-٢"), "region"),
    ("state role account", minimal_config(state={"backend": "s3", "bucket": "acme-terraform-state", "key": "k",
                                                 "region": "us-west-2",
                                                 "role_arn": f"arn:aws:iam::{ARABIC_ACCOUNT}:role/state"}),
     "state.role_arn"),
    ("state key account", minimal_config(state={"backend": "s3", "bucket": "acme-terraform-state", "key": "k",
                                                "region": "us-west-2", "encrypt": True,
                                                "kms_key_id": f"arn:aws:kms:us-west-2:{ARABIC_ACCOUNT}:key/{KEY_ID}"}),
     "state.kms_key_id"),
]


@pytest.mark.parametrize("name,raw,path", ASCII_DIGIT_RULES, ids=[r[0] for r in ASCII_DIGIT_RULES])
def test_non_ascii_digits_are_refused(name, raw, path):
    assert_problem(raw, path, "got ")
    ascii_raw = json.loads(json.dumps(raw, ensure_ascii=False).replace(ARABIC_ACCOUNT, "123456789012")
                           .replace("١", "1").replace("٢", "2").replace("-é", ""))
    parse_config(ascii_raw)  # the same value in ASCII digits passes


@pytest.mark.parametrize("argv, message", [
    (["ml-cluster", "--region", "us-west-٢"], "--region: 'us-west-٢' is not an AWS region name"),
    ([f"arn:aws:sagemaker:us-west-2:{ARABIC_ACCOUNT}:cluster/abc123", "--region", "us-west-2"],
     f"CLUSTER: 'arn:aws:sagemaker:us-west-2:{ARABIC_ACCOUNT}:cluster/abc123' is not a HyperPod cluster name"),
    (["wait", "ml-cluster", "--region", "us-west-2", "--timeout", "١٠m"], "--timeout: '١٠m' is not a duration"),
], ids=["region", "cluster arn account", "duration"])
def test_hyperpod_status_refuses_non_ascii_digits(argv, message, capsys, monkeypatch):
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    assert status_main(argv) == 2
    assert capsys.readouterr().err.startswith(f"hyperpod-status: {message}")


def test_checkov_acknowledgement_check_ids_are_ascii(tmp_path):
    entry = {"check_id": "CKV_AWS_١٤٤", "resource": "aws_s3_bucket.x", "reason": "r" * 50}
    path = tmp_path / "acknowledgements.json"
    path.write_text(json.dumps({"acknowledgements": [entry]}, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(AcknowledgementError, match="check_id"):
        load_acknowledgements(path)
    path.write_text(json.dumps({"acknowledgements": [{**entry, "check_id": "CKV_AWS_144"}]}), encoding="utf-8")
    assert [a.check_id for a in load_acknowledgements(path)] == ["CKV_AWS_144"]


def test_checkov_report_paths_with_non_ascii_digits_are_no_file_number():
    assert _file_number("/tmp/scan/12/cdk.tf.json") == 12
    assert _file_number("/tmp/scan/١٢/cdk.tf.json") is None and _file_number("/tmp/scan/²/cdk.tf.json") is None


def test_no_unicode_digit_class_left_in_the_patterns():
    """A new `\\d` (or `\\w`) in a pattern would bring the bug back: the sources say [0-9]."""
    offenders = [f"{path}:{number}" for root in ("hyperpod", "gates") for path in sorted((ROOT / root).rglob("*.py"))
                 if "bindings" not in path.parts
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if "\\d" in line or "\\w" in line]
    assert offenders == []
