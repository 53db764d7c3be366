"""The one configuration model: tfvars-style JSON in, a validated `HyperPodConfig` out.

Every key, its type, default and meaning is declared here once; the README's configuration table is generated from
these declarations (and a test keeps it in sync). `main.py` and every construct use this same model, so the rules are
identical whether the config comes from a file or from another CDKTF app.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from hyperpod import instance_types
from hyperpod.config_errors import ConfigError, Problem, problems_from_pydantic, value_repr

# Values from other stacks arrive as unresolved CDKTF tokens ("${TfToken[TOKEN.12]}"): checks skip them.
_TOKEN = re.compile(r"\$\{TfToken\[|\$\{|#\{")

# AWS CreateCluster: ClusterName and InstanceGroupName share this pattern, 1-63 characters.
_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")
_SUBNET = re.compile(r"^subnet-[0-9a-f]{8,17}$")
_SECURITY_GROUP = re.compile(r"^sg-[0-9a-f]{8,17}$")
_BUCKET = re.compile(r"^sagemaker-[a-z0-9][a-z0-9.-]{0,51}[a-z0-9]$")
_GIT_SHA = re.compile(r"^[0-9a-f]{40}$")

DEEP_HEALTH_CHECKS = ("InstanceStress", "InstanceConnectivity")
MAX_INSTANCE_GROUPS = 100  # CreateCluster: InstanceGroups has at most 100 members
MAX_INSTANCE_COUNT = 6758  # CreateCluster: InstanceCount maximum


def is_token(value: object) -> bool:
    return isinstance(value, str) and bool(_TOKEN.search(value))


def _matching(pattern: re.Pattern[str], allowed: str):
    def check(value: str) -> str:
        if not is_token(value) and not pattern.match(value):
            raise ValueError(f"got {value_repr(value)}; allowed: {allowed}")
        return value

    return AfterValidator(check)


def _known_instance_type(value: str) -> str:
    if instance_types.lookup(value) is None:
        raise ValueError(
            f"got {value_repr(value)}; allowed: an instance type HyperPod offers, such as ml.p5.48xlarge, "
            "ml.g5.48xlarge or ml.trn1.32xlarge (the README lists them all; the ml. prefix is optional)"
        )
    return instance_types.normalize(value)


ResourceName = Annotated[str, _matching(_NAME, "1-63 letters, digits and hyphens, starting and ending with a letter "
                                               "or digit (AWS pattern ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$)")]
SubnetId = Annotated[str, _matching(_SUBNET, "a subnet id like subnet-0123456789abcdef0")]
SecurityGroupId = Annotated[str, _matching(_SECURITY_GROUP, "a security group id like sg-0123456789abcdef0")]
DeepHealthCheck = Literal["InstanceStress", "InstanceConnectivity"]


class _Strict(BaseModel):
    # strict: "4" is not 4 and "no" is not False; forbid: a typo'd key is an error, not silently ignored.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class InstanceGroup(_Strict):
    """One HyperPod instance group: identical instances that join the EKS cluster as nodes."""

    name: ResourceName = Field(description="Instance group name, unique in the cluster. Cannot change in place.")
    instance_type: Annotated[str, AfterValidator(_known_instance_type)] = Field(
        description="HyperPod instance type, with or without the `ml.` prefix (the output always carries it). "
                    "Cannot change in place.")
    instance_count: int = Field(ge=0, le=MAX_INSTANCE_COUNT, description="Number of instances (0 keeps the group "
                                                                         "with no nodes).")
    ebs_volume_gb: int = Field(500, ge=1, le=16384, description="Size of the secondary EBS volume mounted at "
                                                                "/opt/sagemaker (containerd and kubelet data).")
    deep_health_checks: list[DeepHealthCheck] = Field(
        default_factory=list, description="Deep health checks run on every new instance before it takes work: "
                                          "`InstanceStress`, `InstanceConnectivity` (GPU and Trainium types only).")
    threads_per_core: Literal[1, 2] = Field(1, description="1 disables hyperthreading, 2 enables it. Cannot change "
                                                           "in place.")


class HelmChartSource(_Strict):
    """Where the HyperPod Helm chart comes from. Synthesis never fetches it; `terraform plan` does."""

    git_repository: str = Field("https://github.com/aws/sagemaker-hyperpod-cli.git",
                                description="Git repository holding the chart.")
    git_revision: str = Field("011ca927123e02b35a399935bbb3ab1905fe33c7",
                              description="Full commit SHA of that repository (never a branch: branches move).")
    chart_path: str = Field("helm_chart/HyperPodHelmChart", description="Chart folder inside the repository.")
    local_path: str | None = Field(None, description="A prepared chart folder (dependencies already updated) to use "
                                                     "instead of git, e.g. in an air-gapped pipeline.")
    repository: str | None = Field(None, description="A chart repository mirroring the chart (https:// or oci://) "
                                                     "to use instead of git.")
    version: str | None = Field(None, description="Chart version in `repository` (required with it).")
    release_name: str = Field("hyperpod-dependencies", description="Helm release name.")
    namespace: str = Field("kube-system", description="Namespace of the Helm release (the chart itself puts its "
                                                      "agents in aws-hyperpod).")

    @model_validator(mode="after")
    def _one_source(self) -> HelmChartSource:
        problems = helm_chart_problems(self.model_dump(), "hyperpod_helm_chart")
        if problems:
            raise ConfigError(problems)
        return self


class HyperPodConfig(_Strict):
    """A HyperPod cluster on an existing EKS cluster (the keys of the HyperPod Terraform module, and a few more)."""

    region: Annotated[str, _matching(_REGION, "an AWS region such as us-west-2")] | None = Field(
        None, description="AWS region. Default: the region of the AWS environment (AWS_REGION or profile).")
    eks_cluster_name: str = Field(min_length=1, max_length=100, description="Name of the existing EKS cluster "
                                                                            "HyperPod joins.")
    hyperpod_enabled: bool = Field(False, description="Create HyperPod. `false` synthesizes a stack with no HyperPod "
                                                      "resources at all.")
    hyperpod_cluster_name: ResourceName | None = Field(None, description="HyperPod cluster name (required when "
                                                                         "enabled). Changing it replaces the cluster.")
    hyperpod_instance_groups: list[InstanceGroup] = Field(
        default_factory=list, max_length=MAX_INSTANCE_GROUPS,
        description="Instance groups, in order (at least one when enabled).")
    hyperpod_node_recovery: Literal["Automatic", "None"] = Field(
        "Automatic", description="`Automatic` replaces or reboots faulty nodes; `None` leaves them to you.")
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
        default_factory=list, max_length=4,
        description="Extra security groups for the instances, next to the EKS cluster security group.")
    hyperpod_create_security_group: bool = Field(
        True, description="Create a security group allowing all traffic between HyperPod instances (EFA/NCCL "
                          "need it).")
    lifecycle_scripts_bucket_name: Annotated[str, _matching(_BUCKET, "an S3 bucket name starting with sagemaker- "
                                                                     "(lowercase, 12-63 characters)")] | None = Field(
        None, description="Name of the lifecycle scripts bucket. Default: a generated name starting with "
                          "`sagemaker-` (HyperPod's instance role can only read sagemaker-* buckets).")
    hyperpod_prevent_destroy: bool = Field(
        True, description="Terraform refuses to destroy the cluster and the lifecycle bucket "
                          "(`lifecycle.prevent_destroy`). Set false to tear down.")
    tags: dict[str, str] = Field(default_factory=dict, description="Extra tags on every resource.")

    @model_validator(mode="after")
    def _cross_field(self) -> HyperPodConfig:
        # Runs for configs built in Python; `parse_config` runs the same function itself when field errors exist,
        # because pydantic skips this validator whenever any field failed.
        problems = [p for p in cross_field_problems(self.model_dump()) if p.severity == "error"]
        if problems:
            raise ConfigError(problems)
        return self


def helm_chart_problems(chart: dict, path: str) -> list[Problem]:
    problems = []
    if chart.get("local_path") and chart.get("repository"):
        problems.append(Problem(f"{path}.repository", f"got {value_repr(chart['repository'])} together with "
                                "local_path; allowed: one source, local_path or repository (or neither for git)"))
    if chart.get("repository") and not chart.get("version"):
        problems.append(Problem(f"{path}.version", "required with repository; allowed: the chart version to install"))
    revision = chart.get("git_revision")
    if isinstance(revision, str) and not _GIT_SHA.match(revision):
        problems.append(Problem(f"{path}.git_revision", f"got {value_repr(revision)}; allowed: a full 40-character "
                                "commit SHA (branches and tags move, so a deploy would not be repeatable)"))
    return problems


def cross_field_problems(raw: dict) -> list[Problem]:
    """Rules that span fields. Works on raw (possibly invalid) data so it can run next to field errors."""
    problems: list[Problem] = []
    enabled = raw.get("hyperpod_enabled") is True
    groups = raw.get("hyperpod_instance_groups")
    if enabled and raw.get("hyperpod_cluster_name") is None:
        problems.append(Problem("hyperpod_cluster_name", "required when hyperpod_enabled is true; allowed: a "
                                                         "cluster name such as my-hyperpod-cluster"))
    if enabled and groups == []:
        problems.append(Problem("hyperpod_instance_groups", "got []; allowed: at least one instance group when "
                                                            "hyperpod_enabled is true"))
    if not isinstance(groups, list):
        return problems

    seen: dict[str, int] = {}
    for index, group in enumerate(groups):
        if not isinstance(group, dict):
            continue
        where = f"hyperpod_instance_groups[{index}]"
        name = group.get("name")
        if isinstance(name, str):
            if name in seen:
                problems.append(Problem(f"{where}.name", f"got {value_repr(name)}, already the name of "
                                        f"hyperpod_instance_groups[{seen[name]}]; allowed: a name unique in the "
                                        "cluster"))
            seen.setdefault(name, index)
        checks = group.get("deep_health_checks")
        kind = instance_types.lookup(group["instance_type"]) if isinstance(group.get("instance_type"), str) else None
        if not (isinstance(checks, list) and checks):
            continue
        if kind is not None and not kind.takes_deep_health_checks:
            problems.append(Problem(f"{where}.deep_health_checks", f"got {value_repr(checks)} on {kind.name}, which "
                                    "has no GPU or Trainium; allowed: [] (deep health checks run on GPU and Trainium "
                                    "instance types only)"))
        count = group.get("instance_count")
        if "InstanceConnectivity" in checks and isinstance(count, int) and count < 2:
            problems.append(Problem(f"{where}.deep_health_checks", f"InstanceConnectivity with instance_count "
                                    f"{count}: the connectivity check needs 2 or more instances and will not run",
                                    severity="warning"))
        duplicates = sorted({c for c in checks if isinstance(c, str) and checks.count(c) > 1})
        if duplicates:
            problems.append(Problem(f"{where}.deep_health_checks", f"got {value_repr(checks)}; allowed: each check "
                                    f"at most once ({', '.join(duplicates)} repeated)"))
    return problems


def parse_config(raw: object) -> tuple[HyperPodConfig, list[Problem]]:
    """Validate raw JSON data; return the config and its warnings, or raise `ConfigError` with every problem."""
    if not isinstance(raw, dict):
        raise ConfigError([Problem("(top level)", f"got a JSON {type(raw).__name__}; allowed: a JSON object of "
                                                  "configuration keys")])
    try:
        config = HyperPodConfig.model_validate(raw)
    except ValidationError as error:
        problems = problems_from_pydantic(error, HyperPodConfig)
        problems += [p for p in cross_field_problems(raw) if p not in problems]
        chart = raw.get("hyperpod_helm_chart")
        if isinstance(chart, dict):
            problems += [p for p in helm_chart_problems(chart, "hyperpod_helm_chart") if p not in problems]
        raise ConfigError(problems) from None
    except ConfigError:
        raise
    return config, [p for p in cross_field_problems(raw) if p.severity == "warning"]
