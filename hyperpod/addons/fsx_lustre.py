"""An FSx for Lustre file system in a subnet of the instances, reachable from the instances only."""

from __future__ import annotations

from typing import Mapping, Sequence

from hyperpod.runtime.core import Fn, Precondition, TerraformResourceLifecycle, Token
from hyperpod.runtime.aws.fsx_lustre_file_system import FsxLustreFileSystem
from hyperpod.runtime.aws.security_group import SecurityGroup
from hyperpod.runtime.aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from hyperpod.runtime.aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from hyperpod.runtime.constructs import Construct

from hyperpod.config import FsxLustre, is_token

# FSx for Lustre user guide, "File system access control with Amazon VPC": Lustre uses TCP 988 and 1018-1023,
# between the file servers themselves and between clients and servers, in both directions.
LUSTRE_PORTS = ((988, 988), (1018, 1023))
FILE_SYSTEM_TYPE_VERSION = "2.15"  # the newest Lustre version FSx offers; fixed so a provider default cannot move it


class LustreFileSystem(Construct):
    """The file system, its security group, and Lustre rules between it and the instances' security group."""

    def __init__(self, scope: Construct, id: str, *, fsx: FsxLustre, cluster_name: str, vpc_id: str,
                 instance_subnet_ids: Sequence[str] | str, instance_security_group_id: str, prevent_destroy: bool,
                 tags: Mapping[str, str]):
        super().__init__(scope, id)
        self.security_group = SecurityGroup(
            self, "security-group", name_prefix=f"{cluster_name[:40]}-lustre-", vpc_id=vpc_id,
            description="FSx for Lustre: Lustre traffic with HyperPod instances only",
            tags={**tags, "Name": f"{cluster_name}-hyperpod-lustre"})
        for low, high in LUSTRE_PORTS:
            ports = f"{low}" if low == high else f"{low}-{high}"
            for peer, who in ((self.security_group.id, "file servers"), (instance_security_group_id, "instances")):
                peer_id = "self" if who == "file servers" else "instances"
                VpcSecurityGroupIngressRule(
                    self, f"in-{peer_id}-{ports}", security_group_id=self.security_group.id, ip_protocol="tcp",
                    from_port=low, to_port=high, referenced_security_group_id=peer,
                    description=f"Lustre {ports} from the {who}")
                VpcSecurityGroupEgressRule(
                    self, f"out-{peer_id}-{ports}", security_group_id=self.security_group.id, ip_protocol="tcp",
                    from_port=low, to_port=high, referenced_security_group_id=peer,
                    description=f"Lustre {ports} to the {who}")
            # Lustre servers also open connections to their clients.
            VpcSecurityGroupIngressRule(
                self, f"instances-from-lustre-{ports}", security_group_id=instance_security_group_id,
                ip_protocol="tcp", from_port=low, to_port=high, referenced_security_group_id=self.security_group.id,
                description=f"Lustre {ports} from the FSx for Lustre file system")

        # The EKS cluster's subnets arrive as a list token; configured subnets are literals.
        from_lookup = isinstance(instance_subnet_ids, str) or any(is_token(s) for s in instance_subnet_ids)
        first_subnet = Fn.element(instance_subnet_ids, 0) if from_lookup else list(instance_subnet_ids)[0]
        subnet = fsx.subnet_id or first_subnet
        # A configured subnet among configured instance subnets is checked with the config; against the EKS
        # cluster's subnets only Terraform can check it.
        checks = [Precondition(
            condition=Fn.contains(Token.as_list(instance_subnet_ids), subnet),
            error_message="hyperpod_fsx_lustre.subnet_id must be one of the HyperPod instances' subnets (the EKS "
                          "cluster's subnets), so the file system sits in an Availability Zone of the instances "
                          "that mount it")] if fsx.subnet_id and from_lookup else None
        self.file_system = FsxLustreFileSystem(
            self, "file-system", storage_capacity=fsx.storage_capacity_gib, deployment_type=fsx.deployment_type,
            per_unit_storage_throughput=fsx.throughput, subnet_ids=[subnet],
            security_group_ids=[self.security_group.id], file_system_type_version=FILE_SYSTEM_TYPE_VERSION,
            data_compression_type="LZ4", kms_key_id=fsx.kms_key_id, tags={**tags, "Name": f"{cluster_name}-hyperpod"},
            lifecycle=TerraformResourceLifecycle(prevent_destroy=prevent_destroy, precondition=checks))

    @property
    def id(self) -> str:
        return self.file_system.id

    @property
    def dns_name(self) -> str:
        return self.file_system.dns_name

    @property
    def mount_name(self) -> str:
        return self.file_system.mount_name
