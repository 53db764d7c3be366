"""An EKS add-on at a pinned version, created only after the HyperPod cluster exists, with its prerequisites as
Terraform preconditions (checked at plan time against the looked-up EKS cluster)."""

from __future__ import annotations

from typing import Sequence

from hyperpod.runtime.core import Fn, ITerraformDependable, Op, Precondition, TerraformResourceLifecycle
from hyperpod.runtime.aws.eks_addon import EksAddon
from hyperpod.runtime.constructs import Construct

from hyperpod.config import is_token


def minimum_kubernetes(version: str | None, minimum: tuple[int, int], addon_name: str) -> list[Precondition]:
    """A precondition that the EKS cluster runs Kubernetes `minimum` or newer (none when the version is unknown)."""
    if version is None:
        return []
    major, minor = minimum
    message = (f"{addon_name} needs Kubernetes {major}.{minor} or newer on the EKS cluster; upgrade the cluster "
               f"(aws eks update-cluster-version) or turn the add-on off")
    if not is_token(version):
        parts = [int(p) for p in version.split(".")[:2]]
        if tuple(parts) < minimum:
            raise ValueError(f"EKS cluster runs Kubernetes {version}: {message}")
    parts = Fn.split(".", version)
    condition = Op.or_(Op.gt(Fn.tonumber(Fn.element(parts, 0)), major),
                       Op.gte(Fn.tonumber(Fn.element(parts, 1)), minor))
    return [Precondition(condition=condition, error_message=message)]


def pinned_addon(scope: Construct, id: str, *, cluster_name: str, addon_name: str, version: str,
                 depends_on: Sequence[ITerraformDependable], preconditions: Sequence[Precondition] = (),
                 configuration_values: str | None = None, service_account_role_arn: str | None = None,
                 replace_triggered_by: Sequence[str] = ()) -> EksAddon:
    # OVERWRITE on create: a first install takes over fields an earlier manual install left behind (AWS's install
    # instructions use it). PRESERVE on update: an upgrade keeps settings an operator changed in the cluster.
    lifecycle = None
    if preconditions or replace_triggered_by:
        lifecycle = TerraformResourceLifecycle(precondition=list(preconditions) or None,
                                               replace_triggered_by=list(replace_triggered_by) or None)
    return EksAddon(
        scope, id, cluster_name=cluster_name, addon_name=addon_name, addon_version=version,
        resolve_conflicts_on_create="OVERWRITE", resolve_conflicts_on_update="PRESERVE",
        configuration_values=configuration_values, service_account_role_arn=service_account_role_arn,
        depends_on=list(depends_on), lifecycle=lifecycle,
    )
