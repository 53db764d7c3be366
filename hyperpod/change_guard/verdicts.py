"""Refuse config changes that would silently replace or break a running HyperPod cluster.

Compares a new synthesis with the previous one (both Terraform JSON, the previous one checked by
`hyperpod.change_guard.previous`). What counts as dangerous comes from the awscc_sagemaker_cluster schema
(replacement attributes for the whole cluster, create-only attributes inside a group, the provider matching groups by
list position: hashicorp/terraform-provider-awscc#3110) and from the providers' region (every resource's identity).
The rules of each area are in their own module: `helm_chart` (AWS's HyperPod chart), `shared_storage` (FSx for
Lustre, its claim and namespace), `autoscaling` (Karpenter's groups), `addons` (shared add-ons, the Prometheus
workspace). `dangerous_changes` is refused unless the user allows it; `change_warnings` is printed only.
"""

from __future__ import annotations

from hyperpod.change_guard.addons import addon_changes
from hyperpod.change_guard.autoscaling import autoscaling_changes, autoscaling_warnings
from hyperpod.change_guard.change import DangerousChange
from hyperpod.change_guard.difference import differences, resolved_differences, show
from hyperpod.change_guard.addon_resources import addon_resource_changes
from hyperpod.change_guard.helm_chart import chart_uninstall
from hyperpod.change_guard.instance_group_surface import surface_changes
from hyperpod.change_guard.previous import CLUSTER_TYPE
from hyperpod.change_guard.shared_storage import file_system_changes

REPLACES_CLUSTER = ("cluster_name", "vpc_config", "orchestrator")
CREATE_ONLY_IN_GROUP = ("instance_type", "threads_per_core", "execution_role", "override_vpc_config")

# Attributes awscc keeps as deployed when the config leaves them out (optional + computed): removing one from the
# config is a silent no-op, not a removal. What to write instead to really switch each off:
KEPT_WHEN_OMITTED = {
    "auto_scaling": "set hyperpod_autoscaling.enabled to false (sends mode Disable)",
    "tiered_storage_config": "set hyperpod_tiered_storage.enabled to false (sends mode Disable)",
    "node_provisioning_mode": "keep hyperpod_node_provisioning_mode \"Continuous\": AWS documents no way back to the "
                              "standard mode; create a new cluster for that",
}
# Per group: what stays in force, and how to really change it (the attributes are optional + computed in the awscc
# schema; ClusterInstanceGroupSpecification in the SageMaker API model for the values that clear them).
KEPT_WHEN_OMITTED_IN_GROUP = {
    "kubernetes_config": ("the deployed labels and taints stay",
                          "set the group's labels to {} and taints to [] (sent as empty sets, which clear them)"),
    # ImageId "default": the default HyperPod system image.
    "image_id": ("the group keeps running the deployed AMI",
                 "set the group's image_id to \"default\" (HyperPod's own AMI) to go back from a custom AMI"),
    # TrainingPlanArn has no value that means "none" (pattern arn:...:training-plan/...).
    "training_plan_arn": ("the group stays on the deployed training plan",
                          "the API has no value that takes a group off its training plan: add a new group without "
                          "one, move work to it, scale the old group's instance_count to 0, then remove it"),
    # ScheduledUpdateConfig requires a ScheduleExpression and has no off switch.
    "scheduled_update_config": ("the deployed update schedule stays in force",
                                "keep scheduled_update; the API has no off switch for it: to stop the updates, set "
                                "its schedule_expression to a single date years ahead, e.g. cron(0 3 1 1 ? 2099)"),
}
# The EBS volume's customer managed key cannot change (HyperPod user guide: no KMS key transition).
KMS_KEY_INSTEAD = ("add a new instance group with the new key, move work to it, scale the old group's "
                   "instance_count to 0, then remove the old group in a later change")

SAFE_PATH = ("add a new instance group with the new settings, move work to it, scale the old group's "
             "instance_count to 0, then remove the old group in a later change")


def _clusters(document: dict) -> dict[str, dict]:
    return document.get("resource", {}).get(CLUSTER_TYPE, {})


def previous_group_order(document: dict) -> list[str]:
    """Group names in the order the previous synthesis declared them (first cluster resource)."""
    for cluster in _clusters(document).values():
        return [g.get("instance_group_name") for g in cluster.get("instance_groups", [])]
    return []


def previous_provisioning_modes(document: dict) -> list[str | None]:
    """node_provisioning_mode of each cluster in a previous synthesis (None: the standard mode)."""
    return [cluster.get("node_provisioning_mode") for cluster in _clusters(document).values()]


