"""Config rules of the add-ons and FSx for Lustre areas: for each, one config that passes and one that fails with its
message."""

from __future__ import annotations

import pytest

from hyperpod.config import parse_config
from hyperpod.config.addons import TRAINING_OPERATOR_VERSION, health_monitoring_agent_regions, hyperpod_regions
from hyperpod.config.errors import ConfigError
from tests.conftest import minimal_config

SUBNET_A, SUBNET_B = "subnet-0123456789abcdef0", "subnet-0123456789abcdef1"
EXISTING = {"enabled": True, "file_system_id": "fs-0123456789abcdef0", "dns_name": "fs-0123.fsx.us-west-2.amazonaws.com",
            "mount_name": "abcdefgh"}
KEY = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def fsx(**fields) -> dict:
    return minimal_config(hyperpod_fsx_lustre={"enabled": True, **fields})


def addons(**areas) -> dict:
    return minimal_config(hyperpod_addons=areas)


def problems_of(raw: dict) -> list[str]:
    try:
        _, warnings = parse_config(raw)
    except ConfigError as error:
        return [str(p) for p in error.problems]
    return [str(w) for w in warnings]


# (description, passing config, failing config, expected fragment of the failing config's message)
RULES = [
    ("capacity is 1200, 2400 or a multiple of 2400",
     fsx(storage_capacity_gib=4800), fsx(storage_capacity_gib=3600),
     "error: hyperpod_fsx_lustre.storage_capacity_gib: got 3600; allowed: 1200, 2400 or a multiple of 2400 GiB "
     "(nearest: 2400 or 4800)"),
    ("capacity at least 1200",
     fsx(storage_capacity_gib=1200), fsx(storage_capacity_gib=600),
     "error: hyperpod_fsx_lustre.storage_capacity_gib: got 600; allowed: at least 1200"),
    ("PERSISTENT_2 throughput tiers",
     fsx(per_unit_storage_throughput=1000), fsx(per_unit_storage_throughput=200),
     "error: hyperpod_fsx_lustre.per_unit_storage_throughput: got 200 with deployment_type PERSISTENT_2; allowed: "
     "125, 250, 500, 1000"),
    ("PERSISTENT_1 throughput tiers",
     fsx(deployment_type="PERSISTENT_1", per_unit_storage_throughput=200),
     fsx(deployment_type="PERSISTENT_1", per_unit_storage_throughput=250),
     "allowed: 50, 100, 200"),
    ("scratch takes no throughput",
     fsx(deployment_type="SCRATCH_2"), fsx(deployment_type="SCRATCH_2", per_unit_storage_throughput=125),
     "error: hyperpod_fsx_lustre.per_unit_storage_throughput: got 125 with deployment_type SCRATCH_2; allowed: null"),
    ("deployment type is one FSx offers for SSD Lustre",
     fsx(deployment_type="SCRATCH_2"), fsx(deployment_type="SCRATCH_1"),
     "error: hyperpod_fsx_lustre.deployment_type: got \"SCRATCH_1\""),
    ("subnet is one of the instances' subnets",
     minimal_config(hyperpod_subnet_ids=[SUBNET_A, SUBNET_B],
                    hyperpod_fsx_lustre={"enabled": True, "subnet_id": SUBNET_B}),
     minimal_config(hyperpod_subnet_ids=[SUBNET_A], hyperpod_fsx_lustre={"enabled": True, "subnet_id": SUBNET_B}),
     f"error: hyperpod_fsx_lustre.subnet_id: got \"{SUBNET_B}\"; allowed: one of hyperpod_subnet_ids ({SUBNET_A})"),
    ("an existing file system needs its DNS and mount names",
     minimal_config(hyperpod_fsx_lustre=EXISTING),
     minimal_config(hyperpod_fsx_lustre={**EXISTING, "mount_name": None}),
     "error: hyperpod_fsx_lustre.mount_name: required with file_system_id"),
    ("an existing file system takes no creation settings",
     minimal_config(hyperpod_fsx_lustre=EXISTING),
     minimal_config(hyperpod_fsx_lustre={**EXISTING, "storage_capacity_gib": 2400}),
     "error: hyperpod_fsx_lustre.storage_capacity_gib: got 2400 with file_system_id; allowed: leave it out"),
    ("DNS and mount names only describe an existing file system",
     fsx(), fsx(mount_name="abcdefgh"),
     "error: hyperpod_fsx_lustre.mount_name: got \"abcdefgh\" without file_system_id"),
    ("file system id pattern",
     minimal_config(hyperpod_fsx_lustre=EXISTING),
     minimal_config(hyperpod_fsx_lustre={**EXISTING, "file_system_id": "fsx-1"}),
     "error: hyperpod_fsx_lustre.file_system_id: got \"fsx-1\"; allowed: a file system id like fs-0123456789abcdef0"),
    ("namespace is a Kubernetes name",
     fsx(namespace="ml-team"), fsx(namespace="ML_Team"),
     "error: hyperpod_fsx_lustre.namespace: got \"ML_Team\"; allowed: a Kubernetes name"),
    ("add-on versions are EKS add-on versions",
     addons(training_operator={"enabled": True, "version": "v1.3.0-eksbuild.1"}),
     addons(training_operator={"enabled": True, "version": "latest"}),
     "error: hyperpod_addons.training_operator.version: got \"latest\"; allowed: an EKS add-on version"),
    ("add-on keys are checked",
     addons(observability={"enabled": True}), addons(observability={"enabeld": True}),
     "error: hyperpod_addons.observability.enabeld: unknown key; did you mean 'enabled'?"),
    ("an existing Prometheus workspace is given by ARN",
     addons(observability={"enabled": True,
                           "prometheus_workspace_arn": "arn:aws:aps:us-west-2:111122223333:workspace/ws-0a1b2c3d"}),
     addons(observability={"enabled": True, "prometheus_workspace_arn": "ws-0a1b2c3d"}),
     "error: hyperpod_addons.observability.prometheus_workspace_arn: got \"ws-0a1b2c3d\"; allowed: an Amazon Managed "
     "Prometheus workspace ARN"),
    ("enabled is strictly a boolean",
     addons(task_governance={"enabled": True}), addons(task_governance={"enabled": "yes"}),
     "error: hyperpod_addons.task_governance.enabled: got \"yes\"; allowed: true or false"),
    ("a region without a health monitoring agent image warns",
     minimal_config(region="eu-south-2"), minimal_config(region="me-south-1"),
     "warning: region: got \"me-south-1\": the pinned HyperPod chart has no health monitoring agent image"),
    ("the training operator's cluster tag SageMaker=true is not overridden",
     {**addons(training_operator={"enabled": True}), "tags": {"SageMaker": "true", "team": "ml"}},
     {**addons(training_operator={"enabled": True}), "tags": {"SageMaker": "false"}},
     "error: tags.SageMaker: got \"false\" with the training operator on; allowed: \"true\" or leave the key out"),
    ("the training operator needs task governance v1.3.0 or newer next to it",
     addons(training_operator={"enabled": True}, task_governance={"enabled": True, "version": "v1.3.0-eksbuild.1"}),
     addons(training_operator={"enabled": True}, task_governance={"enabled": True, "version": "v1.2.9-eksbuild.3"}),
     "error: hyperpod_addons.task_governance.version: got \"v1.2.9-eksbuild.3\" with the training operator on; "
     "allowed: v1.3.0-eksbuild.1 or newer"),
    ("a region AWS does not list for HyperPod warns",
     minimal_config(region="ap-southeast-4"), minimal_config(region="il-central-1"),
     "warning: region: got \"il-central-1\", which AWS's SageMaker HyperPod page does not list"),
    ("observability needs a node of size 4xlarge or larger",
     addons(observability={"enabled": True}),
     {**addons(observability={"enabled": True}),
      "hyperpod_instance_groups": [{"name": "small", "instance_type": "ml.g5.2xlarge", "instance_count": 2}]},
     "warning: hyperpod_addons.observability.enabled: true with instance types ml.g5.2xlarge: the observability "
     "collector needs a node of size 4xlarge or larger"),
    ("a customer managed key needs a persistent file system",
     fsx(kms_key_id=KEY), fsx(deployment_type="SCRATCH_2", kms_key_id=KEY),
     f"error: hyperpod_fsx_lustre.kms_key_id: got \"{KEY}\" with deployment_type SCRATCH_2; allowed: null"),
    ("a customer managed key only for a file system the stack creates",
     minimal_config(hyperpod_fsx_lustre=EXISTING), minimal_config(hyperpod_fsx_lustre={**EXISTING, "kms_key_id": KEY}),
     f"error: hyperpod_fsx_lustre.kms_key_id: got \"{KEY}\" with file_system_id; allowed: leave it out"),
    ("the key is a key ARN",
     fsx(kms_key_id=KEY), fsx(kms_key_id="alias/fsx"),
     "error: hyperpod_fsx_lustre.kms_key_id: got \"alias/fsx\"; allowed: a KMS key ARN"),
    ("the training operator without the stack's chart release warns about namespace ownership",
     addons(training_operator={"enabled": True}),
     {**addons(training_operator={"enabled": True}), "hyperpod_install_helm_dependencies": False},
     "warning: hyperpod_addons.training_operator.enabled: true with hyperpod_install_helm_dependencies false"),
]


