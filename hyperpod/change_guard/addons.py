"""Changes that would delete what the stack installed around the cluster and other things rely on: the add-ons every
add-on stands on (cert-manager, the EKS Pod Identity Agent) and the Amazon Managed Prometheus workspace with the
metrics history.

A resource gone from the new synthesis is destroyed by the next apply. For an EKS add-on that means EKS DeleteAddon
without `preserve` (the stack never sets it), which removes the add-on's software from the cluster (EKS API
reference, DeleteAddon). Deleting a workspace deletes the data ingested into it (Amazon Managed Service for
Prometheus user guide, "Delete an Amazon Managed Service for Prometheus workspace").
"""

from __future__ import annotations

from hyperpod.change_guard.change import DangerousChange
from hyperpod.change_guard.previous import resources_of_type

ADDON_TYPE = "aws_eks_addon"
WORKSPACE_TYPE = "aws_prometheus_workspace"
# Add-ons the stack installs for its own add-ons, which other workloads on the cluster may use too; config key and
# what stops working without it.
SHARED_ADDONS = {
    "cert-manager": ("hyperpod_addons.cert_manager.already_installed",
                     "certificates for the training operator's webhooks and for anything else on the cluster that "
                     "asks cert-manager"),
    "eks-pod-identity-agent": ("hyperpod_addons.pod_identity_agent.already_installed",
                               "AWS credentials for every pod that uses an EKS Pod Identity association (the "
                               "training operator, the observability collector, the FSx CSI driver, and any other "
                               "workload)"),
}


def addon_changes(name: str, old_document: dict, new_document: dict) -> list[DangerousChange]:
    changes = []
    new_addons = resources_of_type(new_document, ADDON_TYPE)
    for logical_id, addon in resources_of_type(old_document, ADDON_TYPE).items():
        addon_name = addon.get("addon_name")
        if logical_id in new_addons or not isinstance(addon_name, str) or addon_name not in SHARED_ADDONS:
            continue
        key, needed_for = SHARED_ADDONS[addon_name]
        changes.append(DangerousChange(
            f"cluster {name!r}: the EKS add-on {addon_name!r} the stack installed would be deleted ({key} true, or "
            "no enabled add-on needs it any more)",
            f"Terraform deletes an add-on it no longer manages, and EKS removes its software from the cluster: "
            f"gone with it are {needed_for}",
            f"if the cluster should keep it, run `terraform state rm {ADDON_TYPE}.{logical_id}` first (Terraform "
            "forgets the add-on, EKS keeps it running), then synthesize with --allow-replace"))
    new_workspaces = resources_of_type(new_document, WORKSPACE_TYPE)
    for logical_id, workspace in resources_of_type(old_document, WORKSPACE_TYPE).items():
        if logical_id in new_workspaces:
            continue
        changes.append(DangerousChange(
            f"cluster {name!r}: the Amazon Managed Prometheus workspace {workspace.get('alias')!r} the stack created "
            "would be deleted (hyperpod_addons.observability.enabled false, or prometheus_workspace_arn now names "
            "another workspace)",
            "Terraform deletes a workspace it no longer manages, and with it every metric ingested into it: the "
            "cluster's whole metrics history",
            f"to keep the workspace and its history, run `terraform state rm {WORKSPACE_TYPE}.{logical_id}` first "
            "(Terraform forgets it, the workspace stays; point hyperpod_addons.observability.prometheus_workspace_arn "
            "at it to keep writing there), then synthesize with --allow-replace"))
    return changes
