"""The one configuration model: tfvars-style JSON in, a validated `HyperPodConfig` out.

Every key, its type, default and meaning is declared in this package once; the configuration reference
(docs/configuration.md) is generated from these declarations (and a test keeps it in sync). `main.py` and every
construct use this same model, so the rules are identical whether the config comes from a file or from another CDKTF
app.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationError, ValidationInfo, model_validator

from hyperpod.config.addons import HyperPodAddons, addon_problems
from hyperpod.config.disabled_features import disabled_feature_warnings
from hyperpod.config.capacity import Autoscaling, ProvisioningMode, TieredStorage, capacity_problems
from hyperpod.config.errors import ConfigError, Problem, json_type, problems_from_pydantic, value_repr
from hyperpod.config.fields import (
    REGION,
    EksClusterName,
    LifecycleBucketName,
    ResourceName,
    SecurityGroupId,
    Strict,
    SubnetId,
    matching,
)
from hyperpod.config.fsx_lustre import FsxLustre, fsx_lustre_problems
from hyperpod.config.helm_chart import HelmChartSource, helm_chart_problems
from hyperpod.config.instance_groups import MAX_INSTANCE_GROUPS, InstanceGroup, instance_group_problems
from hyperpod.config.instance_network import group_network_problems
from hyperpod.config.karpenter import karpenter_problems
from hyperpod.config.restricted import MAX_RESTRICTED_GROUPS, RestrictedInstanceGroup, RestrictedInstanceGroupsConfig
from hyperpod.config.state import DEFAULT_STACK_NAME, StackName, StateConfig, state_problems
from hyperpod.config.surface import surface_problems
from hyperpod.config.tags import tag_problems
from hyperpod.config.tokens import LITERALS_ONLY

# SageMaker VpcConfig.SecurityGroupIds: 1-5 security groups (SageMaker API reference, VpcConfig). The instances
# always carry the EKS cluster security group, and the created instance group when hyperpod_create_security_group.
MAX_SECURITY_GROUPS = 5


class HyperPodConfig(Strict):
    """A HyperPod cluster on an existing EKS cluster (the keys of the HyperPod Terraform module, and a few more)."""

    region: Annotated[str, matching(REGION, "an AWS region such as us-west-2")] | None = Field(
        None, description="AWS region. Default: the region of the AWS environment (AWS_REGION or profile).")
    eks_cluster_name: EksClusterName = Field(description="Name of the existing EKS cluster HyperPod joins.")
    hyperpod_enabled: bool = Field(False, description="Create HyperPod. `false` synthesizes a stack with no HyperPod "
                                                      "resources at all.")
    hyperpod_cluster_name: ResourceName | None = Field(None, description="HyperPod cluster name (required when "
                                                                         "enabled). Changing it replaces the cluster.")
    hyperpod_instance_groups: list[InstanceGroup] = Field(
        default_factory=list, max_length=MAX_INSTANCE_GROUPS,
        description="Instance groups, in order (at least one when enabled).")
    hyperpod_node_recovery: Literal["Automatic", "None"] = Field(
        "Automatic", description="`Automatic` replaces or reboots faulty nodes; `None` leaves them to you.")
    hyperpod_node_provisioning_mode: ProvisioningMode | None = Field(
        "Continuous", description="`Continuous` (AWS's recommendation for new clusters: partial capacity, retries, "
                                  "concurrent scaling) or `null` for the standard mode. A deployed cluster created "
                                  "without it keeps the standard mode unless this key is set explicitly.")
    hyperpod_autoscaling: Autoscaling = Field(default_factory=Autoscaling,
                                              description="HyperPod-managed Karpenter autoscaling.")
    hyperpod_tiered_storage: TieredStorage = Field(default_factory=TieredStorage,
                                                   description="Managed tier checkpointing in instance memory.")
    hyperpod_install_helm_dependencies: bool = Field(
        True, description="Install the HyperPod Helm chart (health monitoring agent, deep health check and job "
                          "auto-restart RBAC, device plugins) before the cluster.")
    hyperpod_enable_training_operator: bool = Field(
        False, description="Install Kubeflow's training operator from the HyperPod chart. Leave off when the "
                           "cluster already runs one.")
    hyperpod_helm_chart: HelmChartSource = Field(default_factory=HelmChartSource,
                                                 description="Source and release of the HyperPod Helm chart.")
    hyperpod_subnet_ids: list[SubnetId] | None = Field(
        None, min_length=1, max_length=16,
        description="Subnets for the HyperPod instances. Default: the EKS cluster's subnets. Changing them "
                    "replaces the cluster.")
    hyperpod_security_group_ids: list[SecurityGroupId] = Field(
        default_factory=list, max_length=MAX_SECURITY_GROUPS - 1,
        description="Extra security groups for the instances, next to the EKS cluster security group (and the "
                    "created one): at most 5 security groups in all.")
    hyperpod_create_security_group: bool = Field(
        True, description="Create a security group allowing all traffic between HyperPod instances (EFA/NCCL "
                          "need it).")
    lifecycle_scripts_bucket_name: LifecycleBucketName | None = Field(
        None, description="Name of the lifecycle scripts bucket. Default: a generated name starting with "
                          "`sagemaker-` (HyperPod's instance role can only read sagemaker-* buckets).")
    hyperpod_prevent_destroy: bool = Field(
        True, description="Terraform refuses to destroy the cluster and the lifecycle bucket "
                          "(`lifecycle.prevent_destroy`). Set false to tear down.")
    tags: dict[str, str] = Field(default_factory=dict, description="Extra tags on every resource (AWS rules: keys "
                                                                   "1-128 and values 0-256 letters, digits, spaces "
                                                                   "and `_ . : / = + - @`, no `aws:` prefix, at most "
                                                                   "50 per resource with the stack's own).")
    hyperpod_addons: HyperPodAddons = Field(default_factory=HyperPodAddons,
                                            description="HyperPod's EKS add-ons (all off by default).")
    hyperpod_fsx_lustre: FsxLustre = Field(default_factory=FsxLustre,
                                           description="FSx for Lustre shared storage (off by default).")
    restricted_instance_groups: list[RestrictedInstanceGroup] = Field(
        default_factory=list, max_length=MAX_RESTRICTED_GROUPS,
        description="Restricted instance groups (Amazon Nova customization), instead of hyperpod_instance_groups.")
    restricted_instance_groups_config: RestrictedInstanceGroupsConfig | None = Field(
        None, description="The restricted groups' shared FSx for Lustre: `{shared_environment_config}`.")
    stack_name: StackName = Field(
        DEFAULT_STACK_NAME, description="Name of the CDKTF stack (`cdktf deploy <stack_name>`); unique per "
                                        "environment when one app synthesizes several configs.")
    state: StateConfig = Field(default_factory=StateConfig, description="Where Terraform keeps this stack's state.")

    @model_validator(mode="after")
    def _cross_field(self, info: ValidationInfo) -> HyperPodConfig:
        # Runs for configs built in Python; `parse_config` runs the same function itself when field errors exist,
        # because pydantic skips this validator whenever any field failed.
        problems = [p for p in cross_field_problems(self.model_dump(), info.context) if p.severity == "error"]
        if problems:
            raise ConfigError(problems)
        return self


def cross_field_problems(raw: dict, context: object = None) -> list[Problem]:
    """Rules that span fields. Works on raw (possibly invalid) data so it can run next to field errors. `context`:
    the validation context (`LITERALS_ONLY` for files)."""
    problems: list[Problem] = []
    creates_group = raw.get("hyperpod_create_security_group", True) is not False
    problems += tag_problems(raw.get("tags"), security_group=creates_group, context=context)
    extra_groups = raw.get("hyperpod_security_group_ids")
    if isinstance(extra_groups, list):
        added = ["the EKS cluster security group"] + (["the created instance group"] if creates_group else [])
        if len(extra_groups) + len(added) > MAX_SECURITY_GROUPS:
            problems.append(Problem("hyperpod_security_group_ids", f"got {len(extra_groups)} security groups; with "
                                    f"{' and '.join(added)} the instances would carry "
                                    f"{len(extra_groups) + len(added)}; "
                                    f"allowed: at most {MAX_SECURITY_GROUPS} in all, so at most "
                                    f"{MAX_SECURITY_GROUPS - len(added)} here"))
    enabled = raw.get("hyperpod_enabled") is True
    groups = raw.get("hyperpod_instance_groups")
    if enabled and raw.get("hyperpod_cluster_name") is None:
        problems.append(Problem("hyperpod_cluster_name", "required when hyperpod_enabled is true; allowed: a "
                                                         "cluster name such as my-hyperpod-cluster"))
    if enabled and groups == [] and not raw.get("restricted_instance_groups"):
        problems.append(Problem("hyperpod_instance_groups", "got []; allowed: at least one instance group when "
                                                            "hyperpod_enabled is true"))
    if isinstance(groups, list):
        problems += instance_group_problems(groups)
    problems += capacity_problems(raw) + addon_problems(raw) + fsx_lustre_problems(raw) + surface_problems(raw)
    problems += group_network_problems(raw) + karpenter_problems(raw)
    problems += state_problems(raw.get("state"))
    return problems


def parse_config(raw: object) -> tuple[HyperPodConfig, list[Problem]]:
    """Validate raw JSON data; return the config and its warnings, or raise `ConfigError` with every problem."""
    if not isinstance(raw, dict):
        raise ConfigError([Problem("(top level)", f"got {json_type(raw)}; allowed: a JSON object of configuration "
                                                  "keys")])
    try:
        # A file holds literals only: a CDKTF token typed into it must not splice another value into the stack.
        config = HyperPodConfig.model_validate(raw, context=LITERALS_ONLY)
    except ValidationError as error:
        problems = problems_from_pydantic(error, HyperPodConfig)
        problems += [p for p in cross_field_problems(raw, LITERALS_ONLY) if p not in problems]
        chart = raw.get("hyperpod_helm_chart")
        if isinstance(chart, dict):
            problems += [p for p in helm_chart_problems(chart, "hyperpod_helm_chart") if p not in problems]
        raise ConfigError(problems) from None
    except ConfigError:
        raise
    warnings = [p for p in cross_field_problems(raw, LITERALS_ONLY) if p.severity == "warning"]
    return config, warnings + disabled_feature_warnings(raw)
