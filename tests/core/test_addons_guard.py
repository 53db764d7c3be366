"""The change guard on what the stack installs around the cluster: an add-on other workloads stand on (cert-manager,
the EKS Pod Identity Agent) or the Prometheus workspace the stack created, gone from the new synthesis, is refused
with the `terraform state rm` way to keep it."""

from __future__ import annotations

import copy

import pytest

from hyperpod.change_guard import dangerous_changes
from tests.conftest import example_config, main_in_process
from tests.core.test_cli import STACK_JSON, write_config

BASE = example_config("addons.tfvars.json")  # training operator (cert-manager, pod identity agent), observability
WORKSPACE = "arn:aws:aps:us-west-2:111122223333:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef"


def addons(**overrides) -> dict:
    config = copy.deepcopy(BASE)
    config["hyperpod_addons"].update(overrides)
    return config


REFUSED = [
    ("cert-manager marked as already installed", addons(cert_manager={"already_installed": True}),
     "the EKS add-on 'cert-manager' the stack installed would be deleted "
     "(hyperpod_addons.cert_manager.already_installed true, or no enabled add-on needs it any more)",
     "certificates for the training operator's webhooks", "aws_eks_addon.hyperpod_cluster-addons_prerequisites_cert"),
    ("pod identity agent marked as already installed", addons(pod_identity_agent={"already_installed": True}),
     "the EKS add-on 'eks-pod-identity-agent' the stack installed would be deleted "
     "(hyperpod_addons.pod_identity_agent.already_installed true, or no enabled add-on needs it any more)",
     "EKS Pod Identity association", "aws_eks_addon.hyperpod_cluster-addons_prerequisites_pod-identity-agent"),
    ("observability switched off", addons(observability={"enabled": False}),
     "the Amazon Managed Prometheus workspace 'ml-platform-hyperpod-hyperpod' the stack created would be deleted",
     "the cluster's whole metrics history", "aws_prometheus_workspace.hyperpod_cluster-addons_observability_workspace"),
    ("observability moved to an existing workspace",
     addons(observability={"enabled": True, "prometheus_workspace_arn": WORKSPACE}),
     "the Amazon Managed Prometheus workspace 'ml-platform-hyperpod-hyperpod' the stack created would be deleted",
     "every metric ingested into it", "aws_prometheus_workspace.hyperpod_cluster-addons_observability_workspace"),
]


@pytest.mark.parametrize("name,config,what,why,state_rm", REFUSED, ids=[r[0] for r in REFUSED])
def test_deleting_what_others_rely_on_is_refused(synth_json, name, config, what, why, state_rm):
    (change,) = dangerous_changes(synth_json(BASE), synth_json(config))
    assert change.what.startswith(f"cluster 'ml-platform-hyperpod': {what}")
    assert why in change.why
    assert f"terraform state rm {state_rm}" in change.instead and "--allow-replace" in change.instead


SAFE = [
    ("an add-on version moves", addons(task_governance={"enabled": True, "version": "v1.6.1-eksbuild.1"})),
    ("task governance switched off (the stack's own add-on, nothing else needs it)",
     addons(task_governance={"enabled": False})),
    ("a pinned prerequisite version moves", addons(cert_manager={"version": "v1.18.3-eksbuild.1"})),
]


@pytest.mark.parametrize("name,config", SAFE, ids=[s[0] for s in SAFE])
def test_add_on_changes_that_delete_nothing_shared_pass(synth_json, name, config):
    assert dangerous_changes(synth_json(BASE), synth_json(config)) == []


def test_a_workspace_given_by_arn_is_not_the_stacks_to_guard(synth_json):
    given = addons(observability={"enabled": True, "prometheus_workspace_arn": WORKSPACE})
    assert dangerous_changes(synth_json(given), synth_json(addons(observability={"enabled": False}))) == []


@pytest.mark.parametrize("resource_type,arguments,refused", [
    ("aws_eks_addon", {"addon_name": ["cert-manager"]}, False), ("aws_eks_addon", {"addon_name": None}, False),
    ("aws_prometheus_workspace", {"alias": {"nested": [1]}}, True),
    ("kubernetes_namespace_v1", {"metadata": "ml-team"}, True), ("kubernetes_namespace_v1", {"metadata": [7]}, True),
], ids=["addon name a list", "addon name null", "alias an object", "metadata a string", "metadata a number list"])
def test_odd_resources_in_the_previous_synthesis_raise_nothing(synth_json, resource_type, arguments, refused):
    """The previous synthesis is untrusted: a resource the new one lacks is still refused by its address, an
    argument of the wrong type is shown as it is or skipped, never a crash."""
    previous = copy.deepcopy(synth_json(BASE))
    previous["resource"].setdefault(resource_type, {})["odd"] = arguments
    changes = dangerous_changes(previous, synth_json(BASE))
    assert [f"terraform state rm {resource_type}.odd" in c.instead for c in changes] == ([True] if refused else [])


def test_refused_through_main_then_allowed(tmp_path):
    out = tmp_path / "out"
    assert main_in_process("--config", str(write_config(tmp_path, BASE)), "--out", str(out)).returncode == 0
    before = (out / STACK_JSON).read_bytes()
    marked = write_config(tmp_path, addons(cert_manager={"already_installed": True}))
    refused = main_in_process("--config", str(marked), "--out", str(out))
    assert refused.returncode == 3 and "the EKS add-on 'cert-manager' the stack installed" in refused.stderr
    assert (out / STACK_JSON).read_bytes() == before
    assert main_in_process("--config", str(marked), "--out", str(out), "--allow-replace").returncode == 0
