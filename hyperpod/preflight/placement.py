"""Check 4, subnets and zones: every subnet exists in the EKS cluster's VPC with room for the groups placed on it; a
training plan's zone, instance type and count match the group that uses it, for now; autoscaled groups' zones.

IP addresses per node: AWS documents no number for HyperPod nodes. A node needs at least its primary private IPv4
address (certain: the check fails below that). With the Amazon VPC CNI's default WARM_ENI_TARGET=1 a node also
fills its primary network interface with secondary addresses and keeps one more interface's worth warm
(aws/amazon-vpc-cni-k8s, docs/eni-and-ip-target.md), so the estimate is 2 x EC2 DescribeInstanceTypes'
Ipv4AddressesPerInterface of the underlying EC2 type; below the estimate is a warning that states this assumption.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone

from hyperpod.preflight.context import Context
from hyperpod.preflight.deployment import Group
from hyperpod.preflight.verdicts import FAIL, OK, WARN, Check, guarded, in_eks_vpc, plural

# SageMaker AI developer guide, "Training plan utilization for SageMaker HyperPod clusters": the plan's status must be
# Scheduled or Active, and the cluster's configuration must match the plan's Availability Zone. SageMaker API
# reference, TrainingPlanOffering.TargetResources: "Training plans are specific to their target resource" (a plan for
# training jobs cannot serve a cluster's instance group); DescribeTrainingPlan / ReservedCapacitySummary give the
# status, type, count and zone compared here.
_PLAN_USABLE = {"Active", "Scheduled"}
HYPERPOD_TARGET = "hyperpod-cluster"


def subnets(context: Context, ids) -> dict[str, dict]:
    """DescribeSubnets filtered by id: ids that do not exist are simply absent (a plain SubnetIds list fails whole)."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    found = context.aws.call("ec2", "DescribeSubnets", page_key="Subnets",
                             Filters=[{"Name": "subnet-id", "Values": ids}])
    return {s["SubnetId"]: s for s in found}


def _ips_per_node(context: Context, instance_type: str) -> int | None:
    answer = context.aws.call("ec2", "DescribeInstanceTypes", page_key="InstanceTypes",
                              Filters=[{"Name": "instance-type", "Values": [instance_type.removeprefix("ml.")]}])
    per_interface = ((answer[0].get("NetworkInfo") or {}).get("Ipv4AddressesPerInterface") if answer else None)
    return 2 * int(per_interface) if per_interface else None


def subnet_checks(context: Context) -> list[Check]:
    vpc, eks_subnets, _ = context.eks_vpc()
    groups = context.deployment.groups()
    placed: dict[tuple[str, ...], list[Group]] = defaultdict(list)
    for group in groups:
        placed[tuple(sorted(context.deployment.group_subnets(group, eks_subnets)))].append(group)
    known = subnets(context, [s for ids in placed for s in ids])
    found = []
    for subnet_id in sorted({s for ids in placed for s in ids}):
        subnet = known.get(subnet_id)
        name = f"subnet: {subnet_id}"
        found.append(in_eks_vpc(name, "subnet", subnet_id, subnet, vpc, context.deployment.region,
                                "fix the subnet id (hyperpod_subnet_ids or the group's subnet_ids)")
                     or Check(name, OK, f"{subnet.get('AvailabilityZone')}, {vpc}, "
                                        f"{subnet.get('AvailableIpAddressCount')} free IPv4 addresses"))
    for ids, members in sorted(placed.items()):
        present = [known[s] for s in ids if s in known]
        if not present:
            continue
        free = sum(int(s.get("AvailableIpAddressCount") or 0) for s in present)
        nodes = sum(g.count for g in members)
        estimate = 0
        for group in members:
            per_node = _ips_per_node(context, group.instance_type)
            estimate += group.count * (per_node or 1)
        name = f"ip addresses: {', '.join(g.name for g in members)}"
        facts = f"{plural(nodes, 'node')} on {', '.join(ids)}: {free} free, at least {nodes} needed, about " \
                f"{estimate} estimated (2 x IPv4 addresses per interface per node, the VPC CNI's default warm pool)"
        if free < nodes:
            found.append(Check(name, FAIL, facts, "free addresses in these subnets or add subnets with room"))
        elif free < estimate:
            found.append(Check(name, WARN, facts + "; AWS documents no per-node number for HyperPod: this is an "
                                                   "estimate"))
        else:
            found.append(Check(name, OK, facts))
    return found


