"""Check 5, network: the instances' security groups exist in the EKS cluster's VPC; EFA traffic is allowed between
members when the stack does not create the group that allows it; FSx for Lustre's ports; and in subnets without a
route to a NAT or internet gateway, the VPC endpoints the nodes and the enabled features need.

Sources: Amazon EC2 user guide, "Get started with EFA and NCCL", step "Prepare an EFA-enabled security group" (an
inbound and an outbound rule allowing all traffic to and from the security group itself); Amazon FSx for Lustre user
guide, "File system access control with Amazon VPC" (TCP 988 and 1018-1023); Amazon EKS user guide, "Deploy private
clusters with limited internet access" (interface endpoints ec2, ecr.api, ecr.dkr, logs, sts and the S3 gateway
endpoint); SageMaker AI developer guide, "Installing the training operator" (sagemaker.api and eks-auth in private
VPCs); Amazon EKS user guide, "EKS Pod Identity" (eks-auth for the Pod Identity Agent); Amazon Managed Service for
Prometheus user guide, "Using interface VPC endpoints" (aps-workspaces, where the observability collector writes).
"""

from __future__ import annotations

from hyperpod.preflight.context import Context
from hyperpod.preflight.placement import subnets
from hyperpod.preflight.verdicts import FAIL, OK, Check, guarded, in_eks_vpc

LUSTRE_PORTS = ((988, 988), (1018, 1023))  # the same ports the stack opens (hyperpod/addons/fsx_lustre.py)
BASE_ENDPOINTS = ("ec2", "ecr.api", "ecr.dkr", "logs", "sts", "s3")


def _security_groups(context: Context, ids) -> dict[str, dict]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    found = context.aws.call("ec2", "DescribeSecurityGroups", page_key="SecurityGroups",
                             Filters=[{"Name": "group-id", "Values": ids}])
    return {g["GroupId"]: g for g in found}


def _instance_groups(context: Context) -> dict[str, tuple[str, ...]]:
    """Instance group name -> the security groups its instances carry (besides one the stack creates)."""
    _, _, cluster_group = context.eks_vpc()
    return {g.name: context.deployment.group_security_groups(g, cluster_group) for g in context.deployment.groups()}


def _allows_itself(group: dict, direction: str) -> bool:
    rules = group.get("IpPermissions" if direction == "in" else "IpPermissionsEgress") or []
    return any(rule.get("IpProtocol") == "-1" and any(pair.get("GroupId") == group["GroupId"]
                                                      for pair in rule.get("UserIdGroupPairs") or [])
               for rule in rules)


def _allows_ports(group: dict, low: int, high: int) -> bool:
    for rule in group.get("IpPermissionsEgress") or []:
        if rule.get("IpProtocol") == "-1":
            return True
        if rule.get("IpProtocol") == "tcp" and rule.get("FromPort", 0) <= low and rule.get("ToPort", 0) >= high:
            return True
    return False


def security_group_checks(context: Context) -> list[Check]:
    vpc, _, _ = context.eks_vpc()
    per_group = _instance_groups(context)
    known = _security_groups(context, [sg for ids in per_group.values() for sg in ids])
    found = []
    for sg in sorted({sg for ids in per_group.values() for sg in ids}):
        group = known.get(sg)
        name = f"security group: {sg}"
        found.append(in_eks_vpc(name, "security group", sg, group, vpc, context.deployment.region,
                                "fix hyperpod_security_group_ids (or the group's security_group_ids)")
                     or Check(name, OK, f"{group.get('GroupName')}, {vpc}"))
    config = context.deployment.config
    efa_groups = [g for g in context.deployment.groups() if g.efa]
    if efa_groups:
        name = "network: efa traffic"
        if config.hyperpod_create_security_group:
            found.append(Check(name, OK, "the stack creates a security group allowing all traffic between instances"))
        else:
            missing = [f"{g.name} ({', '.join(per_group[g.name]) or 'no security groups'})" for g in efa_groups
                       if not any(sg in known and _allows_itself(known[sg], "in") and _allows_itself(known[sg], "out")
                                  for sg in per_group[g.name])]
            if missing:
                found.append(Check(name, FAIL, f"EFA groups without a security group allowing all traffic to and "
                                               f"from itself: {', '.join(missing)}",
                                   "add to one of their security groups an inbound and an outbound rule: all "
                                   "traffic, source/destination the security group itself (or set "
                                   "hyperpod_create_security_group true)"))
            else:
                found.append(Check(name, OK, "every EFA group carries a self-referencing all-traffic security group"))
    fsx = config.hyperpod_fsx_lustre
    if fsx.enabled:
        name = "network: fsx lustre ports"
        if fsx.file_system_id is None:
            found.append(Check(name, OK, "the stack creates the file system's security group and opens TCP 988 and "
                                         "1018-1023 both ways"))
        else:
            closed = sorted(g for g, ids in per_group.items()
                            if not all(any(sg in known and _allows_ports(known[sg], lo, hi) for sg in ids)
                                       for lo, hi in LUSTRE_PORTS))
            if closed:
                found.append(Check(name, FAIL, f"groups {', '.join(closed)} cannot reach TCP 988 and 1018-1023 of "
                                               f"{fsx.file_system_id}", "allow outbound TCP 988 and 1018-1023 to "
                                                                         "the file system's security group"))
            else:
                found.append(Check(name, OK, f"outbound TCP 988 and 1018-1023 allowed (the inbound rules of "
                                             f"{fsx.file_system_id}'s security group are not checked)"))
    return found


