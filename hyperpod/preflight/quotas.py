"""Check 3, quotas: for each instance type, the instances this config needs plus those the account's other HyperPod
clusters already run, against the SageMaker service quota "<type> for cluster usage".

Sources: SageMaker AI developer guide, "SageMaker HyperPod prerequisites", section "SageMaker HyperPod quotas" (the
quotas for cluster usage, found in Service Quotas under Amazon SageMaker by searching "cluster usage"). "used" also
counts what the run's other configs in the region ask for: one account's quota serves them all. Service Quotas
API reference: ListServiceQuotas returns applied values only ("if the applied quota value is not available for a
quota, the quota is not retrieved"), ListAWSDefaultServiceQuotas the defaults, so both are read.
AWS documents no name for a spot variant: spot groups are compared with a quota whose name carries the type, "spot"
and "cluster usage" when the account lists one, else the check says it found none.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

from hyperpod.preflight.context import Context
from hyperpod.preflight.verdicts import FAIL, OK, WARN, Check
from hyperpod.status.sagemaker import is_missing_cluster

SERVICE_CODE = "sagemaker"
_DESCRIBE_WORKERS = 8


def _quotas(context: Context) -> dict[str, dict]:
    """Quota name -> ServiceQuota: the defaults, overridden by applied values."""
    by_name = {}
    for operation in ("ListAWSDefaultServiceQuotas", "ListServiceQuotas"):
        for quota in context.aws.call("service-quotas", operation, page_key="Quotas", ServiceCode=SERVICE_CODE):
            by_name[quota.get("QuotaName", "")] = quota
    return by_name


def _quota_for(quotas: dict[str, dict], instance_type: str, spot: bool) -> dict | None:
    if not spot:
        return quotas.get(f"{instance_type} for cluster usage")
    for name, quota in sorted(quotas.items()):
        words = name.lower()
        if instance_type in words and "spot" in words and "cluster usage" in words:
            return quota
    return None


def needs(deployment) -> dict[tuple[str, bool], int]:
    """Instances a config asks for, by (type, spot)."""
    needed: dict[tuple[str, bool], int] = defaultdict(int)
    for group in deployment.groups():
        needed[(group.instance_type, group.spot)] += group.count
    return needed


def _in_use(context: Context) -> dict[tuple[str, bool], int]:
    """Instances the account's other HyperPod clusters in this region run, by (type, spot): ListClusters, then
    DescribeCluster's CurrentCount per group (ClusterInstanceGroupDetails; CapacityRequirements.Spot marks spot).
    Clusters of this run's configs count with what their configs ask for instead (an apply resizes them)."""
    planned = {context.deployment.cluster_name} | {n.cluster_name for n in context.neighbours}
    names = [c["ClusterName"] for c in context.aws.call("sagemaker", "ListClusters", page_key="ClusterSummaries")
             if c.get("ClusterName") not in planned]

    def describe(name: str) -> dict | None:
        return context.aws.call("sagemaker", "DescribeCluster", missing=is_missing_cluster, ClusterName=name)

    used: dict[tuple[str, bool], int] = defaultdict(int)
    with ThreadPoolExecutor(max_workers=_DESCRIBE_WORKERS) as pool:
        for description in pool.map(describe, names):
            for group in (description or {}).get("InstanceGroups", []):
                spot = bool((group.get("CapacityRequirements") or {}).get("Spot") is not None)
                used[(group.get("InstanceType", ""), spot)] += int(group.get("CurrentCount") or 0)
    for neighbour in context.neighbours:
        for kind, count in needs(neighbour).items():
            used[kind] += count
    return used


def checks(context: Context) -> list[Check]:
    needed = needs(context.deployment)
    if not needed:
        return []
    quotas, used = _quotas(context), _in_use(context)
    found = []
    for (instance_type, spot), count in sorted(needed.items()):
        kind = "spot" if spot else "on-demand"
        name = f"quota: {instance_type} ({kind})"
        quota = _quota_for(quotas, instance_type, spot)
        in_use = used.get((instance_type, spot), 0)
        if quota is None:
            wanted = f"a quota named like '{instance_type} for spot cluster usage'" if spot \
                else f"'{instance_type} for cluster usage'"
            found.append(Check(name, WARN, f"used {in_use} / needed {count} / quota unknown: Service Quotas lists no "
                                           f"{wanted} for SageMaker in {context.deployment.region}",
                               "check the type is offered for HyperPod in this region (Service Quotas console, "
                               "Amazon SageMaker, search 'cluster usage')"))
            continue
        value = int(quota.get("Value") or 0)
        facts = f"used {in_use} / needed {count} / quota {value} ('{quota.get('QuotaName')}')"
        if in_use + count > value:
            code = quota.get("QuotaCode", "<quota code>")
            found.append(Check(name, FAIL, facts,
                               f"request '{quota.get('QuotaName')}' of at least {in_use + count}: aws "
                               f"service-quotas request-service-quota-increase --service-code {SERVICE_CODE} "
                               f"--quota-code {code} --desired-value {in_use + count} --region "
                               f"{context.deployment.region}"))
        else:
            found.append(Check(name, OK, facts))
    return found
