"""The change guard: each dangerous change class refused with its explanation, safe changes pass."""

from __future__ import annotations

import copy
import json

import pytest

from hyperpod.change_guard import dangerous_changes, stable_group_order
from tests.conftest import main_in_process, minimal_config
from tests.core.test_cli import STACK_JSON, run_main, write_config


def groups(*specs) -> list[dict]:
    return [{"name": n, "instance_type": t, "instance_count": c, "deep_health_checks": []} for n, t, c in specs]


BASE = minimal_config(hyperpod_instance_groups=groups(("train", "ml.p5.48xlarge", 4), ("infer", "ml.g5.48xlarge", 2)))


def changed(**overrides) -> dict:
    config = copy.deepcopy(BASE)
    config.update(overrides)
    return config


def with_group(index: int, **overrides) -> dict:
    config = copy.deepcopy(BASE)
    config["hyperpod_instance_groups"][index].update(overrides)
    return config


DANGEROUS = [
    ("cluster renamed", changed(hyperpod_cluster_name="other-name"), "cluster_name changes", "replaces the whole"),
    ("vpc changed", changed(hyperpod_subnet_ids=["subnet-0123456789abcdef0"]), "vpc_config changes",
     "replaces the whole"),
    ("other EKS cluster", changed(eks_cluster_name="other-eks"), "orchestrator changes", "replaces the whole"),
    ("instance type", with_group(0, instance_type="ml.p5e.48xlarge"), "group 'train': instance_type changes",
     "refuses to change instance_type"),
    ("threads per core", with_group(1, threads_per_core=2), "group 'infer': threads_per_core changes",
     "refuses to change threads_per_core"),
    ("group removed", changed(hyperpod_instance_groups=BASE["hyperpod_instance_groups"][:1]),
     "instance group 'infer' would be removed", "scale its instance_count to 0"),
    ("group renamed", with_group(1, name="serve"), "'infer' would be removed (renamed to 'serve'?",
     "delete plus a create"),
    ("group reordered", changed(hyperpod_instance_groups=BASE["hyperpod_instance_groups"][::-1]),
     "group 'train': moves from position 0 to 1", "matches instance groups by position"),
    ("hyperpod disabled", changed(hyperpod_enabled=False), "would be destroyed", "hyperpod_prevent_destroy false"),
    ("region changed", changed(region="eu-west-1"),
     'the region changes\n      provider.aws.region: "us-west-2" -> "eu-west-1"\n      provider.awscc.region: '
     '"us-west-2" -> "eu-west-1"', "every provider moves with it"),
    ("region left to the environment", changed(region=None), 'provider.aws.region: "us-west-2" -> null',
     "null means the deploying machine's AWS_REGION"),
    ("helm chart uninstalled", changed(hyperpod_install_helm_dependencies=False),
     "Helm release 'hyperpod-dependencies' in namespace 'kube-system' would be uninstalled",
     "without the agent and the RBAC"),
]

SAFE = [
    ("instance count", with_group(0, instance_count=16)),
    ("scale to zero", with_group(1, instance_count=0)),
    ("group appended", changed(hyperpod_instance_groups=[*BASE["hyperpod_instance_groups"],
                                                         *groups(("cpu", "ml.m5.xlarge", 1))])),
    ("deep health checks", with_group(0, deep_health_checks=["InstanceStress"])),
    ("tags", changed(tags={"team": "ml"})),
    ("ebs volume", with_group(0, ebs_volume_gb=2000)),
    ("node recovery", changed(hyperpod_node_recovery="None")),
    ("helm chart revision", changed(hyperpod_helm_chart={"git_revision": "b" * 40})),
]


@pytest.mark.parametrize("name,config,what,why", DANGEROUS, ids=[d[0] for d in DANGEROUS])
def test_dangerous_change_is_explained(synth_json, name, config, what, why):
    changes = dangerous_changes(synth_json(BASE), synth_json(config))
    assert changes, f"{name} was not caught"
    text = "\n".join(str(c) for c in changes)
    assert what in text and why in text
    assert all(c.instead for c in changes)