def _plan_check(context: Context, group: Group, zones: set[str], now: datetime) -> Check:
    name = f"training plan: {group.name}"
    plan = context.aws.call("sagemaker", "DescribeTrainingPlan", missing=("ResourceNotFound",),
                            TrainingPlanName=group.training_plan_arn)
    if plan is None:
        return Check(name, FAIL, f"no training plan {group.training_plan_arn}",
                     f"fix {group.where}.training_plan_arn")
    problems, warnings = [], []
    status = plan.get("Status")
    if status not in _PLAN_USABLE:
        problems.append(f"status {status} (HyperPod takes Scheduled or Active plans)")
    elif status != "Active":
        start = plan.get("StartTime")
        warnings.append(f"status {status}" + (f", capacity from {start}" if start else "")
                        + ": instances wait for the plan to start")
    end = plan.get("EndTime")
    if isinstance(end, datetime) and end <= now:
        problems.append(f"ended {end.isoformat()}")
    targets = plan.get("TargetResources") or []
    if HYPERPOD_TARGET not in targets:
        problems.append(f"serves {', '.join(targets) or 'nothing'}, not {HYPERPOD_TARGET}")
    summaries = plan.get("ReservedCapacitySummaries") or []
    reserved = [r for r in summaries if r.get("InstanceType") == group.instance_type]
    if not reserved:
        types = sorted({r.get("InstanceType", "?") for r in summaries})
        problems.append(f"reserves {', '.join(types) or 'no instances'}, the group needs {group.instance_type}")
    else:
        total = sum(int(r.get("TotalInstanceCount") or 0) for r in reserved)
        if group.count > total:
            problems.append(f"reserves {total} {group.instance_type}, the group asks for {group.count}")
        plan_zones = {r.get("AvailabilityZone") for r in reserved if r.get("AvailabilityZone")}
        if plan_zones and zones and not plan_zones & zones:
            problems.append(f"capacity in {', '.join(sorted(plan_zones))}, the group's subnets are in "
                            f"{', '.join(sorted(zones))}")
    capacity = ", ".join(f"{r.get('TotalInstanceCount')} {r.get('InstanceType')} in {r.get('AvailabilityZone')}"
                         for r in reserved)
    facts = f"{plan.get('TrainingPlanName')}: " + "; ".join(problems + warnings or [f"{status}, {capacity}"])
    if problems:
        return Check(name, FAIL, facts, "use a plan that reserves the group's type and count in a zone of its subnets "
                                        f"(add a subnet in the plan's zone to {group.where}.subnet_ids), active now")
    return Check(name, WARN if warnings else OK, facts)


def plan_checks(context: Context) -> list[Check]:
    _, eks_subnets, _ = context.eks_vpc()
    now = datetime.now(timezone.utc)
    found = []
    for group in context.deployment.groups():
        if group.training_plan_arn:
            ids = context.deployment.group_subnets(group, eks_subnets)
            zones = {s.get("AvailabilityZone") for s in subnets(context, ids).values()}
            found += guarded(f"training plan: {group.name}",
                             lambda g=group, z=zones: [_plan_check(context, g, z, now)])
    return found


def autoscaling_zone_check(context: Context) -> list[Check]:
    """SageMaker AI developer guide, "Create a NodeClass" (HyperPod Karpenter autoscaling), considerations: "Subnets
    used by the instance group should belong to the same AZ" (the NodeClass maps each group to its zone)."""
    _, eks_subnets, _ = context.eks_vpc()
    found = []
    for group in context.deployment.groups():
        if not group.autoscaled:
            continue
        zones = sorted({s.get("AvailabilityZone") for s in
                        subnets(context, context.deployment.group_subnets(group, eks_subnets)).values()})
        name = f"autoscaling zones: {group.name}"
        if len(zones) > 1:
            found.append(Check(name, FAIL, f"subnets in {len(zones)} zones ({', '.join(zones)}); a Karpenter-scaled "
                                           "group's subnets must be in one zone",
                               f"give {group.where} subnet_ids of one zone (one group per zone)"))
        else:
            found.append(Check(name, OK, f"subnets in {', '.join(zones) or 'no known zone'}"))
    return found


def checks(context: Context) -> list[Check]:
    if context.eks_cluster() is None or not context.deployment.groups():
        return []
    return (guarded("subnets", lambda: subnet_checks(context)) + plan_checks(context)
            + guarded("autoscaling zones", lambda: autoscaling_zone_check(context)))