def stable_group_order(names: list[str], previous: list[str]) -> list[str]:
    """Existing groups keep their previous positions relative to each other; new groups go after them.

    The provider matches groups by position, so inserting a group before existing ones would look like every later
    group changing type, role and name at once."""
    kept = [name for name in previous if name in names]
    return kept + [name for name in names if name not in kept]


def dangerous_changes(previous: dict, new: dict) -> list[DangerousChange]:
    changes: list[DangerousChange] = []
    old_clusters, new_clusters = _clusters(previous), _clusters(new)
    for logical_id, old in old_clusters.items():
        name = old.get("cluster_name")
        if logical_id not in new_clusters:
            changes.append(DangerousChange(
                f"HyperPod cluster {name!r} would be destroyed",
                "it is no longer in the configuration (hyperpod_enabled false, or the stack changed shape); every "
                "node and its local data goes with it",
                "keep hyperpod_enabled true; to tear down on purpose, set hyperpod_prevent_destroy false and pass "
                "--allow-replace"))
            continue
        changes += _region_change(name, previous, new)
        changes += _cluster_changes(name, old, new_clusters[logical_id], previous, new)
        changes += autoscaling_changes(name, old, new_clusters[logical_id])
        changes += chart_uninstall(name, previous, new)
        changes += file_system_changes(name, previous, new) + addon_changes(name, previous, new)
        changes += surface_changes(name, old, new_clusters[logical_id])
        changes += addon_resource_changes(name, previous, new)
    return changes


def change_warnings(previous: dict, new: dict) -> list[DangerousChange]:
    """Changes that go ahead but may surprise: printed, not refused."""
    new_clusters = _clusters(new)
    return [warning for logical_id, old in _clusters(previous).items() if logical_id in new_clusters
            for warning in autoscaling_warnings(old.get("cluster_name"), old, new_clusters[logical_id])]


def region_settings(document: dict) -> dict[str, object]:
    """Every place the stack names its region: the aws and awscc providers, and the region the stack resolves for
    the EKS API token (helm and kubernetes providers). Unset means the deploying machine's AWS_REGION or profile."""
    settings: dict[str, object] = {}
    providers = document.get("provider", {})
    for kind in ("aws", "awscc"):
        for block in providers.get(kind, []):
            if not block.get("alias"):
                settings[f"provider.{kind}.region"] = block.get("region")
    for kind in ("helm", "kubernetes"):
        for block in providers.get(kind, []):
            exec_block = block.get("kubernetes", block) if kind == "helm" else block
            if not isinstance(exec_block, dict):
                continue
            exec_ = exec_block.get("exec")
            exec_ = exec_[0] if isinstance(exec_, list) and exec_ else exec_
            args = exec_.get("args") if isinstance(exec_, dict) else None
            if isinstance(args, list) and "--region" in args[:-1]:
                settings[f"provider.{kind} (aws eks get-token --region)"] = args[args.index("--region") + 1]
    return settings


def _region_change(name: str, old_document: dict, new_document: dict) -> list[DangerousChange]:
    before, after = region_settings(old_document), region_settings(new_document)
    lines = [f"{key}: {show(before.get(key))} -> {show(after.get(key))}"
             for key in [*before, *(k for k in after if k not in before)] if before.get(key) != after.get(key)]
    if not lines:
        return []
    return [DangerousChange(
        f"cluster {name!r}: the region changes" + "".join(f"\n      {line}" for line in lines),
        "every provider moves with it: Terraform looks for the cluster, its role, bucket and Helm release in the new "
        "region, finds none and creates them all anew there, while the running cluster in the old region keeps its "
        "nodes (and its bill) with nothing managing it any more (null means the deploying machine's AWS_REGION or "
        "profile, which Terraform cannot promise is the same)",
        "keep the region as deployed; for a cluster in another region, synthesize a second stack (its own --out and "
        "state) and move work over")]