SUBNETS = [f"subnet-0{n:016x}" for n in range(1, 9)]
SECURITY_GROUPS = [f"sg-0{n:016x}" for n in range(1, 4)]  # 3: with the EKS and created groups, the 5 AWS allows
NETWORK = changed(hyperpod_subnet_ids=SUBNETS, hyperpod_security_group_ids=SECURITY_GROUPS)


@pytest.mark.parametrize("name,config", SAFE, ids=[s[0] for s in SAFE])
def test_safe_change_passes(synth_json, name, config):
    assert dangerous_changes(synth_json(BASE), synth_json(config)) == []


def test_reordered_subnets_and_security_groups_are_no_change(synth_json):
    reordered = changed(hyperpod_subnet_ids=SUBNETS[::-1], hyperpod_security_group_ids=SECURITY_GROUPS[::-1])
    assert dangerous_changes(synth_json(NETWORK), synth_json(reordered)) == []


def test_refusal_shows_the_whole_set_difference(synth_json):
    replaced = changed(hyperpod_subnet_ids=[*SUBNETS[1:], "subnet-0ffffffffffffffff"][::-1],
                       hyperpod_security_group_ids=SECURITY_GROUPS)
    (change,) = dangerous_changes(synth_json(NETWORK), synth_json(replaced))
    assert change.what == ("cluster 'test-cluster': vpc_config changes\n"
                           f'      vpc_config.subnets: removed ["{SUBNETS[0]}"]; added ["subnet-0ffffffffffffffff"]')


def test_refusal_shows_the_data_source_argument_not_internal_data(synth_json):
    changes = dangerous_changes(synth_json(BASE), synth_json(changed(eks_cluster_name="other-eks")))
    text = "\n".join(str(c) for c in changes)
    assert '.name: "ml-platform" -> "other-eks"' in text and "data.aws_eks_cluster.eks_cluster_" in text
    assert '"reads"' not in text and '"value"' not in text and "..." not in text


def test_full_values_are_shown_however_long(synth_json):
    long_list = changed(hyperpod_subnet_ids=SUBNETS)
    (change,) = dangerous_changes(synth_json(BASE), synth_json(long_list))
    assert '"${tolist(data.aws_eks_cluster.eks_cluster_' in change.what
    assert json.dumps(SUBNETS) in change.what  # 8 IDs, far past any truncation


def test_uninstall_names_the_components(synth_json):
    (change,) = dangerous_changes(synth_json(BASE), synth_json(changed(hyperpod_install_helm_dependencies=False)))
    for component in ("health monitoring agent", "deep health check RBAC", "job auto-restart RBAC",
                      "NVIDIA device plugin"):
        assert component in change.what
    assert "Kubeflow training operator" not in change.what  # off in BASE: nothing of it to remove
    assert "terraform state rm helm_release.hyperpod_helm-dependencies_release_" in change.instead


def test_lifecycle_script_change_is_safe(synth_json):
    previous = synth_json(BASE)
    new = copy.deepcopy(previous)
    (cluster,) = new["resource"]["awscc_sagemaker_cluster"].values()
    for group in cluster["instance_groups"]:
        group["life_cycle_config"]["source_s3_uri"] = group["life_cycle_config"]["source_s3_uri"][:-4] + "beef"
    assert dangerous_changes(previous, new) == []


def test_stable_order_appends_new_groups_after_existing():
    assert stable_group_order(["new", "b", "a"], ["a", "b"]) == ["a", "b", "new"]
    assert stable_group_order(["a", "b"], []) == ["a", "b"]
    assert stable_group_order(["b"], ["a", "b"]) == ["b"]


# Whole-process behaviour: what is written, exit codes, messages.

