"""hyperpod-status: check (or wait for) a HyperPod cluster on EKS; exit 0 healthy, 1 not, 2 usage, 3 unreachable."""

from __future__ import annotations

import argparse
import os
import re
import sys

from hyperpod.commands.entry import run_command
from hyperpod.commands.errors import UsageError

EXIT_CODES = ("Exit codes: 0 healthy; 1 unhealthy, still progressing or timed out; 2 usage or configuration error (bad "
              "arguments, durations, kubeconfig, credentials); 3 AWS or Kubernetes unreachable; 130 interrupted. "
              "Errors are one line (with --json also a JSON error document), never a traceback. A cluster named "
              "like the sub-command goes after --: hyperpod-status --region R -- wait.")

DEFAULT_RELEASE = "hyperpod-dependencies"
DEFAULT_RELEASE_NAMESPACE = "kube-system"
DEFAULT_INTERVAL = "30s"
DEFAULT_SINCE = "24h"

_CLUSTER_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
_CLUSTER_ARN = re.compile(r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:cluster/[a-zA-Z0-9]+$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")
_KUBE_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)([hms]?)")
_UNIT_SECONDS = {"h": 3600, "m": 60, "s": 1, "": 1}
# Far beyond any HyperPod wait (deep health checks take ~2 h per instance, in parallel), and far below what
# time.sleep and the clock arithmetic accept: `99999999999999999999h` or 400 digits (float infinity) would crash them.
MAX_DURATION_SECONDS = 7 * 24 * 3600


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line and exits 2, without the usage block."""

    def error(self, message: str):
        raise UsageError(f"{message} (see {self.prog} --help)")


OneLineParser = _Parser  # public for the other operator commands (hyperpod-nodes)


def parse_duration(text: str, option: str) -> float:
    """'3h', '90m', '1h30m', '45s', '0.5s' or plain seconds."""
    cleaned = text.strip().lower()
    parts = _DURATION_PART.findall(cleaned)
    if not cleaned or "".join(n + u for n, u in parts) != cleaned:
        raise UsageError(f"{option}: {text!r} is not a duration; use e.g. 3h, 90m, 1h30m or 45s")
    seconds = sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)
    if seconds <= 0:
        raise UsageError(f"{option}: {text!r} must be longer than zero")
    if not seconds <= MAX_DURATION_SECONDS:  # also catches infinity
        raise UsageError(f"{option}: {text!r} is longer than the allowed {MAX_DURATION_SECONDS // 3600}h")
    return seconds


def validate_aws_target(options) -> None:
    """CLUSTER, --region (or the environment's) and --endpoint-url, as every operator command reads them."""
    if not (_CLUSTER_NAME.match(options.cluster) or _CLUSTER_ARN.match(options.cluster)):
        raise UsageError(
            f"CLUSTER: {options.cluster!r} is not a HyperPod cluster name (1-63 letters, digits and "
            "hyphens, starting with a letter or digit) or cluster ARN")
    options.region = options.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not options.region:
        raise UsageError("--region: not given, and neither AWS_REGION nor AWS_DEFAULT_REGION is set")
    if not _REGION.match(options.region):
        raise UsageError(f"--region: {options.region!r} is not an AWS region name; expected e.g. us-west-2")
    if options.endpoint_url and not re.match(r"^https?://[^\s/]+", options.endpoint_url):
        raise UsageError(f"--endpoint-url: {options.endpoint_url!r} is not an http(s) URL")


def _validate(options) -> None:
    validate_aws_target(options)
    if options.kubeconfig and not os.path.isfile(options.kubeconfig):
        raise UsageError(f"--kubeconfig: {options.kubeconfig!r} is not a file")
    for option, value, limit in (("--release-name", options.release_name, 53),
                                 ("--release-namespace", options.release_namespace, 63)):
        if not _KUBE_NAME.match(value) or len(value) > limit:
            raise UsageError(f"{option}: {value!r} is not a Kubernetes name (lower-case letters, "
                             f"digits and '-', at most {limit} characters)")
    if options.min_schedulable is not None and options.min_schedulable < 0:
        raise UsageError(f"--min-schedulable: {options.min_schedulable} must be 0 or more")
    _validate_expectations(options)
    _validate_history(options)
    if options.command == "wait":
        options.timeout_seconds = parse_duration(options.timeout, "--timeout")
        options.interval_seconds = parse_duration(options.interval, "--interval")


def _validate_history(options) -> None:
    """--events/--operations and their filters (hyperpod-status only, not wait)."""
    if options.command != "status":
        return
    options.history = "events" if options.events else "operations" if options.operations else None
    given = [name for name, value in (("--since", options.since), ("--group", options.group),
                                      ("--node", options.node)) if value is not None]
    if options.history is None:
        if given:
            raise UsageError(f"{given[0]}: only with --events or --operations")
        return
    from hyperpod.nodes.targets import INSTANCE_ID, check_group

    if options.history == "operations" and (options.group or options.node):
        raise UsageError(f"{'--group' if options.group else '--node'}: filters --events only (ListClusterOperations "
                         "has no group or node filter)")
    options.since_seconds = parse_duration(options.since or DEFAULT_SINCE, "--since")
    if options.group is not None:
        check_group(options.group)
    if options.node is not None:
        node = options.node.removeprefix("hyperpod-")
        if not INSTANCE_ID.match(node):
            raise UsageError(f"--node: {options.node!r} is not an instance id (i-0123456789abcdef0) or its Kubernetes "
                             "node name (hyperpod-i-0123456789abcdef0)")
        options.node = node


def _add_history_options(parser: argparse.ArgumentParser) -> None:
    history = parser.add_mutually_exclusive_group()
    history.add_argument("--events", action="store_true",
                         help="show HyperPod's cluster events instead of the health report (Continuous provisioning "
                              "clusters only)")
    history.add_argument("--operations", action="store_true",
                         help="show HyperPod's operations (scaling, deep health checks) instead of the health report "
                              "(Continuous provisioning clusters only)")
    parser.add_argument("--since", help=f"with --events/--operations: how far back (default: {DEFAULT_SINCE})")
    parser.add_argument("--group", help="with --events: only this instance group's")
    parser.add_argument("--node", help="with --events: only this instance's (instance id or hyperpod-i-... name)")


def _validate_expectations(options) -> None:
    from hyperpod.status.expected import EKS_CLUSTER_NAME, expectations

    if options.config and not os.path.isfile(options.config):
        raise UsageError(f"--config: {options.config!r} is not a file")
    if options.eks_cluster is not None and not EKS_CLUSTER_NAME.match(options.eks_cluster):
        raise UsageError(f"--eks-cluster: {options.eks_cluster!r} is not an EKS cluster name (1-100 letters, "
                         "digits, '-' and '_', starting with a letter or digit)")
    options.expectations = expectations(options.addon, options.config)


def _add_expectation_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--addon", action="append", metavar="NAME",
                        help="also check this EKS add-on is ACTIVE and its pods ready (repeatable), e.g. "
                             "amazon-sagemaker-hyperpod-taskgovernance")
    parser.add_argument("--config", metavar="FILE",
                        help="the deployment's tfvars JSON: check the add-ons it enables (and the prerequisites "
                             "the stack installs for them) and its FSx for Lustre claim")
    parser.add_argument("--eks-cluster", metavar="NAME",
                        help="EKS cluster of the add-ons (default: the one SageMaker reports, then the config's "
                             "eks_cluster_name)")


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cluster", metavar="CLUSTER", help="HyperPod cluster name or ARN")
    parser.add_argument("--region", help="AWS region (default: AWS_REGION, then AWS_DEFAULT_REGION)")
    parser.add_argument("--json", action="store_true", help="print one JSON document for machines")
    parser.add_argument("--kubeconfig", help="kubeconfig file (default: KUBECONFIG, then ~/.kube/config)")
    parser.add_argument("--context", help="kubeconfig context (default: its current-context)")
    parser.add_argument("--endpoint-url", help="SageMaker endpoint (default: AWS_ENDPOINT_URL or AWS's)")
    parser.add_argument("--release-name", default=DEFAULT_RELEASE,
                        help=f"HyperPod Helm release name (default: {DEFAULT_RELEASE})")
    parser.add_argument("--release-namespace", default=DEFAULT_RELEASE_NAMESPACE,
                        help=f"namespace of that release (default: {DEFAULT_RELEASE_NAMESPACE})")
    parser.add_argument("--min-schedulable", type=int, metavar="N",
                        help="healthy once N HyperPod nodes are schedulable; other node checks "
                             "become informational (default: every node must be healthy)")
    _add_expectation_options(parser)


