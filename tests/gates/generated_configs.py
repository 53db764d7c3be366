"""Configs that sweep the options the gates care about: 1-20 instance groups, every option on and off.

Each option value appears in at least one config, and the two extremes of every numeric limit the schema gate checks
(EBS 1 and 16384 GB, threads per core 1 and 2, 0 instances) are synthesized, not just validated.
"""
from __future__ import annotations

INSTANCE_TYPES = ["ml.g5.48xlarge", "ml.p5.48xlarge", "ml.trn1.32xlarge", "ml.c5.2xlarge", "ml.m5.4xlarge",
                  "ml.p4d.24xlarge", "ml.g6e.12xlarge"]
CPU_TYPES = {"ml.c5.2xlarge", "ml.m5.4xlarge"}
HEALTH_CHECK_CHOICES = [["InstanceStress", "InstanceConnectivity"], ["InstanceStress"], ["InstanceConnectivity"], []]


def instance_groups(count: int) -> list[dict]:
    groups = []
    for index in range(count):
        instance_type = INSTANCE_TYPES[index % len(INSTANCE_TYPES)]
        group = {"name": f"group-{index:02d}", "instance_type": instance_type, "instance_count": index % 5,
                 "threads_per_core": 1 + index % 2}
        if index % 3 == 0:
            group["ebs_volume_gb"] = (1, 16384, 750)[(index // 3) % 3]
        checks = [] if instance_type in CPU_TYPES else HEALTH_CHECK_CHOICES[index % len(HEALTH_CHECK_CHOICES)]
        if "InstanceConnectivity" in checks:
            group["instance_count"] = 2 + index % 3
        if checks or index % 2:
            group["deep_health_checks"] = checks
        groups.append(group)
    return groups


def base(groups: int, **options) -> dict:
    config = {"region": "us-west-2", "eks_cluster_name": "ml-platform", "hyperpod_enabled": True,
              "hyperpod_cluster_name": f"gates-{groups}-groups", "hyperpod_instance_groups": instance_groups(groups)}
    config.update(options)
    return config


GENERATED = {
    "1-group-defaults": base(1),
    "20-groups-every-option-on": base(
        20, hyperpod_node_recovery="None", hyperpod_install_helm_dependencies=True,
        hyperpod_enable_training_operator=True, hyperpod_subnet_ids=["subnet-0a1b2c3d", "subnet-0e1f2a3b"],
        hyperpod_security_group_ids=["sg-0a1b2c3d4e5f60718", "sg-0123456789abcdef0"],
        hyperpod_create_security_group=True, lifecycle_scripts_bucket_name="sagemaker-gates-lifecycle-scripts",
        hyperpod_prevent_destroy=True, tags={"team": "ml", "cost-center": "1234"}),
    "7-groups-every-option-off": base(
        7, hyperpod_node_recovery="Automatic", hyperpod_install_helm_dependencies=False,
        hyperpod_enable_training_operator=False, hyperpod_security_group_ids=["sg-0a1b2c3d4e5f60718"],
        hyperpod_create_security_group=False, hyperpod_prevent_destroy=False),
    "2-groups-chart-from-repository": base(
        2, hyperpod_helm_chart={"repository": "oci://registry.example.com/charts", "version": "1.2.3"}),
    "3-groups-chart-from-local-path": base(
        3, hyperpod_helm_chart={"local_path": "./vendor/HyperPodHelmChart", "release_name": "hp-deps"}),
    "4-groups-capacity-api": base(
        4, hyperpod_autoscaling={"enabled": True, "instance_groups": ["group-03"],
                                 "cluster_role_arn": "arn:aws:iam::123456789012:role/hyperpod-autoscaler"},
        hyperpod_tiered_storage={"enabled": False}, hyperpod_instance_groups=[
            {"name": "group-00", "instance_type": "ml.g5.48xlarge", "instance_count": 2, "min_instance_count": 2,
             "labels": {}, "taints": [], "capacity_type": "spot", "subnet_ids": ["subnet-0a1b2c3d"],
             "security_group_ids": ["sg-0a1b2c3d4e5f60718"], "image_id": "ami-0123456789abcdef0",
             "scheduled_update": {"schedule_expression": "cron(30 1 1 * ? *)", "batch_type": "INSTANCE_COUNT",
                                  "batch_size": 1, "wait_interval_seconds": 3600}},
            {"name": "group-01", "instance_type": "ml.p5.48xlarge", "instance_count": 0,
             "training_plan_arn": "arn:aws:sagemaker:us-west-2:123456789012:training-plan/plan-1",
             "ebs_kms_key_id": "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
            {"name": "group-02", "instance_type": "ml.trn1.32xlarge", "instance_count": 1,
             "taints": [{"key": "aws.amazon.com/neuron", "effect": "NoExecute"}]},
            {"name": "group-03", "instance_type": "ml.c5.2xlarge", "instance_count": 0},
        ]),
}

DISABLED = {"region": "us-west-2", "eks_cluster_name": "ml-platform", "hyperpod_enabled": False}
