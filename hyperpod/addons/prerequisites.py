"""Add-ons the HyperPod add-ons stand on: cert-manager (the training operator's webhooks need certificates) and the
EKS Pod Identity Agent (every pod identity association needs it on the nodes)."""

from __future__ import annotations

from typing import Sequence

from hyperpod.runtime.core import ITerraformDependable
from hyperpod.runtime.constructs import Construct

from hyperpod.addons.pinned_addon import pinned_addon
from hyperpod.config import HyperPodAddons

CERT_MANAGER = "cert-manager"
POD_IDENTITY_AGENT = "eks-pod-identity-agent"


class Prerequisites(Construct):
    """Installs each prerequisite an enabled add-on needs, unless the config says the cluster already runs it."""

    def __init__(self, scope: Construct, id: str, *, addons: HyperPodAddons, cluster_name: str, needs_cert_manager: bool,
                 needs_pod_identity: bool, depends_on: Sequence[ITerraformDependable]):
        super().__init__(scope, id)
        self.installed: list[ITerraformDependable] = []
        if needs_cert_manager and not addons.cert_manager.already_installed:
            self.installed.append(pinned_addon(self, "cert-manager", cluster_name=cluster_name, addon_name=CERT_MANAGER,
                                               version=addons.cert_manager.version, depends_on=depends_on))
        if needs_pod_identity and not addons.pod_identity_agent.already_installed:
            self.installed.append(pinned_addon(self, "pod-identity-agent", cluster_name=cluster_name,
                                               addon_name=POD_IDENTITY_AGENT,
                                               version=addons.pod_identity_agent.version, depends_on=depends_on))
