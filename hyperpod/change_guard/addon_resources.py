"""Changes that replace the task governance cluster policy or delete the inference operator's IAM OIDC provider.

- awscc_sagemaker_cluster_scheduler_config: `name` and `cluster_arn` are create-only (CloudFormation
  createOnlyProperties; awscc RequiresReplace). Terraform deletes the policy and creates another: in between the
  cluster runs without its priority classes, and Kueue refuses the workloads that name one (their
  kueue.x-k8s.io/priority-class has no WorkloadPriorityClass).
- aws_iam_openid_connect_provider: an account holds one provider per issuer; every IAM role for a service account of
  the cluster trusts it, including roles this stack does not manage. Deleting it (the inference operator turned off,
  or `oidc_provider_arn` now naming one) cuts all of them off at once.
"""

from __future__ import annotations

from hyperpod.change_guard.change import DangerousChange
from hyperpod.change_guard.difference import differences
from hyperpod.change_guard.previous import resources_of_type

SCHEDULER_CONFIG_TYPE = "awscc_sagemaker_cluster_scheduler_config"
CREATE_ONLY_IN_SCHEDULER_CONFIG = ("name", "cluster_arn")
OIDC_PROVIDER_TYPE = "aws_iam_openid_connect_provider"


def addon_resource_changes(cluster: str, old_document: dict, new_document: dict) -> list[DangerousChange]:
    changes = []
    new_policies = resources_of_type(new_document, SCHEDULER_CONFIG_TYPE)
    for logical_id, old in resources_of_type(old_document, SCHEDULER_CONFIG_TYPE).items():
        new = new_policies.get(logical_id)
        if new is None:
            continue
        lines = [line for attribute in CREATE_ONLY_IN_SCHEDULER_CONFIG
                 for line in differences(old.get(attribute), new.get(attribute), attribute)]
        if lines:
            changes.append(DangerousChange(
                f"cluster {cluster!r}: the task governance cluster policy would be replaced" +
                "".join(f"\n      {line}" for line in lines),
                "name is fixed when a policy is created: Terraform deletes it and creates another, and until then "
                "the cluster has none of its priority classes, so Kueue refuses workloads that name one",
                "keep hyperpod_addons.task_governance.scheduler_config.name as deployed; to rename it, do so in a "
                "quiet window with --allow-replace"))
    new_providers = resources_of_type(new_document, OIDC_PROVIDER_TYPE)
    for logical_id in resources_of_type(old_document, OIDC_PROVIDER_TYPE):
        if logical_id not in new_providers:
            changes.append(DangerousChange(
                f"cluster {cluster!r}: the EKS cluster's IAM OIDC provider would be deleted (the inference operator "
                "turned off, or hyperpod_addons.inference_operator.oidc_provider_arn now set)",
                "every IAM role for a service account of this EKS cluster trusts that provider, roles outside this "
                "stack too: they all stop working at once",
                f"keep the provider: run `terraform state rm {OIDC_PROVIDER_TYPE}.{logical_id}` (it stays in the "
                "account, unmanaged; set oidc_provider_arn to its ARN), then synthesize with --allow-replace"))
    return changes
