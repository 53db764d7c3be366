"""Changes to the newer awscc_sagemaker_cluster surface that would silently do nothing or fail after a long wait.

- `auto_patch_config` and `network_interface` are optional and computed in awscc 1.106.0, like `kubernetes_config`:
  left out of the config, the provider keeps the deployed value (hashicorp/terraform-provider-awscc#3025), so
  removing either is a silent no-op, not "patching off" or "no EFA".
- Restricted instance groups: CloudFormation's createOnlyProperties for AWS::SageMaker::Cluster name
  `RestrictedInstanceGroups/*/{InstanceGroupName, InstanceType, ExecutionRole, ThreadsPerCore, OverrideVpcConfig}`
  (gates/awscc_sagemaker_cluster.schema.json, `_meta.cfn_v1_96`): awscc gives nested fields no replace modifier, so
  editing one plans an in-place update the SageMaker API refuses. A removed restricted group terminates its
  instances. Its FSx for Lustre file system cannot shrink (FSx for Lustre user guide, "Managing storage capacity":
  storage capacity can only be increased).
- `restricted_instance_groups_config` is optional and computed too: left out, the deployed shared environment stays.
"""

from __future__ import annotations

from hyperpod.change_guard.change import DangerousChange
from hyperpod.change_guard.difference import differences, show

KEPT_WHEN_OMITTED_IN_GROUP = {
    "auto_patch_config": "the deployed automatic patching stays: nodes go on being patched",
    "network_interface": "the deployed network interface type stays",
}
REPLACE_GROUP = ("keep it as deployed; for a group without it, add a new instance group, move work to it, scale the "
                 "old group's instance_count to 0, then remove the old group in a later change")
CREATE_ONLY_IN_RESTRICTED_GROUP = ("instance_type", "threads_per_core", "execution_role", "override_vpc_config")
SAFE_PATH = ("add a new restricted instance group with the new settings, move work to it, scale the old group's "
             "instance_count to 0, then remove it in a later change")


def _groups(cluster: dict, key: str) -> dict[str, tuple[int, dict]]:
    groups = cluster.get(key)
    return {g.get("instance_group_name"): (i, g) for i, g in enumerate(groups if isinstance(groups, list) else [])
            if isinstance(g, dict)}


def surface_changes(name: str, old: dict, new: dict) -> list[DangerousChange]:
    """Dangerous changes between two syntheses of one awscc_sagemaker_cluster (the previous one untrusted)."""
    changes = []
    new_groups = _groups(new, "instance_groups")
    for group, (_, old_group) in _groups(old, "instance_groups").items():
        if group not in new_groups:
            continue  # removal is reported with the other group rules
        new_group = new_groups[group][1]
        for attribute, what_stays in KEPT_WHEN_OMITTED_IN_GROUP.items():
            if attribute in old_group and attribute not in new_group:
                changes.append(DangerousChange(
                    f"cluster {name!r}, group {group!r}: {attribute} {show(old_group[attribute])} is no longer set",
                    f"awscc keeps an attribute the configuration leaves out: {what_stays}", REPLACE_GROUP))
    changes += _restricted_group_changes(name, old, new)
    if "restricted_instance_groups_config" in old and "restricted_instance_groups_config" not in new:
        changes.append(DangerousChange(
            f"cluster {name!r}: restricted_instance_groups_config "
            f"{show(old['restricted_instance_groups_config'])} is no longer set",
            "awscc keeps an attribute the configuration leaves out: the shared FSx for Lustre environment of the "
            "restricted groups stays as deployed",
            "keep restricted_instance_groups_config as deployed"))
    changes += _shrinking_file_systems(name, old, new)
    return changes


def _restricted_group_changes(name: str, old: dict, new: dict) -> list[DangerousChange]:
    changes = []
    new_groups = _groups(new, "restricted_instance_groups")
    for group, (_, old_group) in _groups(old, "restricted_instance_groups").items():
        if group not in new_groups:
            changes.append(DangerousChange(
                f"cluster {name!r}: restricted instance group {group!r} would be removed",
                "its instances are terminated and their local data is lost",
                "first scale its instance_count to 0 and deploy; remove it in a later change, with --allow-replace"))
            continue
        new_group = new_groups[group][1]
        for attribute in CREATE_ONLY_IN_RESTRICTED_GROUP:
            lines = differences(old_group.get(attribute), new_group.get(attribute), attribute)
            if lines:
                changes.append(DangerousChange(
                    f"cluster {name!r}, restricted group {group!r}: {attribute} changes" +
                    "".join(f"\n      {line}" for line in lines),
                    f"{attribute} of a restricted instance group is fixed at creation (CloudFormation "
                    "createOnlyProperties): the SageMaker API refuses the update after a long wait",
                    SAFE_PATH))
    return changes


def _size(container: object) -> object:
    fsx = container.get("fsx_lustre_config") if isinstance(container, dict) else None
    return fsx.get("size_in_gi_b") if isinstance(fsx, dict) else None


def _shrinking_file_systems(name: str, old: dict, new: dict) -> list[DangerousChange]:
    """The restricted groups' FSx for Lustre file systems (per group, and the shared one) only grow."""
    pairs = [("restricted_instance_groups_config.shared_environment_config",
              (old.get("restricted_instance_groups_config") or {}).get("shared_environment_config")
              if isinstance(old.get("restricted_instance_groups_config"), dict) else None,
              (new.get("restricted_instance_groups_config") or {}).get("shared_environment_config")
              if isinstance(new.get("restricted_instance_groups_config"), dict) else None)]
    new_groups = _groups(new, "restricted_instance_groups")
    for group, (_, old_group) in _groups(old, "restricted_instance_groups").items():
        if group in new_groups:
            pairs.append((f"restricted group {group!r} environment_config", old_group.get("environment_config"),
                          new_groups[group][1].get("environment_config")))
    changes = []
    for where, before, after in pairs:
        old_size, new_size = _size(before), _size(after)
        if isinstance(old_size, int) and isinstance(new_size, int) and new_size < old_size:
            changes.append(DangerousChange(
                f"cluster {name!r}: {where} FSx for Lustre size_in_gi_b {old_size} -> {new_size}",
                "FSx for Lustre storage capacity can only grow: the update fails",
                f"keep size_in_gi_b at {old_size} or more"))
    return changes
