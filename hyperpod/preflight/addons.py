"""Check 6, add-ons: each add-on version the stack pins is offered for the cluster's Kubernetes version, and none of
the add-ons the stack would create already exists outside it (CreateAddon fails with ResourceInUseException).

Sources: Amazon EKS API reference, DescribeAddonVersions (addons[].addonVersions[].addonVersion for a
kubernetesVersion) and CreateAddon (ResourceInUseException when the add-on exists). The pins and the list of add-ons
come from the config (hyperpod.status.expected.stack_addons, the same list hyperpod-status checks).
"""

from __future__ import annotations

import re

from hyperpod.config.tags import DEFAULT_TAGS
from hyperpod.preflight.context import Context
from hyperpod.preflight.verdicts import FAIL, OK, Check, guarded
from hyperpod.status.eks import fetch_addon_states
from hyperpod.status.expected import stack_addons

_SHOWN_VERSIONS = 3


def _offered(context: Context, name: str, kubernetes: str) -> list[str]:
    answer = context.aws.call("eks", "DescribeAddonVersions", page_key="addons", addonName=name,
                              kubernetesVersion=kubernetes)
    return [v.get("addonVersion") for addon in answer for v in addon.get("addonVersions") or []]


def _newest(versions: list[str]) -> str:
    """v1.2.10-eksbuild.3 > v1.2.9-eksbuild.9 (numbers compared as numbers; unreadable versions sort first)."""
    return max(versions, key=lambda v: [int(n) for n in re.findall(r"[0-9]+", v)])


def version_check(context: Context, name: str, version: str, key: str, kubernetes: str) -> Check:
    check = f"addon: {name} version"
    offered = _offered(context, name, kubernetes)
    if version in offered:
        return Check(check, OK, f"{version} is offered for Kubernetes {kubernetes}")
    if not offered:
        return Check(check, FAIL, f"EKS offers no {name} add-on for Kubernetes {kubernetes} in "
                                  f"{context.deployment.region}", "turn the feature off, or use a region and "
                                                                  "Kubernetes version where EKS offers the add-on")
    return Check(check, FAIL, f"{version} is not offered for Kubernetes {kubernetes}; offered: "
                              f"{', '.join(offered[:_SHOWN_VERSIONS])}" + (" ..." if len(offered) > _SHOWN_VERSIONS
                                                                           else ""),
                 f"set {key} to {_newest(offered)} (the newest EKS offers for Kubernetes {kubernetes})")


def existing_checks(context: Context, names: list[str]) -> list[Check]:
    """An add-on that exists already: this stack's when it carries the tags the aws provider puts on everything the
    stack creates (default_tags: managed-by=hyperpod-cdktf and the config's tags), else someone else's."""
    states = fetch_addon_states(context.aws.clients["eks"], context.deployment.eks_cluster, context.deployment.region,
                                names)
    ours = {**DEFAULT_TAGS, **context.deployment.config.tags}
    found = []
    for state in states:
        check = f"addon: {state.name} not taken"
        if not state.found:
            found.append(Check(check, OK, "not installed yet: the stack creates it"))
        elif set(ours.items()) <= set(state.tags):
            found.append(Check(check, OK, f"installed ({state.version}) with this stack's tags: apply updates it"))
        else:
            found.append(Check(check, FAIL, f"installed ({state.version}, {state.status}) without this stack's tags "
                                            f"({', '.join(f'{k}={v}' for k, v in sorted(ours.items()))}): CreateAddon "
                                            "would fail with ResourceInUseException",
                               "set already_installed for cert-manager / the pod identity agent, import the add-on "
                               "into the stack's state (terraform import), or remove it"))
    return found


def checks(context: Context) -> list[Check]:
    pins = stack_addons(context.deployment.config) if context.deployment.config.hyperpod_enabled else ()
    kubernetes = context.kubernetes_version()
    if not pins or kubernetes is None:
        return []
    found = []
    for name, version, key in pins:
        found += guarded(f"addon: {name} version",
                         lambda n=name, v=version, k=key: [version_check(context, n, v, k, kubernetes)])
    found += guarded("addons: not taken", lambda: existing_checks(context, [name for name, _, _ in pins]))
    return found
