"""Check 1, identity and scope: who is calling, and whether every ARN in the config lives in that account, partition
and region."""

from __future__ import annotations

from hyperpod.preflight.context import Context
from hyperpod.preflight.deployment import parse_arn
from hyperpod.preflight.verdicts import FAIL, OK, WARN, Check

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
    alarms = context.deployment.alarm_names()
    note = (f"; rollback alarms are names, looked up in account {identity.account}, {context.deployment.region}: "
            f"{', '.join(alarms)}" if alarms else "")
    if failures:
        found.append(Check("identity: ARNs in scope", FAIL, "; ".join(failures + warnings) + note,
                           "use resources of the deployment's partition and region (or deploy to theirs: region)"))
    elif warnings:
        found.append(Check("identity: ARNs in scope", WARN, "; ".join(warnings) + note))
    else:
        found.append(Check("identity: ARNs in scope", OK, f"{len(arns)} ARN(s) in account {identity.account}, "
                                                         f"{identity.partition}, {context.deployment.region}{note}"))
    return found
