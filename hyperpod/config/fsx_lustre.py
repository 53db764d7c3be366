"""Shared storage: an FSx for Lustre file system (created, or an existing one) exposed to Kubernetes as a PV + PVC."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field

from hyperpod.config.addon_pins import ADDON_PINS, FSX_CSI_DRIVER
from hyperpod.config.addons import AddonVersion
from hyperpod.config.capacity import KmsKeyArn
from hyperpod.config.errors import Problem, value_repr
from hyperpod.config.fields import Strict, SubnetId, is_token, matching

FILE_SYSTEM_ID = re.compile(r"^fs-[0-9a-f]{8,21}$")
# FSx FileSystem.DNSName: up to 275 characters, `fs-<id>.fsx.<region>.amazonaws.com`; a host name is all
# that may reach the PersistentVolume (and Terraform), nothing a template could read.
DNS_NAME = re.compile(r"^(?=.{1,275}$)([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}$")
# LustreFileSystemConfiguration.MountName: 1-8 characters, `^([A-Za-z0-9_-]{1,8})$` (`fsx` for SCRATCH_1).
MOUNT_NAME = re.compile(r"^[A-Za-z0-9_-]{1,8}$")
# Kubernetes object names (namespaces, claims): RFC 1123 labels, at most 63 characters.
KUBERNETES_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
KubernetesName = Annotated[str, matching(KUBERNETES_NAME, "a Kubernetes name: 1-63 lowercase letters, digits and "
                                                          "hyphens, starting and ending with a letter or digit")]

# FSx CreateFileSystem, StorageCapacity for Lustre: "For SCRATCH_2, PERSISTENT_2, and PERSISTENT_1 deployment types
# using SSD storage type, the valid values are 1200 GiB, 2400 GiB, and increments of 2400 GiB."
CAPACITY_STEP_GIB = 2400
SMALL_CAPACITIES_GIB = (1200, 2400)
# FSx LustreFileSystemConfiguration PerUnitStorageThroughput (MB/s/TiB), per deployment type ("Managing throughput
# capacity", FSx for Lustre user guide). Scratch file systems take no throughput setting.
THROUGHPUT_TIERS = {"PERSISTENT_1": (50, 100, 200), "PERSISTENT_2": (125, 250, 500, 1000)}
# The aws-fsx-csi-driver EKS add-on build (source and Kubernetes range in addon_pins.ADDON_PINS).
FSX_CSI_DRIVER_VERSION = ADDON_PINS[FSX_CSI_DRIVER].version

DeploymentType = Literal["SCRATCH_2", "PERSISTENT_1", "PERSISTENT_2"]
_CREATE_ONLY_KEYS = ("storage_capacity_gib", "deployment_type", "per_unit_storage_throughput", "subnet_id",
                     "kms_key_id")
_EXISTING_KEYS = ("dns_name", "mount_name")


class FsxLustre(Strict):
    """FSx for Lustre shared storage: a file system the stack creates (or `file_system_id` for an existing one), the
    FSx CSI driver add-on, and a PersistentVolume + PersistentVolumeClaim that training jobs mount."""

    enabled: bool = Field(False, description="Provide FSx for Lustre shared storage to the cluster.")
    file_system_id: Annotated[str, matching(FILE_SYSTEM_ID, "a file system id like fs-0123456789abcdef0")] | None = \
        Field(None, description="Use this existing file system instead of creating one (then `dns_name` and "
                                "`mount_name` are required).")
    dns_name: Annotated[str, matching(DNS_NAME, "the file system's DNS name, like "
                                                "fs-0123456789abcdef0.fsx.us-west-2.amazonaws.com")] | None = Field(
        None, description="DNS name of the existing file system.")
    mount_name: Annotated[str, matching(MOUNT_NAME, "the file system's Lustre mount name: 1-8 letters, digits, _ "
                                                    "or -")] | None = Field(
        None, description="Lustre mount name of the existing file system.")
    storage_capacity_gib: int = Field(1200, ge=1200, description="Capacity of the created file system: 1200, 2400 "
                                                                 "or a multiple of 2400 GiB.")
    deployment_type: DeploymentType = Field("PERSISTENT_2", description="FSx deployment type of the created file "
                                                                        "system.")
    per_unit_storage_throughput: int | None = Field(
        None, description="MB/s per TiB: 125, 250, 500 or 1000 for PERSISTENT_2; 50, 100 or 200 for PERSISTENT_1; "
                          "none for SCRATCH_2. Default: the lowest tier of the deployment type.")
    subnet_id: SubnetId | None = Field(
        None, description="Subnet of the created file system, one of the instances' subnets (Lustre serves one "
                          "Availability Zone). Default: the instances' first subnet.")
    kms_key_id: KmsKeyArn | None = Field(
        None, description="Customer managed KMS key that encrypts the created file system at rest (PERSISTENT_1 and "
                          "PERSISTENT_2; scratch file systems use FSx's own key). Default: FSx's AWS managed key. "
                          "Fixed at creation: a new key means a new file system.")
    namespace: KubernetesName = Field("default", description="Namespace of the PersistentVolumeClaim training jobs "
                                                            "mount.")
    create_namespace: bool = Field(False, description="Create `namespace` (leave false when it exists).")
    claim_name: KubernetesName = Field("fsx-lustre", description="Name of the PersistentVolumeClaim.")
    csi_driver_version: AddonVersion = Field(FSX_CSI_DRIVER_VERSION,
                                             description="Version of the aws-fsx-csi-driver add-on (pinned).")

    @property
    def throughput(self) -> int | None:
        """The throughput sent to FSx: the configured one, or the deployment type's lowest tier."""
        tiers = THROUGHPUT_TIERS.get(self.deployment_type)
        if tiers is None:
            return None
        return self.per_unit_storage_throughput or tiers[0]


