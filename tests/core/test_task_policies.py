"""The task governance cluster policy (awscc_sagemaker_cluster_scheduler_config): config rules (one pass and one
fail each), the synthesized resource, its schema gate, and the change guard on its create-only name; the inference
operator's OIDC provider under the change guard."""

from __future__ import annotations

import copy

import pytest

from gates.awscc_schema import check_document
from hyperpod.change_guard import dangerous_changes
from tests.conftest import example_config, main_in_process, minimal_config
from tests.core.test_addons_config import problems_of
from tests.core.test_cli import write_config

INFERENCE = example_config("inference.tfvars.json")
POLICY = {"name": "team-policy", "fair_share": "Enabled", "idle_resource_sharing": "Disabled",
          "priority_classes": [{"name": "inference", "weight": 100}, {"name": "training", "weight": 40}]}


def governance(**policy) -> dict:
    return minimal_config(hyperpod_addons={"task_governance": {"enabled": True,
                                                               "scheduler_config": {**POLICY, **policy}}})


def classes(*pairs) -> list[dict]:
    return [{"name": name, "weight": weight} for name, weight in pairs]


RULES = [
    # SageMaker API model, PriorityWeight: 0-100.
    ("weights are 0-100", governance(priority_classes=classes(("a", 0), ("b", 100))),
     governance(priority_classes=classes(("a", 101))),
     "error: hyperpod_addons.task_governance.scheduler_config.priority_classes[0].weight: got 101"),
    # SageMaker API model, ClusterSchedulerPriorityClassName.
    ("class names are lowercase DNS labels", governance(priority_classes=classes(("high-prio", 90))),
     governance(priority_classes=classes(("High", 90))),
     'error: hyperpod_addons.task_governance.scheduler_config.priority_classes[0].name: got "High"; allowed: 1-41 '
     "lowercase letters"),
    # SageMaker API model, PriorityClassList: at most 10.
    ("at most 10 classes", governance(priority_classes=classes(*((f"p{i}", i) for i in range(10)))),
     governance(priority_classes=classes(*((f"p{i}", i) for i in range(11)))),
     "hyperpod_addons.task_governance.scheduler_config.priority_classes"),
    ("class names differ", governance(), governance(priority_classes=classes(("a", 1), ("a", 2))),
     "error: hyperpod_addons.task_governance.scheduler_config.priority_classes: names \"a\" appear more than once"),
    # SageMaker API model, FairShare and IdleResourceSharing: Enabled or Disabled.
    ("fair share is Enabled or Disabled", governance(fair_share="Disabled"), governance(fair_share="On"),
     "error: hyperpod_addons.task_governance.scheduler_config.fair_share"),
    ("idle sharing is Enabled or Disabled", governance(idle_resource_sharing="Enabled"),
     governance(idle_resource_sharing=True), "error: hyperpod_addons.task_governance.scheduler_config."
                                             "idle_resource_sharing"),
    # SageMaker API model, EntityName.
    ("the policy name is an EntityName", governance(name="a-1"), governance(name="team_policy"),
     'error: hyperpod_addons.task_governance.scheduler_config.name: got "team_policy"; allowed: 1-63 letters'),
    # SageMaker API model, EntityDescription: up to 1024, no control characters.
    ("the description has no control characters", governance(description="Endpoints first: ${not a template}"),
     governance(description="line one\nline two"),
     "error: hyperpod_addons.task_governance.scheduler_config.description: got \"line one\\nline two\""),
    ("the description is at most 1024 characters", governance(description="x" * 1024),
     governance(description="x" * 1025), "hyperpod_addons.task_governance.scheduler_config.description"),
    # SageMaker AI developer guide, task governance "Policies": the policy needs the add-on.
    ("the policy needs task governance", governance(),
     minimal_config(hyperpod_addons={"task_governance": {"enabled": False, "scheduler_config": POLICY}}),
     "error: hyperpod_addons.task_governance.scheduler_config: set with task governance off"),
]


@pytest.mark.parametrize("description, passing, failing, fragment", RULES, ids=[r[0] for r in RULES])
def test_rule_passes_and_fails_with_its_message(description, passing, failing, fragment):
    assert problems_of(passing) == []
    found = problems_of(failing)
    assert any(fragment in problem for problem in found), f"{fragment!r} not in {found}"


