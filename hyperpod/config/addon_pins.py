"""The EKS add-on versions the stack installs, each with the AWS source it was taken from and the Kubernetes minor
versions that source confirms it for.

EKS would otherwise install whatever is newest on the day of the apply, so two applies of one config could run
different operators. Re-derived 2026-12 from the newest AWS source found for each; check a new pin with
`aws eks describe-addon-versions --addon-name <name> --kubernetes-version <1.xx>` (its `compatibilities`).

`ADDON_PINS` is the one place the preflight check (and anything else) reads them from; the `*_VERSION` names in
hyperpod.config.addons, hyperpod.config.fsx_lustre and hyperpod.config.inference are these pins' versions.
"""

from __future__ import annotations

from dataclasses import dataclass

TRAINING_OPERATOR = "amazon-sagemaker-hyperpod-training-operator"
TASK_GOVERNANCE = "amazon-sagemaker-hyperpod-taskgovernance"
OBSERVABILITY = "amazon-sagemaker-hyperpod-observability"
CERT_MANAGER = "cert-manager"
POD_IDENTITY_AGENT = "eks-pod-identity-agent"
FSX_CSI_DRIVER = "aws-fsx-csi-driver"
INFERENCE_OPERATOR = "amazon-sagemaker-hyperpod-inference"
S3_CSI_DRIVER = "aws-mountpoint-s3-csi-driver"
METRICS_SERVER = "metrics-server"


def _minor(version: str) -> tuple[int, int]:
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


@dataclass(frozen=True)
class Pin:
    """One add-on's pinned version. `kubernetes` is (oldest, newest) Kubernetes minor version, inclusive, that the
    source confirms the version for; a bound is None where no AWS source states it (the comment at the pin says
    what is known)."""

    version: str
    kubernetes: tuple[str | None, str | None]
    source: str

    def covers(self, kubernetes_version: str) -> bool | None:
        """True inside the confirmed range, False outside a stated bound, None when the range is not confirmed
        there (the check should say "unverified", not "incompatible")."""
        wanted = _minor(kubernetes_version)
        oldest, newest = self.kubernetes
        if (oldest is not None and wanted < _minor(oldest)) or (newest is not None and wanted > _minor(newest)):
            return False
        return True if oldest is not None and newest is not None else None