@pytest.mark.parametrize("description, passing, failing, fragment", RULES, ids=[r[0] for r in RULES])
def test_rule_passes_and_fails_with_its_message(description, passing, failing, fragment):
    assert problems_of(passing) == []
    found = problems_of(failing)
    assert any(fragment in problem for problem in found), f"{fragment!r} not in {found}"


def test_defaults_are_off_and_pinned():
    config, _ = parse_config(minimal_config())
    assert not any(getattr(config.hyperpod_addons, name).enabled
                   for name in ("training_operator", "task_governance", "observability"))
    assert config.hyperpod_fsx_lustre.enabled is False
    assert config.hyperpod_addons.training_operator.version == TRAINING_OPERATOR_VERSION


def test_fsx_throughput_defaults_to_the_lowest_tier_of_the_deployment_type():
    assert parse_config(fsx())[0].hyperpod_fsx_lustre.throughput == 125
    assert parse_config(fsx(deployment_type="PERSISTENT_1"))[0].hyperpod_fsx_lustre.throughput == 50
    assert parse_config(fsx(deployment_type="SCRATCH_2"))[0].hyperpod_fsx_lustre.throughput is None


def test_every_fsx_problem_is_reported_together_next_to_a_field_error():
    found = problems_of(minimal_config(hyperpod_node_recovery="Sometimes", hyperpod_fsx_lustre={
        "enabled": True, "storage_capacity_gib": 3000, "per_unit_storage_throughput": 7}))
    assert any(p.startswith("error: hyperpod_node_recovery:") for p in found)
    assert any(p.startswith("error: hyperpod_fsx_lustre.storage_capacity_gib: got 3000") for p in found)
    assert any(p.startswith("error: hyperpod_fsx_lustre.per_unit_storage_throughput: got 7") for p in found)


def test_the_region_map_holds_the_seventeen_regions_of_the_pinned_chart():
    regions = health_monitoring_agent_regions()
    assert len(regions) == 17
    assert {"us-east-1", "eu-south-2", "ap-southeast-4", "ca-central-1"} <= regions


def test_the_hyperpod_region_list_holds_the_regions_aws_documents_and_the_chart_targets():
    regions = hyperpod_regions()
    assert {"us-east-1", "us-west-2", "eu-south-2", "ap-southeast-4", "sa-east-1"} <= regions  # AWS's page
    assert {"ap-northeast-2", "ca-central-1"} <= regions  # the chart's regional values
    assert health_monitoring_agent_regions() <= regions  # every region with an agent image runs HyperPod


@pytest.mark.parametrize("instance_type", ["ml.g5.4xlarge", "g5.48xlarge", "trn1.32xlarge"])
def test_a_large_enough_node_is_recognised_as_typed(instance_type):
    """The check reads the config as typed: the ml. prefix is optional there."""
    config = {**addons(observability={"enabled": True}),
              "hyperpod_instance_groups": [{"name": "g", "instance_type": instance_type, "instance_count": 2}]}
    assert problems_of(config) == []