def _route_table(context: Context, subnet_id: str, vpc: str) -> dict | None:
    tables = context.aws.call("ec2", "DescribeRouteTables", page_key="RouteTables",
                              Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])
    if not tables:  # no explicit association: the VPC's main route table applies (Amazon VPC user guide)
        tables = context.aws.call("ec2", "DescribeRouteTables", page_key="RouteTables",
                                  Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                           {"Name": "association.main", "Values": ["true"]}])
    return tables[0] if tables else None


def _has_egress(table: dict | None) -> bool:
    for route in (table or {}).get("Routes") or []:
        if route.get("DestinationCidrBlock") != "0.0.0.0/0" or route.get("State") == "blackhole":
            continue
        gateway = route.get("GatewayId") or ""
        if route.get("NatGatewayId") or gateway.startswith("igw-") or route.get("TransitGatewayId") \
                or route.get("NetworkInterfaceId"):
            return True
    return False


def _needed_endpoints(context: Context) -> list[tuple[str, str]]:
    config = context.deployment.config
    needed = [(service, "nodes") for service in BASE_ENDPOINTS]
    addons, fsx = config.hyperpod_addons, config.hyperpod_fsx_lustre
    if addons.training_operator.enabled:
        needed.append(("sagemaker.api", "training operator"))
    if addons.training_operator.enabled or addons.observability.enabled or fsx.enabled:
        needed.append(("eks-auth", "EKS Pod Identity"))
    if addons.observability.enabled:
        needed.append(("aps-workspaces", "observability"))
    return needed


def endpoint_checks(context: Context) -> list[Check]:
    vpc, eks_subnets, _ = context.eks_vpc()
    ids = sorted({s for g in context.deployment.groups() for s in context.deployment.group_subnets(g, eks_subnets)})
    closed = {}
    for subnet_id in (s for s in ids if s in subnets(context, ids)):
        table = _route_table(context, subnet_id, vpc)
        if not _has_egress(table):
            closed[subnet_id] = table
    name = "network: vpc endpoints"
    if not closed:
        return [Check(name, OK, "every instance subnet routes 0.0.0.0/0 to a NAT, internet or transit gateway: no "
                                "endpoints required")]
    endpoints = context.aws.call("ec2", "DescribeVpcEndpoints", page_key="VpcEndpoints",
                                 Filters=[{"Name": "vpc-id", "Values": [vpc]}])
    prefix = f"com.amazonaws.{context.deployment.region}."
    present = {e.get("ServiceName", "").removeprefix(prefix): e for e in endpoints
               if e.get("State", "available").lower() in ("available", "pending")}
    missing = [f"{prefix}{service} ({'Gateway' if service == 's3' else 'Interface'}, for {why})"
               for service, why in _needed_endpoints(context) if service not in present]
    s3 = present.get("s3")
    if s3 is not None and s3.get("VpcEndpointType") == "Gateway":
        unrouted = sorted(s for s, table in closed.items()
                          if table and table.get("RouteTableId") not in (s3.get("RouteTableIds") or []))
        if unrouted:
            missing.append(f"{prefix}s3 gateway endpoint on the route tables of {', '.join(unrouted)}")
    facts = f"no route to a NAT or internet gateway from {', '.join(sorted(closed))}"
    if missing:
        return [Check(name, FAIL, f"{facts}; missing: {'; '.join(missing)}", "add the missing VPC endpoints (their "
                                                                            "security groups must allow HTTPS "
                                                                            "from the instances)")]
    return [Check(name, OK, f"{facts}; endpoints present: {', '.join(sorted(present))}")]


def checks(context: Context) -> list[Check]:
    if context.eks_cluster() is None or not context.deployment.groups():
        return []
    return (guarded("security groups", lambda: security_group_checks(context))
            + guarded("network: vpc endpoints", lambda: endpoint_checks(context)))
