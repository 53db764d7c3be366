"""One status run or one wait, from validated options to printed report and exit code."""

from __future__ import annotations

import shutil
import sys
from dataclasses import replace

from hyperpod.status.addon_checks import addon_checks
from hyperpod.status.checks import FAIL, HEALTHY, Check, Evaluation, evaluate
from hyperpod.status.eks import eks_client, eks_cluster_name, fetch_addon_states
from hyperpod.commands.errors import UsageError
from hyperpod.status.expected import expected_device_plugins
from hyperpod.status.kubernetes import api_client, fetch_kubernetes_state
from hyperpod.status.kubernetes_addons import fetch_addon_kubernetes_state
from hyperpod.commands.output import use_colour
from hyperpod.status.report import render_json, render_table
from hyperpod.status.sagemaker import SageMakerState, fetch_sagemaker_state, sagemaker_client
from hyperpod.status.scheduler import fetch_scheduler_policy, scheduler_policy_check
from hyperpod.status.waiting import format_duration, wait_until_healthy

HEALTHY_EXIT, UNHEALTHY_EXIT = 0, 1


class _Poller:
    """Reads both sides once per call; keeps the last SageMaker view for the report header."""

    def __init__(self, options):
        self.options = options
        self.sagemaker_client = sagemaker_client(options.region, options.endpoint_url)
        self.api = api_client(options.kubeconfig, options.context)
        self.sagemaker: SageMakerState | None = None
        self.expected = options.expectations
        self.eks_client = eks_client(options.region) if self.expected.addons else None

    def __call__(self) -> Evaluation:
        o = self.options
        self.sagemaker = fetch_sagemaker_state(self.sagemaker_client, o.cluster, o.region)
        kube = fetch_kubernetes_state(self.api, self.sagemaker.cluster_name, o.release_name,
                                      o.release_namespace)
        extra = self._policy() + self._beyond_chart() if self.sagemaker.found else []
        return evaluate(self.sagemaker, kube, o.release_name, o.release_namespace,
                        o.min_schedulable, extra)

    def _eks_cluster(self) -> str:
        name = (self.options.eks_cluster or eks_cluster_name(self.sagemaker.eks_cluster_arn)
                or self.expected.eks_cluster)
        if name is None:
            raise UsageError("--eks-cluster: needed to check add-ons, and SageMaker did not report the cluster's "
                             "EKS orchestrator (give --eks-cluster NAME or --config)")
        return name

    def _policy(self) -> list[Check]:
        """Task governance's cluster policy, only when the --config has the stack create one."""
        name, state = self.expected.scheduler_policy, self.sagemaker
        if name is None:
            return []
        if not state.cluster_arn:
            return [Check(f"sagemaker: cluster policy {name}", FAIL, "SageMaker did not report the cluster's ARN")]
        policy = fetch_scheduler_policy(self.sagemaker_client, state.cluster_arn, name, self.options.region)
        self.sagemaker = replace(state, scheduler_policy=policy)
        return [scheduler_policy_check(policy, state.cluster_name)]

    def _beyond_chart(self) -> list[Check]:
        """Add-ons, device plugins and the FSx claim: what the deployment runs besides the HyperPod chart."""
        o, expected = self.options, self.expected
        types = [t for g in self.sagemaker.instance_groups if g.target_count > 0 for t in g.instance_types]
        plugins = expected_device_plugins(types, o.release_name, o.release_namespace)
        cluster, states = "", ()
        if expected.addons:
            cluster = self._eks_cluster()
            states = fetch_addon_states(self.eks_client, cluster, o.region, [a.name for a in expected.addons])
        namespaces = sorted({a.namespace for a in expected.addons if a.namespace})
        kube = fetch_addon_kubernetes_state(self.api, namespaces, plugins, expected.claim)
        return addon_checks(expected.addons, states, cluster, plugins, expected.claim, kube)

    def close(self) -> None:
        self.api.close()


def _print_report(evaluation: Evaluation, sagemaker: SageMakerState, as_json: bool) -> None:
    if as_json:
        print(render_json(evaluation, sagemaker))
    else:
        print(render_table(evaluation, sagemaker, use_colour(sys.stdout)))


def _outstanding_line(evaluation: Evaluation) -> str:
    return "; ".join(f"{c.name} ({c.status}: {c.detail})" for c in evaluation.outstanding())


def _status(poller: _Poller) -> int:
    evaluation = poller()
    _print_report(evaluation, poller.sagemaker, poller.options.json)
    if evaluation.verdict == HEALTHY:
        return HEALTHY_EXIT
    print(f"hyperpod-status: {evaluation.summary()}", file=sys.stderr)
    return UNHEALTHY_EXIT


def _terminal_progress(line: str) -> None:
    width = shutil.get_terminal_size((100, 20)).columns - 1
    sys.stderr.write("\r\033[K" + line[:width])
    sys.stderr.flush()


def _wait(poller: _Poller) -> int:
    o = poller.options
    on_tty = sys.stderr.isatty()
    outcome = wait_until_healthy(poller, o.timeout_seconds, o.interval_seconds,
                                 on_progress=_terminal_progress if on_tty else None)
    if on_tty:
        sys.stderr.write("\r\033[K")
    waited = format_duration(outcome.elapsed)
    if outcome.last_error is not None:
        # No fresh report to print: the error (JSON too, with --json) is the whole answer.
        outcome.last_error.reason = f"timed out after {waited}; last error: {outcome.last_error.reason}"
        raise outcome.last_error
    _print_report(outcome.evaluation, poller.sagemaker, o.json)
    if outcome.healthy:
        return HEALTHY_EXIT
    if outcome.gave_up:
        print(f"hyperpod-status: gave up after {waited}: {outcome.evaluation.terminal}", file=sys.stderr)
    else:
        print(f"hyperpod-status: timed out after {waited}; still missing: "
              f"{_outstanding_line(outcome.evaluation)}", file=sys.stderr)
    return UNHEALTHY_EXIT


def run(options) -> int:
    poller = _Poller(options)
    try:
        return _wait(poller) if options.command == "wait" else _status(poller)
    finally:
        poller.close()
