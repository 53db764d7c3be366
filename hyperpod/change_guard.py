"""Refuse config changes that would silently replace or break a running HyperPod cluster.

Compares a new synthesis with the previous one (both Terraform JSON). What counts as dangerous comes from the
awscc_sagemaker_cluster schema: replacement attributes for the whole cluster, create-only attributes inside a
group, and the provider matching groups by list position (hashicorp/terraform-provider-awscc#3110).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from hyperpod.config.errors import JsonFileError, load_json

CLUSTER_TYPE = "awscc_sagemaker_cluster"
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
KEPT_WHEN_OMITTED_IN_GROUP = {
    "kubernetes_config": "set the group's labels to {} and taints to [] (sent as empty sets, which clear them)",
}
# The EBS volume's customer managed key cannot change (HyperPod user guide: no KMS key transition).
KMS_KEY_INSTEAD = ("add a new instance group with the new key, move work to it, scale the old group's "
                   "instance_count to 0, then remove the old group in a later change")

SAFE_PATH = ("add a new instance group with the new settings, move work to it, scale the old group's "
             "instance_count to 0, then remove the old group in a later change")


class PreviousSynthesisError(Exception):
    """The previous synthesis cannot be read as this project's Terraform JSON."""


@dataclass(frozen=True)
class DangerousChange:
    what: str
    why: str
    instead: str

    def __str__(self) -> str:
        return f"{self.what}\n    why: {self.why}\n    instead: {self.instead}"


def load_previous(path: Path) -> dict:
    try:
        document = load_json(path, "previous synthesis")
    except JsonFileError as error:
        raise PreviousSynthesisError(f"{error}; pass the cdk.tf.json of the last deploy with --check-against, or "
                                     "remove the file") from None
    metadata = document.get("//", {}).get("metadata", {}) if isinstance(document, dict) else {}
    if not isinstance(document, dict) or "terraform" not in document or "stackName" not in metadata:
        raise PreviousSynthesisError(f"{path}: not a cdk.tf.json synthesized by CDKTF (no terraform block or stack "
                                     "metadata); pass the cdk.tf.json of the last deploy with --check-against")
    return document


_DATA_REFERENCE = re.compile(r"data\.([a-z0-9_]+)\.([A-Za-z0-9_-]+)")


def _resolved(document: dict, value: object) -> object:
    """A value together with the arguments of the data sources it reads: `orchestrator` stays the same expression
    (`${data.aws_eks_cluster.x.arn}`) when the looked-up EKS cluster changes, but the cluster is still replaced."""
    text = json.dumps(value, sort_keys=True)
    data = document.get("data", {})
    reads = {f"{kind}.{name}": {k: v for k, v in data.get(kind, {}).get(name, {}).items() if k != "//"}
             for kind, name in sorted(set(_DATA_REFERENCE.findall(text)))}
    return {"value": value, "reads": reads} if reads else value


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
        changes += _cluster_changes(name, old, new_clusters[logical_id], previous, new)
    return changes


def _cluster_changes(name: str, old: dict, new: dict, old_document: dict, new_document: dict
                     ) -> list[DangerousChange]:
    changes = []
    for attribute in REPLACES_CLUSTER:
        before, after = _resolved(old_document, old.get(attribute)), _resolved(new_document, new.get(attribute))
        if before != after:
            changes.append(DangerousChange(
                f"cluster {name!r}: {attribute} changes from {_short(before)} to {_short(after)}",
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
            if old_group.get(attribute) != new_group.get(attribute):
                changes.append(DangerousChange(
                    f"cluster {name!r}, group {group!r}: {attribute} changes from "
                    f"{_short(old_group.get(attribute))} to {_short(new_group.get(attribute))}",
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


def _capacity_changes(name: str, old: dict, new: dict) -> list[DangerousChange]:
    changes = []
    for attribute, instead in KEPT_WHEN_OMITTED.items():
        if attribute in old and attribute not in new:
            changes.append(DangerousChange(
                f"cluster {name!r}: {attribute} {_short(old[attribute])} is no longer set",
                "awscc keeps an attribute the configuration leaves out: the deployed setting stays, silently",
                instead))
    # Switching autoscaling off leaves cluster_role out (nothing is sent); a new role on an autoscaling cluster is.
    autoscaling = (old.get("auto_scaling") or {}).get("mode") == "Enable"
    if autoscaling and "cluster_role" in new and old.get("cluster_role") != new["cluster_role"]:
        changes.append(DangerousChange(
            f"cluster {name!r}: cluster_role changes from {_short(old.get('cluster_role'))} to "
            f"{_short(new.get('cluster_role'))}",
            "the SageMaker API refuses to change the cluster role while autoscaling is enabled",
            "first deploy with hyperpod_autoscaling.enabled false, then change the role and enable it again"))
    return changes


def _group_capacity_changes(name: str, group: str, old: dict, new: dict) -> list[DangerousChange]:
    changes = []
    for attribute, instead in KEPT_WHEN_OMITTED_IN_GROUP.items():
        if attribute in old and attribute not in new:
            changes.append(DangerousChange(
                f"cluster {name!r}, group {group!r}: {attribute} {_short(old[attribute])} is no longer set",
                "awscc keeps an attribute the configuration leaves out: the deployed labels and taints stay",
                instead))
    old_keys, new_keys = _volume_keys(old), _volume_keys(new)
    if old_keys != new_keys:
        changes.append(DangerousChange(
            f"cluster {name!r}, group {group!r}: EBS volume_kms_key_id changes from {_short(old_keys)} to "
            f"{_short(new_keys)}",
            "HyperPod cannot move a group's volumes to another KMS key: the update fails",
            KMS_KEY_INSTEAD))
    return changes


def _volume_keys(group: dict) -> list:
    return [(c.get("ebs_volume_config") or {}).get("volume_kms_key_id")
            for c in group.get("instance_storage_configs", []) if isinstance(c, dict)]


def _short(value: object) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 100 else text[:97] + "..."
