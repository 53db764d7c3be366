"""Check 2, the EKS cluster: exists and ACTIVE, a Kubernetes version, authentication mode and VPC CNI HyperPod
supports, and where its API endpoint can be reached from.

Source for the three requirements: SageMaker AI developer guide, "Getting started with Amazon EKS support in
SageMaker HyperPod" (sagemaker-hyperpod-eks-prerequisites.html), Requirements: Kubernetes versions 1.28-1.34 (the
list as of 2026-12), authentication mode API or API_AND_CONFIG_MAP, Amazon VPC CNI 1.18.3 or later.
"""

from __future__ import annotations

import re

from hyperpod.preflight.context import Context
from hyperpod.preflight.verdicts import FAIL, OK, WARN, Check, guarded, skipped

OLDEST_KUBERNETES, NEWEST_KUBERNETES = (1, 28), (1, 34)
# The stack's own rule (hyperpod/eks.py SUPPORTED_AUTHENTICATION_MODES, which imports cdktf); a test keeps them equal.
SUPPORTED_AUTHENTICATION_MODES = ("API", "API_AND_CONFIG_MAP")
MIN_VPC_CNI = (1, 18, 3)
VPC_CNI_ADDON = "vpc-cni"
_VERSION = re.compile(r"^v?([0-9]+)\.([0-9]+)(?:\.([0-9]+))?")


def _version(text: str | None) -> tuple[int, ...] | None:
    match = _VERSION.match(text or "")
    return tuple(int(part) for part in match.groups() if part is not None) if match else None


def _show(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version))


def kubernetes_check(version: str | None) -> Check:
    name = "eks: kubernetes version"
    parsed = _version(version)
    supported = f"{_show(OLDEST_KUBERNETES)}-{_show(NEWEST_KUBERNETES)}"
    if parsed is None:
        return Check(name, WARN, f"EKS reported no readable version ({version!r}); HyperPod supports {supported}")
    if parsed[:2] < OLDEST_KUBERNETES:
        return Check(name, FAIL, f"Kubernetes {version}; HyperPod supports {supported}",
                     f"upgrade the EKS cluster to Kubernetes {_show(OLDEST_KUBERNETES)} or newer "
                     "(aws eks update-cluster-version), one minor version at a time")
    if parsed[:2] > NEWEST_KUBERNETES:
        return Check(name, WARN, f"Kubernetes {version} is newer than the {supported} AWS's HyperPod page listed "
                                 "when this tool was written; check the page before deploying")
    return Check(name, OK, f"Kubernetes {version} (HyperPod supports {supported})")


def authentication_check(cluster: dict) -> Check:
    name = "eks: authentication mode"
    mode = (cluster.get("accessConfig") or {}).get("authenticationMode")
    if mode is None:
        return Check(name, WARN, "EKS reported no authentication mode; HyperPod needs API or API_AND_CONFIG_MAP")
    if mode not in SUPPORTED_AUTHENTICATION_MODES:
        return Check(name, FAIL, f"{mode}; HyperPod needs {' or '.join(SUPPORTED_AUTHENTICATION_MODES)}",
                     f"aws eks update-cluster-config --name {cluster.get('name')} --access-config "
                     "authenticationMode=API_AND_CONFIG_MAP (keeps the aws-auth ConfigMap working)")
    return Check(name, OK, mode)


def vpc_cni_check(context: Context) -> list[Check]:
    name = "eks: vpc-cni"
    answer = context.aws.call("eks", "DescribeAddon", missing=("ResourceNotFoundException",),
                              clusterName=context.deployment.eks_cluster, addonName=VPC_CNI_ADDON)
    if answer is None:
        return [Check(name, WARN, "vpc-cni is not an EKS add-on on this cluster (self-managed, or another CNI): its "
                                  f"version cannot be read through the EKS API; HyperPod needs the Amazon VPC CNI "
                                  f"{_show(MIN_VPC_CNI)} or newer and no other CNI")]
    version = answer["addon"].get("addonVersion")
    parsed = _version(version)
    if parsed is None or parsed < MIN_VPC_CNI:
        return [Check(name, FAIL, f"add-on version {version}; HyperPod needs {_show(MIN_VPC_CNI)} or newer",
                      f"aws eks update-addon --cluster-name {context.deployment.eks_cluster} --addon-name vpc-cni "
                      f"--addon-version <a version {_show(MIN_VPC_CNI)}+ from aws eks describe-addon-versions "
                      f"--addon-name vpc-cni --kubernetes-version {context.kubernetes_version()}>")]
    return [Check(name, OK, f"add-on version {version} (HyperPod needs {_show(MIN_VPC_CNI)}+)")]


def endpoint_check(cluster: dict) -> Check:
    """Not a HyperPod requirement: Terraform's helm and kubernetes providers talk to the API server from wherever
    `terraform apply` runs (Amazon EKS user guide, "Cluster API server endpoint")."""
    name = "eks: endpoint access"
    vpc = cluster.get("resourcesVpcConfig") or {}
    public, private = vpc.get("endpointPublicAccess"), vpc.get("endpointPrivateAccess")
    if public is False:
        return Check(name, WARN, "private endpoint only: Terraform's helm and kubernetes providers must run inside "
                                 "the VPC or a network connected to it")
    cidrs = vpc.get("publicAccessCidrs") or ["0.0.0.0/0"]
    detail = f"public ({', '.join(cidrs)})" + (" and private" if private else "")
    if cidrs != ["0.0.0.0/0"]:
        return Check(name, WARN, detail + ": Terraform must run from one of these CIDRs (or inside the VPC)")
    return Check(name, OK, detail)


def checks(context: Context) -> list[Check]:
    cluster_name = context.deployment.eks_cluster
    cluster = context.eks_cluster()
    if cluster is None:
        return [Check("eks: cluster", FAIL, f"no EKS cluster {cluster_name} in {context.deployment.region}",
                      "create it first, or fix eks_cluster_name / region"),
                *(skipped(n, "no EKS cluster") for n in ("eks: kubernetes version", "eks: authentication mode",
                                                         "eks: vpc-cni", "eks: endpoint access"))]
    status = cluster.get("status")
    vpc = (cluster.get("resourcesVpcConfig") or {}).get("vpcId")
    found = [Check("eks: cluster", OK if status == "ACTIVE" else FAIL,
                   f"{cluster_name}: {status}, VPC {vpc}",
                   "" if status == "ACTIVE" else "wait until the cluster is ACTIVE (or fix it) before applying")]
    found.append(kubernetes_check(cluster.get("version")))
    found.append(authentication_check(cluster))
    found += guarded("eks: vpc-cni", lambda: vpc_cni_check(context))
    found.append(endpoint_check(cluster))
    return found