def build_parsers() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    status = _Parser(prog="hyperpod-status", description=__doc__.split("\n\n")[0],
                     epilog="Also: hyperpod-status wait CLUSTER --region R --timeout 3h (see wait --help). " + EXIT_CODES)
    _add_common(status)
    _add_history_options(status)
    status.set_defaults(command="status")
    wait = _Parser(prog="hyperpod-status wait",
                   description="Poll until the HyperPod cluster is healthy; exit 1 on timeout, naming "
                               "what is still missing.", epilog=EXIT_CODES)
    _add_common(wait)
    wait.add_argument("--timeout", required=True, help="give up after this long, e.g. 3h, 90m, 1h30m")
    wait.add_argument("--interval", default=DEFAULT_INTERVAL,
                      help=f"time between polls (default: {DEFAULT_INTERVAL})")
    wait.set_defaults(command="wait")
    return status, wait


def _cluster_after_double_dash(argv: list[str]) -> list[str]:
    """`-- CLUSTER` names the cluster whatever it is called (`wait` too), with options before or after it:
    `hyperpod-status -- wait --region R` reads as `hyperpod-status --region R -- wait`."""
    if "--" not in argv:
        return argv
    index = argv.index("--")
    if index + 1 >= len(argv):
        raise UsageError("--: no cluster name after it (see hyperpod-status --help)")
    return [*argv[:index], *argv[index + 2:], "--", argv[index + 1]]


def parse_args(argv: list[str]) -> argparse.Namespace:
    status, wait = build_parsers()
    # `wait` is a sub-command but plain `hyperpod-status CLUSTER` must keep working, so dispatch by
    # hand; a cluster literally named "wait" is reachable as `hyperpod-status -- wait`.
    argv = _cluster_after_double_dash(argv)
    if argv and argv[0] == "wait":
        options = wait.parse_args(argv[1:])
    else:
        options = status.parse_args(argv)
    _validate(options)
    return options


def _run(options) -> int:
    if getattr(options, "history", None):
        from hyperpod.nodes.run import show_history

        return show_history(options)
    from hyperpod.status.run import run  # boto3 and kubernetes load only after the arguments are good

    return run(options)


def main(argv: list[str] | None = None) -> int:
    return run_command("hyperpod-status", sys.argv[1:] if argv is None else argv, parse_args, _run)


if __name__ == "__main__":
    sys.exit(main())
