"""The SageMaker HyperPod training operator add-on, its role and its standalone pod identity association.

It installs into `aws-hyperpod`, the namespace the HyperPod chart's release owns (the deep-health-check subchart
renders it): `helm uninstall` of that release, or a replacement of the release (a new name or namespace), deletes the
namespace and the operator with it. So the add-on is created after the release and the HyperPod cluster, and it is
replaced whenever the release is replaced (`replace_triggered_by` on the release id): Terraform then removes the
add-on first and reinstalls it into the new release's namespace. In-place chart upgrades keep the namespace (an
atomic rollback of an upgrade restores the previous revision, which has it too), so they leave the add-on alone.
"""

from __future__ import annotations

from typing import Sequence

from hyperpod.runtime.core import ITerraformDependable
from hyperpod.runtime.helm.release import Release
from hyperpod.runtime.constructs import Construct

from hyperpod.addons.pinned_addon import minimum_kubernetes, pinned_addon
from hyperpod.addons.pod_identity import PodIdentityRole
from hyperpod.config.addons import TRAINING_OPERATOR_MIN_KUBERNETES, TrainingOperatorAddon
from hyperpod.eks import AwsContext, EksCluster

ADDON_NAME = "amazon-sagemaker-hyperpod-training-operator"
# SageMaker AI developer guide, "Installing the training operator": the operator's controller runs as this service
# account in aws-hyperpod and needs this managed policy through EKS Pod Identity.
NAMESPACE = "aws-hyperpod"
SERVICE_ACCOUNT = "hp-training-operator-controller-manager"
MANAGED_POLICY = "AmazonSageMakerHyperPodTrainingOperatorAccess"


class TrainingOperator(Construct):
    def __init__(self, scope: Construct, id: str, *, addon: TrainingOperatorAddon, eks: EksCluster, aws: AwsContext,
                 role_name_prefix: str, chart_release: Release | None, depends_on: Sequence[ITerraformDependable]):
        super().__init__(scope, id)
        self.identity = PodIdentityRole(
            self, "identity", name_prefix=role_name_prefix, aws=aws, cluster_name=eks.name, cluster_arn=eks.arn,
            namespace=NAMESPACE, service_account=SERVICE_ACCOUNT, managed_policies=[MANAGED_POLICY],
            description="SageMaker HyperPod training operator (EKS Pod Identity, managed by CDKTF)")
        replace_with = [f"{chart_release.terraform_resource_type}.{chart_release.friendly_unique_id}.id"] \
            if chart_release is not None else []
        self.addon = pinned_addon(
            self, "addon", cluster_name=eks.name, addon_name=ADDON_NAME, version=addon.version,
            depends_on=[*depends_on, self.identity.association], replace_triggered_by=replace_with,
            preconditions=minimum_kubernetes(eks.kubernetes_version, TRAINING_OPERATOR_MIN_KUBERNETES, ADDON_NAME))
