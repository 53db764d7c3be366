"""Every capacity rule (hyperpod/config/capacity.py): one input that passes, one that fails with its path, the value
and what is allowed."""

from __future__ import annotations

import pytest

from hyperpod.config import parse_config
from tests.conftest import minimal_config
from tests.core.test_config import assert_problem, errors_of

KEY = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PLAN = "arn:aws:sagemaker:us-west-2:123456789012:training-plan/p5-reserved"


def group(**overrides) -> dict:
    base = {"name": "gpu", "instance_type": "ml.g5.48xlarge", "instance_count": 2}
    base.update(overrides)
    return base


def cpu(**overrides) -> dict:
    return group(**{"name": "cpu", "instance_type": "ml.c5.2xlarge", "instance_count": 0, **overrides})


def with_groups(*groups, **top) -> dict:
    return minimal_config(hyperpod_instance_groups=list(groups), **top)


def update(**overrides) -> dict:
    base = {"schedule_expression": "cron(0 3 ? * SUN *)", "batch_size": 25}
    base.update(overrides)
    return base


SCALING = {"enabled": True, "instance_groups": ["cpu"]}

# (description, config that passes, config that fails, path, fragments of the message)
RULES = [
    ("at most 50 labels",
     with_groups(group(labels={f"team-{i}": "x" for i in range(50)})),
     with_groups(group(labels={f"team-{i}": "x" for i in range(51)})),
     "hyperpod_instance_groups[0].labels", ["got 51", "at most 50"]),
    ("at most 50 taints",
     with_groups(group(taints=[{"key": f"k{i}", "effect": "NoSchedule"} for i in range(50)])),
     with_groups(group(taints=[{"key": f"k{i}", "effect": "NoSchedule"} for i in range(51)])),
     "hyperpod_instance_groups[0].taints", ["at most 50"]),
    ("label key is a qualified name",
     with_groups(group(labels={"example.com/team": "ml"})),
     with_groups(group(labels={"Example.com/team": "ml"})),
     "hyperpod_instance_groups[0].labels", ['"Example.com/team"', "qualified name", "at most 253"]),
    ("label name at most 63 characters",
     with_groups(group(labels={"a" * 63: "x"})),
     with_groups(group(labels={"a" * 64: "x"})),
     "hyperpod_instance_groups[0].labels", ["1-63 letters"]),
    ("label value at most 63 characters",
     with_groups(group(labels={"team": "v" * 63})),
     with_groups(group(labels={"team": "v" * 64})),
     "hyperpod_instance_groups[0].labels", ['label "team" has value', "1-63 letters"]),
    ("label value syntax",
     with_groups(group(labels={"team": "ml-platform_1.0"})),
     with_groups(group(labels={"team": "-ml"})),
     "hyperpod_instance_groups[0].labels", ['"-ml"', "starting and ending with a letter or digit"]),
    ("label value not empty (ClusterKubernetesLabelValue: 1-63 characters)",
     with_groups(group(labels={"team": "a"})),
     with_groups(group(labels={"team": ""})),
     "hyperpod_instance_groups[0].labels", ['label "team" has value ""', "1-63 letters", "(not empty)"]),
    ("taint value not empty (ClusterKubernetesTaintValue: 1-63 characters)",
     with_groups(group(taints=[{"key": "gpu", "value": "t", "effect": "NoSchedule"}])),
     with_groups(group(taints=[{"key": "gpu", "value": "", "effect": "NoSchedule"}])),
     "hyperpod_instance_groups[0].taints[0].value", ['got ""', "1-63 letters", "(not empty)"]),
    ("taint value at most 63 characters",
     with_groups(group(taints=[{"key": "gpu", "value": "v" * 63, "effect": "NoSchedule"}])),
     with_groups(group(taints=[{"key": "gpu", "value": "v" * 64, "effect": "NoSchedule"}])),
     "hyperpod_instance_groups[0].taints[0].value", ["at most 63"]),
    ("reserved label prefix sagemaker.amazonaws.com",
     with_groups(group(labels={"ml.example.com/health": "ok"})),
     with_groups(group(labels={"sagemaker.amazonaws.com/node-health-status": "Schedulable"})),
     "hyperpod_instance_groups[0].labels", ["reserved prefix sagemaker.amazonaws.com/"]),
    ("reserved label prefix: subdomains of kubernetes.io",
     with_groups(group(labels={"kubernetes.example.com/x": "y"})),
     with_groups(group(labels={"node.kubernetes.io/instance-type": "ml.g5.48xlarge"})),
     "hyperpod_instance_groups[0].labels", ["reserved prefix kubernetes.io/"]),
    ("reserved taint prefix k8s.io",
     with_groups(group(taints=[{"key": "gpu", "effect": "NoSchedule"}])),
     with_groups(group(taints=[{"key": "k8s.io/gpu", "effect": "NoSchedule"}])),
     "hyperpod_instance_groups[0].taints[0].key", ["taint key", "reserved prefix k8s.io/"]),
    ("taint effect enum",
     with_groups(group(taints=[{"key": "gpu", "value": "true", "effect": "NoExecute"}])),
     with_groups(group(taints=[{"key": "gpu", "effect": "NoRun"}])),
     "hyperpod_instance_groups[0].taints[0].effect", ['got "NoRun"', "'NoSchedule', 'PreferNoSchedule' or "
                                                                     "'NoExecute'"]),
    ("taint key and effect once",
     with_groups(group(taints=[{"key": "gpu", "effect": "NoSchedule"}, {"key": "gpu", "effect": "NoExecute"}])),
     with_groups(group(taints=[{"key": "gpu", "effect": "NoSchedule"}, {"key": "gpu", "effect": "NoSchedule"}])),
     "hyperpod_instance_groups[0].taints", ["gpu:NoSchedule more than once"]),
    ("training plan ARN",
     with_groups(group(training_plan_arn=PLAN)),
     with_groups(group(training_plan_arn="arn:aws:sagemaker:us-west-2:123456789012:training-job/p5")),
     "hyperpod_instance_groups[0].training_plan_arn", ['training-job/p5"', "a SageMaker training plan ARN"]),
    ("image id",
     with_groups(group(image_id="ami-0123456789abcdef0")),
     with_groups(group(image_id="ubuntu-22.04")),
     "hyperpod_instance_groups[0].image_id", ['got "ubuntu-22.04"', '"default" or an AMI id']),
    ("capacity type enum",
     with_groups(group(capacity_type="on-demand")),
     with_groups(group(capacity_type="reserved")),
     "hyperpod_instance_groups[0].capacity_type", ['got "reserved"', "'on-demand' or 'spot'"]),
    ("spot needs continuous provisioning",
     with_groups(group(capacity_type="spot")),
     with_groups(group(capacity_type="spot"), hyperpod_node_provisioning_mode=None),
     "hyperpod_instance_groups[0].capacity_type", ["hyperpod_node_provisioning_mode null",
                                                   'only with hyperpod_node_provisioning_mode "Continuous"']),
    ("min_instance_count at most instance_count",
     with_groups(group(instance_count=4, min_instance_count=4)),
     with_groups(group(instance_count=4, min_instance_count=5)),
     "hyperpod_instance_groups[0].min_instance_count", ["got 5 with instance_count 4", "at most instance_count"]),
    ("subnet ids",
     with_groups(group(subnet_ids=["subnet-0a1b2c3d"])),
     with_groups(group(subnet_ids=["subnet-xyz"])),
     "hyperpod_instance_groups[0].subnet_ids[0]", ['got "subnet-xyz"', "a subnet id"]),
    ("KMS key is a key ARN",
     with_groups(group(ebs_kms_key_id=KEY)),
     with_groups(group(ebs_kms_key_id="alias/hyperpod")),
     "hyperpod_instance_groups[0].ebs_kms_key_id", ['got "alias/hyperpod"', "a KMS key ARN", "not an alias"]),
    ("customer managed key needs continuous provisioning",
     with_groups(group(ebs_kms_key_id=KEY), hyperpod_node_provisioning_mode="Continuous"),
     with_groups(group(ebs_kms_key_id=KEY), hyperpod_node_provisioning_mode=None),
     "hyperpod_instance_groups[0].ebs_kms_key_id", ['only with hyperpod_node_provisioning_mode "Continuous"']),
    ("provisioning mode enum",
     with_groups(group(), hyperpod_node_provisioning_mode=None),
     with_groups(group(), hyperpod_node_provisioning_mode="Standard"),
     "hyperpod_node_provisioning_mode", ['got "Standard"', "'Continuous'"]),
    ("batch size at least 1",
     with_groups(group(scheduled_update=update(batch_size=1))),
     with_groups(group(scheduled_update=update(batch_size=0))),
     "hyperpod_instance_groups[0].scheduled_update.batch_size", ["got 0", "at least 1"]),
    ("percentage batch at most 100",
     with_groups(group(scheduled_update=update(batch_type="INSTANCE_COUNT", batch_size=150))),
     with_groups(group(scheduled_update=update(batch_type="CAPACITY_PERCENTAGE", batch_size=150))),
     "hyperpod_instance_groups[0].scheduled_update.batch_size", ["got 150 with batch_type CAPACITY_PERCENTAGE",
                                                                 "a percentage of 1-100"]),
    ("batch type enum",
     with_groups(group(scheduled_update=update(batch_type="INSTANCE_COUNT"))),
     with_groups(group(scheduled_update=update(batch_type="PERCENT"))),
     "hyperpod_instance_groups[0].scheduled_update.batch_type", ['got "PERCENT"', "'INSTANCE_COUNT' or "
                                                                                  "'CAPACITY_PERCENTAGE'"]),
    ("wait interval at most 3600 s",
     with_groups(group(scheduled_update=update(wait_interval_seconds=3600))),
     with_groups(group(scheduled_update=update(wait_interval_seconds=3601))),
     "hyperpod_instance_groups[0].scheduled_update.wait_interval_seconds", ["got 3601", "at most 3600"]),
    ("wait interval at least 0 s",
     with_groups(group(scheduled_update=update(wait_interval_seconds=0))),
     with_groups(group(scheduled_update=update(wait_interval_seconds=-1))),
     "hyperpod_instance_groups[0].scheduled_update.wait_interval_seconds", ["got -1", "at least 0"]),
    ("cron schedule expression",
     with_groups(group(scheduled_update=update(schedule_expression="cron(30 2 1 * ? *)"))),
     with_groups(group(scheduled_update=update(schedule_expression="rate(7 days)"))),
     "hyperpod_instance_groups[0].scheduled_update.schedule_expression", ['got "rate(7 days)"',
                                                                          "a cron expression", "not rate()"]),
    ("rollback alarm names",
     with_groups(group(scheduled_update=update(rollback_alarms=["gpu-errors"]))),
     with_groups(group(scheduled_update=update(rollback_alarms=[""]))),
     "hyperpod_instance_groups[0].scheduled_update.rollback_alarms[0]", ['got ""', "1-255 characters"]),
    ("at most 10 rollback alarms (AutoRollbackAlarms: 1-10)",
     with_groups(group(scheduled_update=update(rollback_alarms=[f"alarm-{i}" for i in range(10)]))),
     with_groups(group(scheduled_update=update(rollback_alarms=[f"alarm-{i}" for i in range(11)]))),
     "hyperpod_instance_groups[0].scheduled_update.rollback_alarms", ["got 11 items", "at most 10"]),
    ("tiered storage percentage 0-100",
     minimal_config(hyperpod_tiered_storage={"enabled": True, "instance_memory_allocation_percentage": 100}),
     minimal_config(hyperpod_tiered_storage={"enabled": True, "instance_memory_allocation_percentage": 101}),
     "hyperpod_tiered_storage.instance_memory_allocation_percentage", ["got 101", "at most 100"]),
    ("autoscaling needs continuous provisioning",
     with_groups(group(), cpu(), hyperpod_autoscaling=SCALING),
     with_groups(group(), cpu(), hyperpod_autoscaling=SCALING, hyperpod_node_provisioning_mode=None),
     "hyperpod_autoscaling.enabled", ['only with hyperpod_node_provisioning_mode "Continuous"']),
    ("autoscaling needs automatic node recovery",
     with_groups(group(), cpu(), hyperpod_autoscaling=SCALING, hyperpod_node_recovery="Automatic"),
     with_groups(group(), cpu(), hyperpod_autoscaling=SCALING, hyperpod_node_recovery="None"),
     "hyperpod_autoscaling.enabled", ['hyperpod_node_recovery "None"', 'only with hyperpod_node_recovery '
                                                                       '"Automatic"']),
    ("autoscaling names at least one group",
     with_groups(group(), cpu(), hyperpod_autoscaling=SCALING),
     with_groups(group(), cpu(), hyperpod_autoscaling={"enabled": True}),
     "hyperpod_autoscaling.instance_groups", ["got []", "the names of 1-10 instance groups"]),
    ("autoscaled groups exist",
     with_groups(group(), cpu(), hyperpod_autoscaling=SCALING),
     with_groups(group(), cpu(), hyperpod_autoscaling={"enabled": True, "instance_groups": ["cpus"]}),
     "hyperpod_autoscaling.instance_groups[0]", ['got "cpus"', "the name of an instance group (cpu, gpu)"]),
    ("autoscaled groups run no deep health checks",
     with_groups(group(), cpu(), hyperpod_autoscaling=SCALING),
     with_groups(group(deep_health_checks=["InstanceStress"]), cpu(),
                 hyperpod_autoscaling={"enabled": True, "instance_groups": ["gpu"]}),
     "hyperpod_autoscaling.instance_groups[0]", ['group "gpu" runs deep health checks']),
    ("autoscaled groups use no training plan (spot is allowed)",
     with_groups(group(training_plan_arn=PLAN), cpu(capacity_type="spot"), hyperpod_autoscaling=SCALING),
     with_groups(group(), cpu(training_plan_arn=PLAN), hyperpod_autoscaling=SCALING),
     "hyperpod_autoscaling.instance_groups[0]", ['group "cpu" uses a training plan',
                                                 "on-demand or spot capacity"]),
    ("autoscaling at most 10 groups",
     with_groups(*[cpu(name=f"cpu-{i}") for i in range(10)],
                 hyperpod_autoscaling={"enabled": True, "instance_groups": [f"cpu-{i}" for i in range(10)]}),
     with_groups(*[cpu(name=f"cpu-{i}") for i in range(11)],
                 hyperpod_autoscaling={"enabled": True, "instance_groups": [f"cpu-{i}" for i in range(11)]}),
     "hyperpod_autoscaling.instance_groups", ["got 11 items", "at most 10"]),
    ("cluster role ARN",
     with_groups(group(), cpu(), hyperpod_autoscaling={**SCALING, "cluster_role_arn":
                                                       "arn:aws:iam::123456789012:role/hyperpod-autoscaler"}),
     with_groups(group(), cpu(), hyperpod_autoscaling={**SCALING, "cluster_role_arn": "hyperpod-autoscaler"}),
     "hyperpod_autoscaling.cluster_role_arn", ['got "hyperpod-autoscaler"', "an IAM role ARN"]),
]


@pytest.mark.parametrize("description, passing, failing, path, fragments", RULES, ids=[r[0] for r in RULES])
def test_rule(description, passing, failing, path, fragments):
    parse_config(passing)
    assert_problem(failing, path, *fragments)


def test_cross_field_rules_reported_next_to_field_errors():
    """pydantic skips after-validators once a field fails: the capacity rules still run on the raw data."""
    messages = errors_of(with_groups(group(instance_count=2, min_instance_count=3, image_id="bad"),
                                     hyperpod_autoscaling={"enabled": True, "instance_groups": ["gpu"]},
                                     hyperpod_node_recovery="None"))
    assert any("image_id" in m for m in messages)
    assert any("min_instance_count: got 3 with instance_count 2" in m for m in messages)
    assert any('hyperpod_node_recovery "None"' in m for m in messages)


def test_provisioning_mode_defaults_to_continuous():
    config, _ = parse_config(minimal_config())
    assert config.hyperpod_node_provisioning_mode == "Continuous"
    assert "hyperpod_node_provisioning_mode" not in config.model_fields_set
