"""Plans that synthesized fine but that AWS or Helm would reject at apply time (issue 22 part 4): each is now either
correct in the synthesized JSON or a config error (or warning) naming the field."""

from __future__ import annotations

import json

from hyperpod.config import parse_config
from tests.conftest import minimal_config
from tests.core.test_capacity_config import cpu, group, with_groups

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
