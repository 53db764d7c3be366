"""Check 1, identity and scope: who is calling, whether every ARN in the config lives in that account, partition and
region, and whether the roles and alarms the config names exist (CreateCluster refuses a ClusterRole or a rollback
alarm it cannot find: SageMaker API reference, CreateCluster ClusterRole and DeploymentConfiguration
AutoRollbackConfiguration; IAM API reference, GetRole; CloudWatch API reference, DescribeAlarms)."""

from __future__ import annotations

from hyperpod.preflight.context import Context
from hyperpod.preflight.deployment import parse_arn
from hyperpod.preflight.verdicts import FAIL, OK, WARN, Check, guarded

# AWS General Reference, "Amazon Resource Names": IAM ARNs carry no region (IAM is global).
_GLOBAL_SERVICES = frozenset({"iam"})


def _scope_problems(where: str, arn: str, context: Context) -> tuple[list[str], list[str]]:
    """(failures, warnings) for one ARN."""
    parts, identity, region = parse_arn(arn), context.identity, context.deployment.region
    failures, warnings = [], []
    if parts.get("partition") != identity.partition:
        failures.append(f"{where}: partition {parts.get('partition')!r}, the caller's is {identity.partition!r}")
    if parts.get("service") not in _GLOBAL_SERVICES and parts.get("region") != region:
        # A training plan, KMS key or workspace of another region cannot serve resources created in this one
        # (each is a regional resource: SageMaker, KMS and Amazon Managed Prometheus API references).
        failures.append(f"{where}: region {parts.get('region')}, the deployment's is {region}")
    if parts.get("account") != identity.account:
        # Cross-account use works only when the owner shares it (a KMS key policy, a role trust policy): a warning.
        warnings.append(f"{where}: account {parts.get('account')}, the caller's is {identity.account} (works only "
                        "if that account shares it with this one)")
    return failures, warnings


def role_check(context: Context) -> list[Check]:
    role = context.deployment.config.hyperpod_autoscaling.cluster_role_arn
    if not context.deployment.config.hyperpod_autoscaling.enabled or not role:
        return []
    name = "identity: autoscaler role"
    if parse_arn(role).get("account") != context.identity.account:
        return [Check(name, WARN, f"{role} is in another account: not looked up")]
    found = context.aws.call("iam", "GetRole", missing=("NoSuchEntity",), RoleName=role.rsplit("/", 1)[-1])
    if found is None:
        return [Check(name, FAIL, f"no IAM role {role}", "create the role, or leave "
                                                          "hyperpod_autoscaling.cluster_role_arn out (the stack "
                                                          "creates one)")]
    return [Check(name, OK, f"{found['Role']['Arn']} exists")]


def alarm_check(context: Context) -> list[Check]:
    alarms = context.deployment.alarm_names()
    if not alarms:
        return []
    name = "identity: rollback alarms"
    found = context.aws.call("cloudwatch", "DescribeAlarms", page_key="MetricAlarms", AlarmNames=alarms)
    missing = sorted(set(alarms) - {a.get("AlarmName") for a in found})
    if missing:
        return [Check(name, FAIL, f"no CloudWatch alarm {', '.join(missing)} in {context.deployment.region}",
                      "create the alarms, or fix scheduled_update.rollback_alarms")]
    return [Check(name, OK, f"{', '.join(alarms)} exist in {context.deployment.region}")]


def checks(context: Context) -> list[Check]:
    identity = context.identity
    found = [Check("identity: caller", OK, f"account {identity.account}, partition {identity.partition}, "
                                           f"{identity.arn}")]
    arns = context.deployment.arns()
    failures, warnings = [], []
    for where, arn in arns:
        failed, warned = _scope_problems(where, arn, context)
        failures += failed
        warnings += warned
    if failures:
        found.append(Check("identity: ARNs in scope", FAIL, "; ".join(failures + warnings),
                           "use resources of the deployment's partition and region (or deploy to theirs: region)"))
    elif warnings:
        found.append(Check("identity: ARNs in scope", WARN, "; ".join(warnings)))
    else:
        found.append(Check("identity: ARNs in scope", OK, f"{len(arns)} ARN(s) in account {identity.account}, "
                                                         f"{identity.partition}, {context.deployment.region}"))
    found += guarded("identity: autoscaler role", lambda: role_check(context))
    found += guarded("identity: rollback alarms", lambda: alarm_check(context))
    return found
