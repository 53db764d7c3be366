"""Which nodes the user means: instance ids, Kubernetes node names or logical ids, checked against the cluster."""

from __future__ import annotations

import re

from hyperpod.nodes.actions import Target
from hyperpod.commands.errors import UsageError
from hyperpod.status.sagemaker import SageMakerState

# ClusterNodeId and ClusterNodeLogicalId patterns (SageMaker API model, sagemaker/2017-07-24); a Kubernetes node is
# named hyperpod-<instance id>.
INSTANCE_ID = re.compile(r"^i-[a-f0-9]{8}(?:[a-f0-9]{9})?$")
LOGICAL_ID = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9]$")
MAX_LOGICAL_ID = 128
# ClusterInstanceGroupName: 1-63 characters (SageMaker API model).
GROUP_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
# hyperpod.status.kubernetes.NODE_NAME_PREFIX, not imported: that module loads the kubernetes client (~2 s), which only
# `list` needs. tests/nodes/test_cli.py checks the two agree.
NODE_NAME_PREFIX = "hyperpod-"


def node_key(argument: str) -> str:
    """The id to look the node up by; UsageError for anything that cannot name a node."""
    if argument.startswith(NODE_NAME_PREFIX) and INSTANCE_ID.match(argument[len(NODE_NAME_PREFIX):]):
        return argument[len(NODE_NAME_PREFIX):]
    if INSTANCE_ID.match(argument) or (LOGICAL_ID.match(argument) and len(argument) <= MAX_LOGICAL_ID):
        return argument
    raise UsageError(f"NODE: {argument!r} is not a node: give an instance id (i-0123456789abcdef0), its Kubernetes "
                     "node name (hyperpod-i-0123456789abcdef0) or a node logical id")


def check_group(name: str, option: str = "--group") -> str:
    if not GROUP_NAME.match(name):
        raise UsageError(f"{option}: {name!r} is not an instance group name (1-63 letters, digits and hyphens, "
                         "starting and ending with a letter or digit)")
    return name


def resolve(arguments: list[str], state: SageMakerState) -> list[Target]:
    """One Target per distinct node; UsageError naming every argument that is not a node of this cluster."""
    by_key = {}
    for node in state.nodes:
        for key in (node.instance_id, node.logical_id):
            if key:
                by_key[key] = node
    targets, unknown, seen = [], [], set()
    for argument in arguments:
        node = by_key.get(node_key(argument))
        if node is None:
            unknown.append(argument)
            continue
        identity = node.instance_id or node.logical_id
        if identity in seen:
            continue
        seen.add(identity)
        targets.append(Target(argument, node.instance_id, node.logical_id, node.group, node.status))
    if unknown:
        verb = "is not a node" if len(unknown) == 1 else "are not nodes"
        raise UsageError(f"NODE: {', '.join(unknown)} {verb} of cluster "
                         f"{state.cluster_name} (see hyperpod-nodes list {state.cluster_name}); nothing was done")
    return targets