ADDON_PINS: dict[str, Pin] = {
    # AWS's HyperPod EKS Terraform (awslabs/awsome-distributed-ai @95b939c, 2026-07-23,
    # 1.architectures/7.sagemaker-hyperpod-eks/terraform-modules/hyperpod-eks-tf/modules/hyperpod_training_operator/
    # main.tf): v1.2.1-eksbuild.1 is "the current default across K8s 1.28-1.35" (DescribeAddonVersions default).
    # This build no longer accepts the add-on's inline pod identity association, one more reason the stack declares
    # its own (hyperpod/addons/pod_identity.py).
    TRAINING_OPERATOR: Pin("v1.2.1-eksbuild.1", ("1.28", "1.35"),
                           "awslabs/awsome-distributed-ai hyperpod-eks-tf hyperpod_training_operator (2026-07)"),
    # SageMaker AI developer guide, "Upgrade the task governance add-on" (newest section: v1.5 to v1.6):
    # v1.6.0-eksbuild.1 packages Kueue v0.19.2. The guide's task governance prerequisites say Kubernetes 1.30 or
    # newer; no AWS page states the newest Kubernetes version this build supports.
    TASK_GOVERNANCE: Pin("v1.6.0-eksbuild.1", ("1.30", None),
                         "SageMaker AI developer guide, Upgrade the task governance add-on (v1.5 to v1.6)"),
    # SageMaker AI developer guide, observability add-on troubleshooting: "starting from version v1.0.5-eksbuild.1"
    # (the build that tolerates restricted instance groups); setup needs Kubernetes 1.30 or newer. AWS's Terraform
    # installs the add-on unpinned, so no newer build is named by AWS; the newest Kubernetes is not stated.
    OBSERVABILITY: Pin("v1.0.5-eksbuild.1", ("1.30", None),
                       "SageMaker AI developer guide, HyperPod observability add-on troubleshooting"),
    # cert-manager as an EKS community add-on: v1.18.2-eksbuild.2 in AWS's HyperPod EKS Terraform
    # (modules/hyperpod_cluster/variables.tf, cert_manager_version, 2026-05) and aws/sagemaker-hyperpod-cli's
    # helm_to_addon.sh (2026-02). Neither states a Kubernetes range: AWS's Terraform installs it on every version it
    # accepts (default 1.33), which is not a DescribeAddonVersions compatibility, so both bounds stay unconfirmed.
    CERT_MANAGER: Pin("v1.18.2-eksbuild.2", (None, None),
                      "awslabs/awsome-distributed-ai hyperpod-eks-tf modules/hyperpod_cluster cert_manager_version"),
    # AWS's EKS Blueprints (aws-quickstart/cdk-eks-blueprints, lib/addons/eks-pod-identity-agent/index.ts, the
    # aws-eks-v2 version): v1.3.10-eksbuild.2 for Kubernetes 1.31-1.35 (its version map pins v1.3.2-eksbuild.2 on
    # 1.26-1.30, so older clusters are not confirmed). The previous pin, v1.3.4-eksbuild.1, came from the EKS Auto
    # Mode page (the oldest build Auto Mode accepts), far behind what current clusters run. Public configs taken from
    # describe-addon-versions defaults show v1.3.10-eksbuild.3 for 1.30-1.36 (not an AWS source).
    POD_IDENTITY_AGENT: Pin("v1.3.10-eksbuild.2", ("1.31", "1.35"),
                            "aws-quickstart/cdk-eks-blueprints lib/addons/eks-pod-identity-agent (versionMap)"),
    # The aws-fsx-csi-driver build AWS's own HyperPod tooling installs (aws/sagemaker-hyperpod-cli @9ffefae,
    # 2026-02-17, helm_chart/HyperPodHelmChart/charts/inference-operator/migration/helm_to_addon.sh). AWS's Terraform
    # installs the add-on unpinned; no AWS source states its Kubernetes range.
    # The inference operator uses this pin too (hyperpod_addons.inference_operator.fsx_csi_driver): one per add-on.
    FSX_CSI_DRIVER: Pin("v1.6.0-eksbuild.1", (None, None),
                        "aws/sagemaker-hyperpod-cli helm_to_addon.sh (2026-02)"),
    # The inference operator's build in AWS's HyperPod examples (awslabs/awsome-distributed-ai,
    # 3.test_cases/pytorch/vllm/cosmos-reason, 2026); aws/sagemaker-hyperpod-cli's helm_to_addon.sh (2026-02)
    # installs the older v1.0.0. No AWS source found (the SageMaker AI developer guide's model deployment setup
    # included) states a Kubernetes range for the add-on: both bounds unconfirmed.
    INFERENCE_OPERATOR: Pin("v1.3.0-eksbuild.1", (None, None),
                            "awslabs/awsome-distributed-ai 3.test_cases/pytorch/vllm/cosmos-reason (2026)"),
    # The Mountpoint for Amazon S3 CSI driver build AWS's inference migration installs before the operator
    # (aws/sagemaker-hyperpod-cli @9ffefae, helm_to_addon.sh, 2026-02). No AWS source found states the Kubernetes
    # range of this add-on build (the driver's install guide asks for Kubernetes 1.25 or newer for the driver, not
    # an EKS add-on compatibility): both bounds unconfirmed.
    S3_CSI_DRIVER: Pin("v1.14.1-eksbuild.1", (None, None),
                       "aws/sagemaker-hyperpod-cli helm_to_addon.sh (2026-02)"),
    # No AWS source pins metrics-server: AWS's HyperPod Terraform (modules/hyperpod_inference_operator) installs
    # whatever is newest, and the EKS user guide ("View resource usage with the Kubernetes Metrics Server") names no
    # build. v0.7.2-eksbuild.3 is the build public EKS Terraform configurations pin (not an AWS source); check it
    # with describe-addon-versions before moving it. Kubernetes range unconfirmed.
    METRICS_SERVER: Pin("v0.7.2-eksbuild.3", (None, None),
                        "no AWS source: public EKS Terraform configurations (check with describe-addon-versions)"),
}