def _cluster_changes(name: str, old: dict, new: dict, old_document: dict, new_document: dict
                     ) -> list[DangerousChange]:
    changes = []
    for attribute in REPLACES_CLUSTER:
        lines = resolved_differences(old_document, old.get(attribute), new_document, new.get(attribute), attribute)
        if lines:
            changes.append(DangerousChange(
                f"cluster {name!r}: {attribute} changes" + "".join(f"\n      {line}" for line in lines),
                f"{attribute} cannot change in place: Terraform replaces the whole cluster, destroying every node "
                "(and ~2 hours of deep health checks per new instance)",
                "create a second cluster with the new setting next to this one and move work over"))
    changes += _capacity_changes(name, old, new)
    old_groups = {g.get("instance_group_name"): (i, g) for i, g in enumerate(old.get("instance_groups", []))}
    new_groups = {g.get("instance_group_name"): (i, g) for i, g in enumerate(new.get("instance_groups", []))}
    removed = [g for g in old_groups if g not in new_groups]
    added = [g for g in new_groups if g not in old_groups]
    for group in removed:
        rename = f" (renamed to {added[0]!r}? a rename is a delete plus a create)" if len(removed) == len(added) == 1 \
            else ""
        changes.append(DangerousChange(
            f"cluster {name!r}: instance group {group!r} would be removed{rename}",
            "its instances are terminated and their local data is lost",
            "first scale its instance_count to 0 and deploy; remove it in a later change, with --allow-replace"))
    for group, (new_index, new_group) in new_groups.items():
        if group not in old_groups:
            continue
        old_index, old_group = old_groups[group]
        for attribute in CREATE_ONLY_IN_GROUP:
            lines = differences(old_group.get(attribute), new_group.get(attribute), attribute)
            if lines:
                changes.append(DangerousChange(
                    f"cluster {name!r}, group {group!r}: {attribute} changes" +
                    "".join(f"\n      {line}" for line in lines),
                    f"the SageMaker API refuses to change {attribute} of an existing group: apply fails after "
                    "a long wait",
                    SAFE_PATH))
        changes += _group_capacity_changes(name, group, old_group, new_group)
        if old_index != new_index:
            changes.append(DangerousChange(
                f"cluster {name!r}, group {group!r}: moves from position {old_index} to {new_index}",
                "the awscc provider matches instance groups by position, so a move reads as changes to other groups",
                "keep existing groups in their order and add new groups at the end"))
    return changes


def _no_longer_set(where: str, old: dict, new: dict, kept: dict[str, str], what_stays: str) -> list[DangerousChange]:
    """Attributes of `kept` the previous synthesis set and the new one leaves out: awscc keeps the deployed value."""
    return [DangerousChange(f"{where}: {attribute} {show(old[attribute])} is no longer set",
                            f"awscc keeps an attribute the configuration leaves out: {what_stays}", instead)
            for attribute, instead in kept.items() if attribute in old and attribute not in new]


def _capacity_changes(name: str, old: dict, new: dict) -> list[DangerousChange]:
    changes = _no_longer_set(f"cluster {name!r}", old, new, KEPT_WHEN_OMITTED, "the deployed setting stays, silently")
    # Switching autoscaling off leaves cluster_role out (nothing is sent); a new role on an autoscaling cluster is.
    autoscaling = isinstance(old.get("auto_scaling"), dict) and old["auto_scaling"].get("mode") == "Enable"
    if autoscaling and "cluster_role" in new and old.get("cluster_role") != new["cluster_role"]:
        changes.append(DangerousChange(
            f"cluster {name!r}: cluster_role changes from {show(old.get('cluster_role'))} to "
            f"{show(new.get('cluster_role'))}",
            "the SageMaker API refuses to change the cluster role while autoscaling is enabled",
            "first deploy with hyperpod_autoscaling.enabled false, then change the role and enable it again"))
    return changes


def _group_capacity_changes(name: str, group: str, old: dict, new: dict) -> list[DangerousChange]:
    changes = [change for attribute, (stays, instead) in KEPT_WHEN_OMITTED_IN_GROUP.items()
               for change in _no_longer_set(f"cluster {name!r}, group {group!r}", old, new, {attribute: instead},
                                            stays)]
    old_keys, new_keys = _volume_keys(old), _volume_keys(new)
    if old_keys != new_keys:
        changes.append(DangerousChange(
            f"cluster {name!r}, group {group!r}: EBS volume_kms_key_id changes from {show(old_keys)} to "
            f"{show(new_keys)}",
            "HyperPod cannot move a group's volumes to another KMS key: the update fails",
            KMS_KEY_INSTEAD))
    return changes


def _volume_keys(group: dict) -> list:
    storage = group.get("instance_storage_configs", [])
    # EBS entries only: a file system mounted next to them (FSx for Lustre or OpenZFS) carries no key.
    return [c["ebs_volume_config"].get("volume_kms_key_id")
            for c in (storage if isinstance(storage, list) else [])
            if isinstance(c, dict) and isinstance(c.get("ebs_volume_config"), dict)]