def test_refused_then_allowed(tmp_path):
    out = tmp_path / "out"
    first = main_in_process("--config", str(write_config(tmp_path, BASE)), "--out", str(out))
    assert first.returncode == 0, first.stderr  # first synthesis: nothing to compare with
    assert first.stderr == f"note: no previous synthesis at {out / STACK_JSON}: change guard skipped\n"
    before = (out / STACK_JSON).read_bytes()
    bad = write_config(tmp_path, with_group(0, instance_type="ml.p5e.48xlarge"))
    refused = run_main("--config", str(bad), "--out", str(out))  # the real entry point's exit code, in a process
    assert refused.returncode == 3 and "Traceback" not in refused.stderr
    assert "refused: 1 change(s)" in refused.stderr and "--allow-replace" in refused.stderr
    assert (out / STACK_JSON).read_bytes() == before
    allowed = main_in_process("--config", str(bad), "--out", str(out), "--allow-replace")
    assert allowed.returncode == 0 and "going ahead (--allow-replace)" in allowed.stderr
    (cluster,) = json.loads((out / STACK_JSON).read_text())["resource"]["awscc_sagemaker_cluster"].values()
    assert cluster["instance_groups"][0]["instance_type"] == "ml.p5e.48xlarge"


def test_new_group_inserted_first_keeps_deployed_order(tmp_path):
    out = tmp_path / "out"
    assert main_in_process("--config", str(write_config(tmp_path, BASE)), "--out", str(out)).returncode == 0
    inserted = changed(hyperpod_instance_groups=[*groups(("cpu", "ml.m5.xlarge", 1)), *BASE["hyperpod_instance_groups"]])
    result = main_in_process("--config", str(write_config(tmp_path, inserted)), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "kept in their deployed order: train, infer, cpu" in result.stderr
    (cluster,) = json.loads((out / STACK_JSON).read_text())["resource"]["awscc_sagemaker_cluster"].values()
    assert [g["instance_group_name"] for g in cluster["instance_groups"]] == ["train", "infer", "cpu"]


@pytest.mark.parametrize("content,message", [
    ("{not json", "the previous synthesis is not valid JSON"),
    ('{"resource": {}}', "not a cdk.tf.json synthesized by CDKTF"),
    ("[1, 2]", "not a cdk.tf.json synthesized by CDKTF"),
])
def test_corrupt_or_foreign_previous_is_a_clear_error(tmp_path, content, message):
    previous = tmp_path / "previous.json"
    previous.write_text(content)
    result = main_in_process("--check-against", str(previous), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in result.stderr
    assert not (tmp_path / "out").exists()


def test_empty_out_says_the_guard_was_skipped(tmp_path):
    (tmp_path / "empty").mkdir()
    result = main_in_process("--check", "--config", str(write_config(tmp_path, BASE)), "--out", str(tmp_path / "empty"))
    assert result.returncode == 0, result.stderr
    assert f"no previous synthesis at {tmp_path / 'empty' / STACK_JSON}: change guard skipped" in result.stderr


def test_helm_uninstall_refused_through_main_then_allowed(tmp_path):
    out = tmp_path / "out"
    assert main_in_process("--config", str(write_config(tmp_path, BASE)), "--out", str(out)).returncode == 0
    before = (out / STACK_JSON).read_bytes()
    off = write_config(tmp_path, changed(hyperpod_install_helm_dependencies=False))
    refused = main_in_process("--config", str(off), "--out", str(out))
    assert refused.returncode == 3 and "would be uninstalled" in refused.stderr
    assert (out / STACK_JSON).read_bytes() == before
    allowed = main_in_process("--config", str(off), "--out", str(out), "--allow-replace")
    assert allowed.returncode == 0, allowed.stderr
    assert "helm_release" not in json.loads((out / STACK_JSON).read_text())["resource"]


def _mutated(document: dict, change) -> str:
    document = copy.deepcopy(document)
    change(document)
    return json.dumps(document)


def _cluster(document: dict) -> dict:
    return next(iter(document["resource"]["awscc_sagemaker_cluster"].values()))


MALFORMED = [
    ("resource a list", lambda d: d.update(resource=[]), "malformed at resource: input should be a valid dictionary"),
    ("instance_groups a string", lambda d: _cluster(d).update(instance_groups="gpu"),
     "instance_groups: input should be a valid list"),
    ("group name a number", lambda d: _cluster(d)["instance_groups"][0].update(instance_group_name=7),
     "instance_groups[0].instance_group_name: input should be a valid string, got 7"),
    ("cluster a list", lambda d: d["resource"].update(awscc_sagemaker_cluster=[1]),
     "malformed at resource.awscc_sagemaker_cluster: input should be a valid dictionary"),
    ("another resource type a string", lambda d: d["resource"].update(aws_s3_bucket="x"),
     "malformed at resource.aws_s3_bucket: input should be a valid dictionary"),
    ("subnets a number", lambda d: _cluster(d)["vpc_config"].update(subnets=3), "vpc_config.subnets"),
    ("provider a dict", lambda d: d["provider"].update(aws={"region": "x"}),
     "malformed at provider.aws: input should be a valid list"),
    ("region a number", lambda d: d["provider"]["aws"][0].update(region=1), "provider.aws[0].region"),
    ("data a list", lambda d: d.update(data=[]), "malformed at data: input should be a valid dictionary"),
    ("helm values a string", lambda d: next(iter(d["resource"]["helm_release"].values())).update(values="x"),
     "values: input should be a valid list"),
    ("no stack name", lambda d: d["//"].update(metadata={}), "malformed at //.metadata.stackName: field required"),
    ("another stack", lambda d: d["//"]["metadata"].update(stackName="network"),
     "a synthesis of stack 'network', not of this app's stack 'hyperpod'"),
    ("another app's stack also named hyperpod", lambda d: d["provider"]["aws"][0].pop("default_tags"),
     "stack 'hyperpod' of another app (its aws provider has no 'managed-by' default tag"),
]


@pytest.mark.parametrize("name,change,message", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_previous_is_one_line_exit_two(synth_json, tmp_path, name, change, message):
    previous = tmp_path / "previous.json"
    previous.write_text(_mutated(synth_json(BASE), change))
    result = main_in_process("--check", "--config", str(write_config(tmp_path, BASE)), "--check-against", str(previous))
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: {previous}: ") and message in result.stderr


@pytest.mark.parametrize("content,message", [
    (b'{"terraform": "\xff\xfe"}', "the previous synthesis is not UTF-8 text"),
    (b"[" * 100_000 + b"]" * 100_000, "the previous synthesis is nested too deeply"),
    (b'{"terraform": {}, "//": {"metadata": {"stackName": "hyperpod"}}, "x": ' + b"9" * 5000 + b"}",
     "the previous synthesis holds a number of more than"),
    (b"", "the previous synthesis is not valid JSON"),
], ids=["not utf-8", "deep nesting", "huge integer", "empty"])
def test_unreadable_previous_is_one_line_exit_two(tmp_path, content, message):
    previous = tmp_path / "previous.json"
    previous.write_bytes(content)
    result = main_in_process("--check", "--config", str(write_config(tmp_path, BASE)), "--check-against", str(previous))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and message in result.stderr


def test_malformed_previous_in_out_stops_a_synthesis(synth_json, tmp_path):
    out = tmp_path / "out"
    (out / STACK_JSON).parent.mkdir(parents=True)
    (out / STACK_JSON).write_text(_mutated(synth_json(BASE), lambda d: _cluster(d).update(instance_groups="gpu")))
    result = main_in_process("--config", str(write_config(tmp_path, BASE)), "--out", str(out))
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "instance_groups: input should be a valid list" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json", "out"]


@pytest.mark.parametrize("chart", [{"release_name": "hyperpod-deps-v2"}, {"namespace": "hyperpod-system"}])
def test_moving_the_chart_release_is_refused(synth_json, chart):
    """A new release name or namespace is an uninstall (with the aws-hyperpod namespace) and a reinstall."""
    changes = [str(c) for c in dangerous_changes(synth_json(BASE), synth_json(changed(hyperpod_helm_chart=chart)))]
    assert len(changes) == 1, changes
    key, value = next(iter(chart.items()))
    field = "name" if key == "release_name" else "namespace"
    assert f"the HyperPod chart's Helm release would be replaced ({field} " in changes[0]
    assert f"-> {value!r}" in changes[0] and "aws-hyperpod namespace" in changes[0]


def test_the_same_release_with_new_values_is_not_a_move(synth_json):
    assert dangerous_changes(synth_json(BASE), synth_json(changed(hyperpod_enable_training_operator=True))) == []