def test_the_policy_follows_the_add_on_on_the_cluster(synth_json):
    document = synth_json(governance(description="Endpoints first: ${not a template}"))
    (policy,) = document["resource"]["awscc_sagemaker_cluster_scheduler_config"].values()
    (cluster,) = document["resource"]["awscc_sagemaker_cluster"]
    (addon,) = [n for n, b in document["resource"]["aws_eks_addon"].items()
                if b["addon_name"] == "amazon-sagemaker-hyperpod-taskgovernance"]
    assert policy["cluster_arn"] == f"${{awscc_sagemaker_cluster.{cluster}.cluster_arn}}"
    assert policy["depends_on"] == [f"aws_eks_addon.{addon}"]
    assert policy["name"] == "team-policy"
    assert policy["description"] == "Endpoints first: $${not a template}"  # stored verbatim, never evaluated
    assert policy["scheduler_config"] == {"fair_share": "Enabled", "idle_resource_sharing": "Disabled",
                                          "priority_classes": classes(("inference", 100), ("training", 40))}
    assert check_document(document) == (1, [])


def test_without_a_policy_there_is_no_resource(synth_json):
    document = synth_json(minimal_config(hyperpod_addons={"task_governance": {"enabled": True}}))
    assert "awscc_sagemaker_cluster_scheduler_config" not in document["resource"]


def test_the_schema_gate_refuses_a_broken_policy(synth_json):
    document = synth_json(governance())
    (policy,) = document["resource"]["awscc_sagemaker_cluster_scheduler_config"].values()
    policy["scheduler_config"]["priority_classes"][0]["weight"] = 101
    policy["scheduler_config"]["idle_resource_sharing"] = "Sometimes"
    del policy["name"]
    _, violations = check_document(document)
    messages = sorted(str(v).split(": ", 1)[1] for v in violations)
    assert messages == ["'Sometimes' is not one of Enabled, Disabled", "'name' is required by the awscc schema",
                        "101 is outside 0-100"]


def test_the_chart_example_priority_is_a_class_of_the_inference_policy():
    import yaml
    from tests.charts.helm_runner import REPO_ROOT
    values = yaml.safe_load((REPO_ROOT / "examples" / "inference" / "deepseek-endpoint.yaml").read_text())
    names = [c["name"] for c in INFERENCE["hyperpod_addons"]["task_governance"]["scheduler_config"]["priority_classes"]]
    assert values["hyperpod"]["priority"] in names


def test_renaming_the_policy_is_refused_and_other_changes_pass(synth_json):
    renamed, reweighted = copy.deepcopy(INFERENCE), copy.deepcopy(INFERENCE)
    renamed["hyperpod_addons"]["task_governance"]["scheduler_config"]["name"] = "renamed"
    reweighted["hyperpod_addons"]["task_governance"]["scheduler_config"]["priority_classes"][1]["weight"] = 60
    before = synth_json(INFERENCE)
    (change,) = dangerous_changes(before, synth_json(renamed))
    assert "the task governance cluster policy would be replaced" in change.what
    assert 'name: "inference-first" -> "renamed"' in change.what
    assert "Kueue refuses workloads that name one" in change.why
    assert dangerous_changes(before, synth_json(reweighted)) == []


def test_deleting_the_oidc_provider_is_refused(synth_json):
    existing = copy.deepcopy(INFERENCE)
    existing["hyperpod_addons"]["inference_operator"]["oidc_provider_arn"] = (
        "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE")
    (change,) = dangerous_changes(synth_json(INFERENCE), synth_json(existing))
    assert "the EKS cluster's IAM OIDC provider would be deleted" in change.what
    assert "terraform state rm aws_iam_openid_connect_provider." in change.instead


def test_refused_through_main_then_allowed(tmp_path):
    out = tmp_path / "out"
    assert main_in_process("--config", str(write_config(tmp_path, INFERENCE)), "--out", str(out)).returncode == 0
    renamed = copy.deepcopy(INFERENCE)
    renamed["hyperpod_addons"]["task_governance"]["scheduler_config"]["name"] = "renamed"
    (tmp_path / "renamed").mkdir()
    path = write_config(tmp_path / "renamed", renamed)
    refused = main_in_process("--config", str(path), "--out", str(out))
    assert refused.returncode == 3 and "cluster policy would be replaced" in refused.stderr
    assert main_in_process("--config", str(path), "--out", str(out), "--allow-replace").returncode == 0
