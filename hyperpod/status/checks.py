"""Turn what SageMaker and Kubernetes report into pass/pending/fail checks and one verdict."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from hyperpod.commands.output import FAIL, PASS, PENDING  # noqa: F401  (status modules import them from here)
from hyperpod.status.kubernetes import HYPERPOD_NAMESPACE, KubeNode, KubernetesState
from hyperpod.status.sagemaker import SageMakerState

HEALTHY, PROGRESSING, UNHEALTHY = "healthy", "progressing", "unhealthy"

# Cluster checks always decide the verdict; node checks stop deciding it once the user says
# how many schedulable nodes are enough (--min-schedulable), so stragglers do not block a pipeline.
CLUSTER_SCOPE, NODE_SCOPE = "cluster", "nodes"

_CLUSTER_STATUS = {
    "InService": PASS,
    "Creating": PENDING,
    "Updating": PENDING,
    "SystemUpdating": PENDING,
    "RollingBack": PENDING,
    "Failed": FAIL,
    "Deleting": FAIL,
}
# States that waiting cannot turn into InService.
TERMINAL_CLUSTER_STATUSES = frozenset({"Failed", "Deleting"})
_SAGEMAKER_NODE_STATUS = {
    "Running": PASS,
    "Pending": PENDING,
    "SystemUpdating": PENDING,
    "DeepHealthCheckInProgress": PENDING,
    "AttachInProgress": PENDING,
}
_GROUP_STATUS = {"Failed": FAIL, "Degraded": FAIL, "Deleting": FAIL}
_RELEASE_STATUS = {"deployed": PASS, "pending-install": PENDING, "pending-upgrade": PENDING,
                   "pending-rollback": PENDING}
_LIST_LIMIT = 5  # names quoted in one detail line; the full list is in --json and the node table


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str
    scope: str = CLUSTER_SCOPE


@dataclass(frozen=True)
class NodeProblem:
    node: KubeNode
    status: str  # PENDING or FAIL
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Evaluation:
    checks: tuple[Check, ...]
    node_problems: tuple[NodeProblem, ...]
    schedulable: int
    min_schedulable: int | None
    terminal: str | None  # why waiting is pointless, if it is

    def deciding(self) -> tuple[Check, ...]:
        if self.min_schedulable is None:
            return self.checks
        return tuple(c for c in self.checks if c.scope == CLUSTER_SCOPE)

    @property
    def verdict(self) -> str:
        statuses = {c.status for c in self.deciding()}
        return UNHEALTHY if FAIL in statuses else PROGRESSING if PENDING in statuses else HEALTHY

    def outstanding(self) -> tuple[Check, ...]:
        """The deciding checks that have not passed: what `wait` is still waiting for."""
        return tuple(c for c in self.deciding() if c.status != PASS)

    def summary(self) -> str:
        """One line: the worst outstanding check in full, then the names of the others."""
        ordered = sorted(self.outstanding(), key=lambda c: c.status != FAIL)
        if not ordered:
            return f"{self.verdict}: all checks pass"
        first, rest = ordered[0], ordered[1:]
        line = f"{self.verdict}: {first.name} ({first.status}: {first.detail})"
        if rest:
            line += f"; also {', '.join(f'{c.name} ({c.status})' for c in rest)}"
        return line


def _worst(statuses) -> str:
    statuses = set(statuses)
    return FAIL if FAIL in statuses else PENDING if PENDING in statuses else PASS


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _names(items, limit: int = _LIST_LIMIT) -> str:
    items = sorted(items)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def node_problem(node: KubeNode) -> NodeProblem | None:
    """Why a HyperPod node cannot take training pods now, or None when it can."""
    fails, pendings = [], []
    if not node.ready:
        fails.append(f"NotReady{f' ({node.ready_reason})' if node.ready_reason else ''}")
    if node.health is None:
        pendings.append("no node-health-status label yet")
    elif node.health == "Unschedulable":
        # HyperPod marks a node Unschedulable while its deep health check runs; say it once.
        if node.deep_health != "InProgress":
            pendings.append("Unschedulable")
    elif node.health in ("UnschedulablePendingReplacement", "UnschedulablePendingReboot"):
        fails.append(node.health)
    elif node.health != "Schedulable":
        fails.append(f"unknown node-health-status {node.health!r}")
    if node.deep_health == "Failed":
        fails.append("deep health check Failed")
    elif node.deep_health == "InProgress":
        pendings.append("deep health check InProgress")
    if node.cordoned:
        fails.append("cordoned")
    if not fails and not pendings:
        return None
    return NodeProblem(node, FAIL if fails else PENDING, tuple(fails + pendings))


def _capacity_checks(state: SageMakerState) -> list[Check]:
    """Provisioning mode and Karpenter autoscaling, when the cluster reports them."""
    checks = []
    if state.provisioning_mode:
        checks.append(Check("sagemaker: provisioning", PASS, f"{state.provisioning_mode} (current/target per group "
                                                             "above; capacity arrives in the background)"))
    scaling = state.autoscaling
    if scaling is not None:
        detail = f"{scaling.mode} ({scaling.autoscaler or 'autoscaler unknown'})"
        if scaling.status:
            detail += f", {scaling.status}"
        if scaling.failure_message:
            detail += f": {scaling.failure_message}"
        checks.append(Check("sagemaker: autoscaling", FAIL if scaling.failure_message else PASS, detail))
    return checks


def _sagemaker_checks(state: SageMakerState) -> list[Check]:
    where = f"{state.cluster_name} in {state.region}"
    if not state.found:
        return [Check("sagemaker: cluster", FAIL, f"cluster {where} not found")]
    detail = state.status or "unknown"
    if state.failure_message:
        detail += f": {state.failure_message}"
    checks = [Check("sagemaker: cluster", _CLUSTER_STATUS.get(state.status, FAIL), detail)]
    for group in state.instance_groups:
        status = PASS if group.current_count == group.target_count else PENDING
        status = _GROUP_STATUS.get(group.status, status)
        detail = (f"{group.current_count} of {_count(group.target_count, 'instance')} "
                  f"({group.instance_type})")
        if group.min_count is not None:
            detail += f", InService from {group.min_count}"
        if group.status:
            detail += f", group {group.status}"
        if group.patching:
            detail += f", {group.patching}"
        checks.append(Check(f"sagemaker: group {group.name}", status, detail, NODE_SCOPE))
    for group in state.restricted_groups:
        status = _GROUP_STATUS.get(group.status, PASS if group.current_count == group.target_count else PENDING)
        detail = f"{group.current_count} of {_count(group.target_count, 'instance')} ({group.instance_type})"
        checks.append(Check(f"sagemaker: restricted group {group.name}", status,
                            detail + (f", group {group.status}" if group.status else ""), NODE_SCOPE))
    checks += _capacity_checks(state)
    by_status = Counter(node.status for node in state.nodes)
    running = by_status.get("Running", 0)
    others = [f"{node.instance_id} {node.status}" for node in state.nodes if node.status != "Running"]
    detail = f"{running} of {len(state.nodes)} Running"
    if others:
        detail += f"; {_names(others)}"
    status = _worst(_SAGEMAKER_NODE_STATUS.get(s, FAIL) for s in by_status) if by_status else PASS
    checks.append(Check("sagemaker: nodes", status, detail, NODE_SCOPE))
    return checks


def _group_detail(nodes: list[KubeNode]) -> str:
    ready = sum(node.ready for node in nodes)
    health = Counter(node.health or "no label" for node in nodes)
    deep = Counter(node.deep_health for node in nodes if node.deep_health)
    detail = f"{_count(len(nodes), 'node')}, {ready} Ready; " + ", ".join(
        f"{count} {label}" for label, count in sorted(health.items())
    )
    if deep:
        detail += "; deep health check " + ", ".join(f"{c} {s}" for s, c in sorted(deep.items()))
    return detail


def _node_checks(sagemaker: SageMakerState, kube: KubernetesState, problems) -> list[Check]:
    groups: dict[str, list[KubeNode]] = {}
    for node in kube.nodes:
        groups.setdefault(node.group, []).append(node)
    expected = {g.name: g.target_count for g in sagemaker.instance_groups}
    checks = []
    for name in sorted(set(groups) | {g for g, target in expected.items() if target > 0}):
        members = groups.get(name, [])
        if not members:
            checks.append(Check(f"kubernetes: group {name}", PENDING,
                                f"no nodes in Kubernetes yet (SageMaker targets {expected[name]})",
                                NODE_SCOPE))
            continue
        member_names = {node.name for node in members}
        status = _worst(p.status for p in problems if p.node.name in member_names)
        checks.append(Check(f"kubernetes: group {name}", status, _group_detail(members), NODE_SCOPE))
    if not checks:
        checks.append(Check("kubernetes: nodes", FAIL, "no HyperPod nodes in Kubernetes", NODE_SCOPE))
    return checks


def _component_checks(kube: KubernetesState, release_name: str, release_namespace: str) -> list[Check]:
    agents = [ds for ds in kube.daemonsets if ds.name.startswith("health-monitoring-agent")]
    checks = []
    if not agents:
        checks.append(Check("kubernetes: health monitoring agent", FAIL,
                            f"no health-monitoring-agent DaemonSet in {HYPERPOD_NAMESPACE}"))
    for ds in kube.daemonsets:
        status = PASS if ds.ready >= ds.desired else FAIL
        checks.append(Check(f"kubernetes: daemonset {ds.name}", status,
                            f"{ds.ready} of {ds.desired} pods ready in {HYPERPOD_NAMESPACE}"))
    release = kube.release
    if release is None:
        checks.append(Check("kubernetes: helm release", FAIL,
                            f"release {release_name} not found in namespace {release_namespace}"))
    else:
        checks.append(Check("kubernetes: helm release", _RELEASE_STATUS.get(release.status, FAIL),
                            f"{release.name} in {release.namespace}: {release.status}, "
                            f"revision {release.revision}"))
    return checks


def _sync_check(sagemaker: SageMakerState, kube: KubernetesState) -> Check:
    known = {node.instance_id: node for node in sagemaker.nodes}
    seen = {node.instance_id for node in kube.nodes if node.instance_id}
    missing = [i for i in known if i not in seen]
    unknown = [node.name for node in kube.nodes if node.instance_id not in known]
    if not missing and not unknown:
        return Check("nodes: sagemaker vs kubernetes", PASS,
                     f"all {len(known)} nodes known to both", NODE_SCOPE)
    parts = []
    if missing:
        parts.append(f"not in Kubernetes: {_names(missing)}")
    if unknown:
        parts.append(f"unknown to SageMaker: {_names(unknown)}")
    # A node SageMaker is still launching has not joined Kubernetes yet: that is progress, not a fault.
    launching = all(known[i].status != "Running" for i in missing)
    status = PENDING if launching and not unknown else FAIL
    return Check("nodes: sagemaker vs kubernetes", status, "; ".join(parts), NODE_SCOPE)


def evaluate(
    sagemaker: SageMakerState,
    kube: KubernetesState,
    release_name: str,
    release_namespace: str,
    min_schedulable: int | None = None,
    addon_checks: Sequence[Check] = (),
) -> Evaluation:
    """addon_checks: the checks beyond the chart (hyperpod.status.addon_checks), decided alongside the others."""
    problems = tuple(p for p in map(node_problem, kube.nodes) if p is not None)
    schedulable = len(kube.nodes) - len(problems)
    checks = _sagemaker_checks(sagemaker)
    checks += _node_checks(sagemaker, kube, problems)
    if sagemaker.found:
        checks.append(_sync_check(sagemaker, kube))
    checks += _component_checks(kube, release_name, release_namespace)
    checks += addon_checks
    if min_schedulable is not None:
        status = PASS if schedulable >= min_schedulable else PENDING
        checks.append(Check("kubernetes: schedulable nodes", status,
                            f"{schedulable} schedulable, need {min_schedulable}"))
    terminal = None
    if not sagemaker.found:
        terminal = f"cluster {sagemaker.cluster_name} does not exist in {sagemaker.region}"
    elif sagemaker.status in TERMINAL_CLUSTER_STATUSES:
        terminal = f"cluster is {sagemaker.status}" + (
            f": {sagemaker.failure_message}" if sagemaker.failure_message else "")
    return Evaluation(tuple(checks), problems, schedulable, min_schedulable, terminal)