def fsx_lustre_problems(raw: dict) -> list[Problem]:
    """Rules that span FSx fields and the instance subnets; works on raw (possibly invalid) data."""
    fsx = raw.get("hyperpod_fsx_lustre")
    if not isinstance(fsx, dict) or fsx.get("enabled") is not True:
        return []
    where = "hyperpod_fsx_lustre"
    # Checks run on raw JSON and on a model dump (where every default is present): a key counts as given when it
    # differs from its default.
    given = {key for key, value in fsx.items()
             if key in FsxLustre.model_fields and value is not None and value != FsxLustre.model_fields[key].default}
    if fsx.get("file_system_id") is not None:
        problems = [Problem(f"{where}.{key}", f"got {value_repr(fsx[key])} with file_system_id; allowed: leave it "
                            "out (it configures a file system the stack creates)")
                    for key in _CREATE_ONLY_KEYS if key in given]
        problems += [Problem(f"{where}.{key}", "required with file_system_id; allowed: the existing file system's "
                             f"{key.replace('_', ' ')} (aws fsx describe-file-systems)")
                     for key in _EXISTING_KEYS if not fsx.get(key)]
        return problems
    problems = [Problem(f"{where}.{key}", f"got {value_repr(fsx[key])} without file_system_id; allowed: leave it "
                        "out (it describes an existing file system)") for key in _EXISTING_KEYS if key in given]
    problems += _capacity_problems(fsx, where) + _throughput_problems(fsx, where) + _subnet_problems(raw, fsx, where)
    if fsx.get("kms_key_id") is not None and fsx.get("deployment_type") == "SCRATCH_2":
        problems.append(Problem(f"{where}.kms_key_id", f"got {value_repr(fsx['kms_key_id'])} with deployment_type "
                                "SCRATCH_2; allowed: null (FSx encrypts scratch file systems with its own key; a "
                                "customer managed key needs PERSISTENT_1 or PERSISTENT_2)"))
    return problems


def _capacity_problems(fsx: dict, where: str) -> list[Problem]:
    capacity = fsx.get("storage_capacity_gib", 1200)
    if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1200:
        return []  # the field check reports it
    if capacity in SMALL_CAPACITIES_GIB or capacity % CAPACITY_STEP_GIB == 0:
        return []
    below = max(c for c in (*SMALL_CAPACITIES_GIB, capacity // CAPACITY_STEP_GIB * CAPACITY_STEP_GIB) if c < capacity)
    above = (capacity // CAPACITY_STEP_GIB + 1) * CAPACITY_STEP_GIB
    return [Problem(f"{where}.storage_capacity_gib", f"got {capacity}; allowed: 1200, 2400 or a multiple of 2400 GiB "
                    f"(nearest: {below} or {above})")]


def _throughput_problems(fsx: dict, where: str) -> list[Problem]:
    deployment = fsx.get("deployment_type", "PERSISTENT_2")
    throughput = fsx.get("per_unit_storage_throughput")
    if throughput is None or not isinstance(deployment, str) or deployment not in (*THROUGHPUT_TIERS, "SCRATCH_2"):
        return []
    tiers = THROUGHPUT_TIERS.get(deployment)
    if tiers is None:
        return [Problem(f"{where}.per_unit_storage_throughput", f"got {value_repr(throughput)} with deployment_type "
                        f"{deployment}; allowed: null (scratch file systems have a fixed throughput)")]
    if throughput not in tiers:
        return [Problem(f"{where}.per_unit_storage_throughput", f"got {value_repr(throughput)} with deployment_type "
                        f"{deployment}; allowed: {', '.join(str(t) for t in tiers)}")]
    return []


def _subnet_problems(raw: dict, fsx: dict, where: str) -> list[Problem]:
    subnet, instance_subnets = fsx.get("subnet_id"), raw.get("hyperpod_subnet_ids")
    if not isinstance(subnet, str) or is_token(subnet) or not isinstance(instance_subnets, list):
        return []  # with the EKS cluster's subnets, a Terraform precondition checks it at plan time
    if subnet in instance_subnets:
        return []
    return [Problem(f"{where}.subnet_id", f"got {value_repr(subnet)}; allowed: one of hyperpod_subnet_ids "
                    f"({', '.join(str(s) for s in instance_subnets)}), so the file system sits in an Availability "
                    "Zone of the instances that mount it")]
