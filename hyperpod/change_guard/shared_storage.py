"""Changes that would delete or replace the FSx for Lustre file system the stack created (with every file on it), or
leave training jobs without their volume.

FSx cannot move a file system to another subnet, key, deployment type or Lustre version, nor shrink it: the aws
provider (aws_fsx_lustre_file_system) marks those arguments ForceNew and forces a new file system when
storage_capacity decreases, so Terraform deletes the old one, data and all, and creates an empty one.
"""

from __future__ import annotations

from hyperpod.change_guard.change import DangerousChange
from hyperpod.change_guard.difference import differences, show
from hyperpod.change_guard.previous import resources_of_type

FILE_SYSTEM_TYPE = "aws_fsx_lustre_file_system"
CLAIM_TYPE = "kubernetes_persistent_volume_claim_v1"
NAMESPACE_TYPE = "kubernetes_namespace_v1"
REPLACES_FILE_SYSTEM = ("subnet_ids", "deployment_type", "kms_key_id", "file_system_type_version",
                        "security_group_ids", "storage_type")
# Optional and computed: left out of the config, the provider keeps the deployed value (no replacement).
KEPT_WHEN_OMITTED = ("kms_key_id", "file_system_type_version")
KEEP_DATA = ("copy the data to a new file system first (a second config with its own stack, or an FSx backup "
             "restored into the new settings), switch the jobs' claim over, then remove the old one with "
             "--allow-replace")


def file_system_changes(cluster: str, old_document: dict, new_document: dict) -> list[DangerousChange]:
    changes = []
    new_file_systems = resources_of_type(new_document, FILE_SYSTEM_TYPE)
    for logical_id, old in resources_of_type(old_document, FILE_SYSTEM_TYPE).items():
        new = new_file_systems.get(logical_id)
        if new is None:
            changes.append(DangerousChange(
                f"cluster {cluster!r}: the FSx for Lustre file system would be deleted (hyperpod_fsx_lustre "
                "disabled, or file_system_id now names another one)",
                "Terraform deletes a file system it no longer manages, with every file on it",
                "keep hyperpod_fsx_lustre as deployed; to keep the data but stop managing the file system, run "
                f"`terraform state rm {FILE_SYSTEM_TYPE}.{logical_id}` first, then synthesize with --allow-replace"))
            continue
        lines = [line for attribute in REPLACES_FILE_SYSTEM
                 if not (attribute in KEPT_WHEN_OMITTED and new.get(attribute) is None)
                 for line in differences(old.get(attribute), new.get(attribute), attribute)]
        before, after = old.get("storage_capacity"), new.get("storage_capacity")
        if isinstance(before, int) and isinstance(after, int) and after < before:
            lines.append(f"storage_capacity: {show(before)} -> {show(after)} (FSx cannot shrink a file system)")
        if lines:
            changes.append(DangerousChange(
                f"cluster {cluster!r}: the FSx for Lustre file system would be replaced" +
                "".join(f"\n      {line}" for line in lines),
                "these settings are fixed when a file system is created: Terraform deletes it, with every file on "
                "it, and creates an empty one",
                KEEP_DATA))
    return changes + _claim_moves(cluster, old_document, new_document) + \
        _namespace_deletions(cluster, old_document, new_document)


def _claim_address(claim: dict) -> tuple[object, object]:
    metadata = claim.get("metadata")
    metadata = metadata[0] if isinstance(metadata, list) and metadata and isinstance(metadata[0], dict) else {}
    return metadata.get("namespace"), metadata.get("name")


def _claim_moves(cluster: str, old_document: dict, new_document: dict) -> list[DangerousChange]:
    """A claim under a new namespace or name is a new claim, but the PersistentVolume (reclaim policy Retain) stays
    bound to the deleted one: Kubernetes never binds it again on its own, so the new claim stays Pending."""
    changes = []
    new_claims = resources_of_type(new_document, CLAIM_TYPE)
    for logical_id, old in resources_of_type(old_document, CLAIM_TYPE).items():
        new = new_claims.get(logical_id)
        if new is None or _claim_address(old) == _claim_address(new):
            continue
        (old_namespace, old_name), (namespace, name) = _claim_address(old), _claim_address(new)
        changes.append(DangerousChange(
            f"cluster {cluster!r}: the FSx claim moves from {old_namespace}/{old_name} to {namespace}/{name}",
            "Terraform deletes the old claim and creates the new one, but the PersistentVolume keeps its binding to "
            "the deleted claim (reclaim policy Retain, which protects the data): the new claim stays Pending and "
            "jobs that mount it do not start",
            "stop the jobs that mount the old claim, apply with --allow-replace, then release the volume for the "
            "new claim: kubectl patch pv <volume> --type merge -p '{\"spec\":{\"claimRef\":null}}'"))
    return changes


def _namespace_name(namespace: dict) -> object:
    metadata = namespace.get("metadata")
    metadata = metadata[0] if isinstance(metadata, list) and metadata and isinstance(metadata[0], dict) else {}
    return metadata.get("name")


def _namespace_deletions(cluster: str, old_document: dict, new_document: dict) -> list[DangerousChange]:
    """The namespace the stack created for the claim (create_namespace): gone from the synthesis, or under a new
    name, Terraform deletes it, and Kubernetes deletes every object in a deleted namespace (Kubernetes
    documentation, "Namespaces")."""
    changes = []
    new_namespaces = resources_of_type(new_document, NAMESPACE_TYPE)
    for logical_id, old in resources_of_type(old_document, NAMESPACE_TYPE).items():
        new = new_namespaces.get(logical_id)
        if new is not None and _namespace_name(new) == _namespace_name(old):
            continue
        how = "hyperpod_fsx_lustre.create_namespace false, or FSx off" if new is None else \
            f"replaced by {_namespace_name(new)!r}: hyperpod_fsx_lustre.namespace changed"
        changes.append(DangerousChange(
            f"cluster {cluster!r}: the namespace {_namespace_name(old)!r} the stack created would be deleted ({how})",
            "Terraform deletes a namespace it no longer manages, and Kubernetes deletes everything in it: the FSx "
            "claim and every job, pod, secret and config map there (the files on the file system stay: the volume's "
            "reclaim policy is Retain)",
            f"to keep the namespace, run `terraform state rm {NAMESPACE_TYPE}.{logical_id}` first (Terraform "
            "forgets it, Kubernetes keeps it), then synthesize with --allow-replace"))
    return changes
