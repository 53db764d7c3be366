"""hyperpod-nodes: list, reboot, replace, remove or health-check the nodes of a HyperPod cluster."""

from __future__ import annotations

import argparse
import os
import sys

from hyperpod.commands.entry import ok_false_document, run_command
from hyperpod.commands.errors import UsageError
from hyperpod.status.cli import OneLineParser, validate_aws_target

EXIT_CODES = ("Exit codes: 0 done (or listed, or --dry-run); 1 a node failed (AWS batch calls fail per node: each is "
              "reported) or the prompt was answered no; 2 usage or configuration error, or a refusal (nothing was "
              "changed); 3 AWS unreachable or refused the call; 130 interrupted. Errors are one line (with --json also "
              "a JSON error document), never a traceback. A cluster or node named like an option goes after --.")
# StartClusterHealthCheck DeepHealthChecks: 1-3 of these (SageMaker API model, DeepHealthCheckType).
HEALTH_CHECKS = ("InstanceStress", "InstanceConnectivity", "MultiNodeTrainingValidation")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cluster", metavar="CLUSTER", help="HyperPod cluster name or ARN")
    parser.add_argument("--region", help="AWS region (default: AWS_REGION, then AWS_DEFAULT_REGION)")
    parser.add_argument("--endpoint-url", help="SageMaker endpoint (default: AWS_ENDPOINT_URL or AWS's)")
    parser.add_argument("--json", action="store_true", help="print one JSON document for machines")


def _changes(parser: argparse.ArgumentParser, nodes: str) -> None:
    parser.add_argument("nodes", metavar="NODE", nargs=nodes,
                        help="instance id (i-0123456789abcdef0), Kubernetes node name (hyperpod-i-...) or, on "
                             "Continuous-provisioning clusters, a node logical id")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.add_argument("--dry-run", action="store_true", help="show what would be done; change nothing")


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The top-level parser (for --help and the list of commands) and each command's own parser."""
    parser = OneLineParser(prog="hyperpod-nodes", description=__doc__, epilog=EXIT_CODES)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser, required=True)
    listing = sub.add_parser("list", help="nodes with group, instance id, status and health labels",
                             description="Nodes as SageMaker lists them, with their Kubernetes health labels when "
                                         "the cluster's API server is reachable.", epilog=EXIT_CODES)
    _common(listing)
    listing.add_argument("--group", help="only this instance group")
    listing.add_argument("--kubeconfig", help="kubeconfig file for the health labels (default: KUBECONFIG, then "
                                              "~/.kube/config)")
    listing.add_argument("--context", help="kubeconfig context (default: its current-context)")
    for name, text in (("reboot", "reboot nodes (BatchRebootClusterNodes)"),
                       ("replace", "replace nodes with new instances; their volumes are lost "
                                   "(BatchReplaceClusterNodes)")):
        command = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".", epilog=EXIT_CODES)
        _common(command)
        _changes(command, "+")
    remove = sub.add_parser("remove", help="delete nodes for good and lower instance_count in the config",
                            description="Delete nodes without replacement (BatchDeleteClusterNodes) and lower their "
                                        "group's instance_count in the config by the number deleted, so the next "
                                        "terraform apply does not add them back.", epilog=EXIT_CODES)
    _common(remove)
    _changes(remove, "+")
    remove.add_argument("--config", required=True, metavar="FILE", help="the deployment's tfvars JSON (edited in "
                                                                         "place; FILE.bak keeps the previous one)")
    check = sub.add_parser("health-check", help="run deep health checks again (StartClusterHealthCheck)",
                           description="Start deep health checks on a group, on named nodes, or (neither given) on "
                                       "every group with nodes.", epilog=EXIT_CODES)
    _common(check)
    _changes(check, "*")
    check.add_argument("--group", help="every node of this instance group")
    check.add_argument("--checks", required=True, help=f"comma-separated: {', '.join(HEALTH_CHECKS)}")
    return parser, dict(sub.choices)


def _checks(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    wrong = [name for name in names if name not in HEALTH_CHECKS]
    if not names or wrong:
        raise UsageError(f"--checks: {text!r} is not a list of deep health checks; allowed: one or more of "
                         f"{', '.join(HEALTH_CHECKS)}, separated by commas")
    return list(dict.fromkeys(names))


def _validate(options) -> None:
    from hyperpod.nodes.targets import check_group, node_key

    validate_aws_target(options)
    for node in getattr(options, "nodes", None) or ():
        node_key(node)
    if getattr(options, "group", None) is not None:
        check_group(options.group)
    if options.command == "list" and options.kubeconfig and not os.path.isfile(options.kubeconfig):
        raise UsageError(f"--kubeconfig: {options.kubeconfig!r} is not a file")
    if options.command == "remove" and not os.path.isfile(options.config):
        raise UsageError(f"--config: {options.config!r} is not a file")
    if options.command == "health-check":
        if options.group is not None and options.nodes:
            raise UsageError("--group: give either --group or NODE..., not both")
        options.checks = _checks(options.checks)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser, commands = build_parser()
    if argv and argv[0] in commands:
        # Intermixed: NODE... may come after options (`health-check C --checks X i-0...`), which plain subparsers
        # would reject as unrecognized.
        options = commands[argv[0]].parse_intermixed_args(argv[1:])
        options.command = argv[0]
    else:
        options = parser.parse_args(argv)  # --help, or an unknown command: argparse's one-line error
    _validate(options)
    return options


def _run(options) -> int:
    from hyperpod.nodes.run import run  # boto3 loads only after the arguments are good

    return run(options)


def main(argv: list[str] | None = None) -> int:
    return run_command("hyperpod-nodes", sys.argv[1:] if argv is None else argv, parse_args, _run,
                       error_document=ok_false_document,
                       interrupted="interrupted; run `hyperpod-nodes list` to see what was done")


if __name__ == "__main__":
    sys.exit(main())
