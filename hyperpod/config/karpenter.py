"""What Helm needs of the release that holds the Karpenter objects (hyperpod/autoscaling.py): checked with the
config, because Helm would refuse it only at apply, after the cluster was created or changed.

Helm refuses release names longer than 53 characters (helm/helm, pkg/chartutil/validate_name.go: maxReleaseNameLen),
and the chart's values schema (hyperpod/karpenter_chart/values.schema.json) requires each instance group once.
"""

from __future__ import annotations

from hyperpod.config.errors import Problem, value_repr
from hyperpod.config.tokens import is_token

HELM_RELEASE_NAME_MAX = 53
RELEASE_SUFFIX = "-karpenter-nodes"


def karpenter_release_name(cluster_name: str) -> str:
    return f"{cluster_name.lower()}{RELEASE_SUFFIX}"


def karpenter_problems(raw: dict) -> list[Problem]:
    autoscaling = raw.get("hyperpod_autoscaling")
    if not (isinstance(autoscaling, dict) and autoscaling.get("enabled") is True):
        return []
    problems = []
    name = raw.get("hyperpod_cluster_name")
    if isinstance(name, str) and not is_token(name) \
            and len(karpenter_release_name(name)) > HELM_RELEASE_NAME_MAX:
        longest = HELM_RELEASE_NAME_MAX - len(RELEASE_SUFFIX)
        problems.append(Problem(
            "hyperpod_cluster_name", f"got {value_repr(name)} ({len(name)} characters) with hyperpod_autoscaling "
            f"enabled: the Helm release of the Karpenter objects, {karpenter_release_name(name)!r}, would have "
            f"{len(karpenter_release_name(name))} characters; allowed: at most {longest} characters with autoscaling "
            f"(Helm release names have at most {HELM_RELEASE_NAME_MAX})"))
    names = autoscaling.get("instance_groups")
    if isinstance(names, list):
        repeated = [n for i, n in enumerate(names) if isinstance(n, str) and n in names[:i]]
        if repeated:
            given = ", ".join(value_repr(n) for n in sorted(set(repeated)))
            problems.append(Problem(
                "hyperpod_autoscaling.instance_groups", f"got {given} more than once; allowed: each instance group "
                "once (the Karpenter objects' chart requires unique names: Helm would refuse the release at apply)"))
    return problems
