"""The network an instance group runs in when it names its own (`subnet_ids`, `security_group_ids`).

A group's `security_group_ids` replace the cluster's security groups for that group (SageMaker API,
ClusterInstanceGroupSpecification.OverrideVpcConfig: the group-level VPC configuration overrides the cluster's). The
cluster's list carries what the instances need to work, so a group that names its own loses them unless it lists
groups that allow the same:
- the EKS cluster security group: EKS lets the control plane and the cluster's nodes reach each other through it
  (Amazon EKS user guide, "View Amazon EKS security group requirements for clusters");
- the instance security group this stack creates (`hyperpod_create_security_group`): all traffic between HyperPod
  instances, which EFA and NCCL need (HyperPod prerequisites), and the one group the FSx for Lustre file system the
  stack creates accepts Lustre traffic (TCP 988, 1018-1023) from (hyperpod/addons/fsx_lustre.py).
"""

from __future__ import annotations

from hyperpod.config.errors import Problem, value_repr


def group_network_problems(raw: dict) -> list[Problem]:
    """A warning for each group whose own security groups replace the ones the stack gives every instance."""
    groups = raw.get("hyperpod_instance_groups")
    if not isinstance(groups, list):
        return []
    creates_group = raw.get("hyperpod_create_security_group", True) is not False
    fsx = raw.get("hyperpod_fsx_lustre")
    creates_file_system = isinstance(fsx, dict) and fsx.get("enabled") is True and fsx.get("file_system_id") is None
    missing = ["the EKS cluster security group (the control plane and the other nodes reach the nodes through it: "
               "without an equivalent the nodes may not join the cluster; aws eks describe-cluster shows its id as "
               "resourcesVpcConfig.clusterSecurityGroupId)"]
    if creates_group:
        missing.append("the instance security group the stack creates (all traffic between HyperPod instances for "
                       "EFA/NCCL" + (", and the only group the created FSx for Lustre file system accepts Lustre "
                                     "traffic from" if creates_file_system else "") + ")")
    problems = []
    for index, group in enumerate(groups):
        own = group.get("security_group_ids") if isinstance(group, dict) else None
        if not (isinstance(own, list) and own):
            continue
        problems.append(Problem(
            f"hyperpod_instance_groups[{index}].security_group_ids",
            f"got {value_repr(own)}: these replace the cluster's security groups for this group, so its instances "
            f"do not carry {' nor '.join(missing)}; list security groups that allow the same, or leave "
            "security_group_ids out to use the cluster's", severity="warning"))
    return problems
