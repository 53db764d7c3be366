"""Per-group storage beyond the secondary EBS volume: FSx for Lustre and FSx for OpenZFS file systems HyperPod mounts
on the group's nodes, and a customer managed key for the root volume.

Sources: SageMaker API reference, ClusterInstanceStorageConfig (a union: each entry is one of EbsVolumeConfig,
FsxLustreConfig, FsxOpenZfsConfig), ClusterInstanceGroupSpecification.InstanceStorageConfigs (at most 4 entries),
ClusterFsxLustreConfig (DnsName and MountName required), ClusterFsxOpenZfsConfig (DnsName required), ClusterDnsName
(16-275 characters, `(fs|fc)i?-<hex>.<domain>`), ClusterMountName (1-8 of `A-Za-z0-9_-`), ClusterFsxMountPath
(1-1024 characters, `/[a-zA-Z0-9._/-]+`) and ClusterEbsVolumeConfig.RootVolume (true: no VolumeSizeInGB, a
VolumeKmsKeyId is required).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field

from hyperpod.config.capacity import KmsKeyArn
from hyperpod.config.errors import Problem, value_repr
from hyperpod.config.fields import Strict, matching

MAX_STORAGE_CONFIGS = 4  # InstanceStorageConfigs: at most 4, the secondary EBS volume (ebs_volume_gb) among them
# ClusterDnsName, narrowed to a host name: a DNS name is all that may reach Terraform, nothing a template could read.
FSX_DNS_NAME = re.compile(r"(?=.{16,275}$)(fs|fc)i?-[0-9a-f]{8,}\.([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}")
MOUNT_NAME = re.compile(r"[A-Za-z0-9_-]{1,8}")
MOUNT_PATH = re.compile(r"/[a-zA-Z0-9._/-]{1,1023}")

DnsName = Annotated[str, matching(FSX_DNS_NAME, "an FSx DNS name such as fs-0123456789abcdef0.fsx.us-west-2."
                                                "amazonaws.com (16-275 characters)")]
MountPath = Annotated[str, matching(MOUNT_PATH, "an absolute path of letters, digits, '.', '_', '-' and '/' such "
                                                "as /fsx (at most 1024 characters)", tokens=False)]


class LustreMount(Strict):
    """An FSx for Lustre file system mounted on every node of the group."""

    stack_file_system: bool = Field(False, description="Mount the file system of `hyperpod_fsx_lustre` (created by "
                                                       "this stack, or its `file_system_id`) instead of naming one.")
    dns_name: DnsName | None = Field(None, description="DNS name of the file system (with `mount_name`).")
    mount_name: Annotated[str, matching(MOUNT_NAME, "the file system's Lustre mount name: 1-8 letters, digits, _ "
                                                    "or -")] | None = Field(None, description="Its Lustre mount "
                                                                                              "name.")
    mount_path: MountPath | None = Field(None, description="Where it is mounted on the nodes. Default: AWS's.")


class OpenZfsMount(Strict):
    """An FSx for OpenZFS file system mounted on every node of the group."""

    dns_name: DnsName = Field(description="DNS name of the file system.")
    mount_path: MountPath | None = Field(None, description="Where it is mounted on the nodes. Default: AWS's.")


class RootVolume(Strict):
    """The root volume, encrypted with a customer managed key instead of an AWS owned one."""

    root_volume: Literal[True] = Field(description="`true`: this entry configures the root volume.")
    volume_kms_key_id: KmsKeyArn = Field(description="ARN of the customer managed KMS key for the root volume (the "
                                                     "execution role gets a grant on it). Cannot change in place.")


class StorageConfig(Strict):
    """One storage entry: exactly one of `fsx_lustre_config`, `fsx_open_zfs_config`, `ebs_volume_config`."""

    fsx_lustre_config: LustreMount | None = Field(None, description="`{stack_file_system}` or `{dns_name, "
                                                                    "mount_name}`, and `mount_path`.")
    fsx_open_zfs_config: OpenZfsMount | None = Field(None, description="`{dns_name, mount_path}`.")
    ebs_volume_config: RootVolume | None = Field(None, description="`{root_volume: true, volume_kms_key_id}` (the "
                                                                   "secondary volume stays `ebs_volume_gb`).")


def storage_problems(raw: dict, group: dict, where: str) -> list[Problem]:
    """Rules that span a raw group's storage entries, and the stack's own file system."""
    entries = group.get("instance_storage_configs")
    if not isinstance(entries, list):
        return []
    problems = []
    if len(entries) > MAX_STORAGE_CONFIGS - 1:
        problems.append(Problem(f"{where}.instance_storage_configs", f"got {len(entries)} entries; allowed: at most "
                                f"{MAX_STORAGE_CONFIGS - 1} (the API takes {MAX_STORAGE_CONFIGS} storage configs per "
                                "group and the secondary EBS volume of ebs_volume_gb is one of them)"))
    roots = 0
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        here = f"{where}.instance_storage_configs[{index}]"
        kinds = [key for key in StorageConfig.model_fields if entry.get(key) is not None]
        if len(kinds) != 1:
            problems.append(Problem(here, f"got {', '.join(kinds) or 'none of them'}; allowed: exactly one of "
                                    "fsx_lustre_config, fsx_open_zfs_config, ebs_volume_config per entry"))
        roots += isinstance(entry.get("ebs_volume_config"), dict)
        lustre = entry.get("fsx_lustre_config")
        if isinstance(lustre, dict):
            problems += _lustre_problems(raw, lustre, f"{here}.fsx_lustre_config")
    if roots > 1:
        problems.append(Problem(f"{where}.instance_storage_configs", f"got {roots} ebs_volume_config entries; "
                                "allowed: one (each instance has one root volume)"))
    mode = raw.get("hyperpod_node_provisioning_mode", "Continuous")
    if roots and mode != "Continuous":
        problems.append(Problem(f"{where}.instance_storage_configs", "got a root volume key with "
                                f"hyperpod_node_provisioning_mode {value_repr(mode)}; allowed: a customer managed "
                                "key only with hyperpod_node_provisioning_mode "
                                "\"Continuous\" (AWS supports customer managed keys on continuous provisioning "
                                "clusters only)"))
    return problems


def _lustre_problems(raw: dict, lustre: dict, where: str) -> list[Problem]:
    named = [key for key in ("dns_name", "mount_name") if lustre.get(key) is not None]
    if lustre.get("stack_file_system") is True:
        fsx = raw.get("hyperpod_fsx_lustre")
        problems = [Problem(f"{where}.{key}", f"got {value_repr(lustre[key])} with stack_file_system true; allowed: "
                            "leave it out (the stack's file system is used)") for key in named]
        if not (isinstance(fsx, dict) and fsx.get("enabled") is True):
            problems.append(Problem(f"{where}.stack_file_system", "got true without hyperpod_fsx_lustre.enabled; "
                                    "allowed: true only when the stack provides FSx for Lustre "
                                    "(hyperpod_fsx_lustre.enabled true)"))
        return problems
    return [Problem(f"{where}.{key}", "required key is missing; allowed: the file system's "
                    f"{key.replace('_', ' ')} (aws fsx describe-file-systems), or stack_file_system true")
            for key in ("dns_name", "mount_name") if key not in named]
