"""The FSx CSI driver add-on with a narrowly scoped identity, and the file system as a Kubernetes volume: a
PersistentVolume bound to one PersistentVolumeClaim in the namespace the config names (static provisioning)."""

from __future__ import annotations

from typing import Sequence

from hyperpod.runtime.core import ITerraformDependable, TerraformResourceLifecycle
from hyperpod.runtime.aws.data_aws_iam_policy_document import DataAwsIamPolicyDocumentStatement
from hyperpod.runtime.constructs import Construct

from hyperpod.bindings.kubernetes import KubernetesResource
from hyperpod.addons.pinned_addon import pinned_addon
from hyperpod.addons.pod_identity import PodIdentityRole
from hyperpod.config import FsxLustre
from hyperpod.eks import AwsContext, EksCluster

ADDON_NAME = "aws-fsx-csi-driver"
CSI_DRIVER = "fsx.csi.aws.com"
# Amazon EKS user guide, "Deploy the FSx for Lustre driver": the controller runs as this service account and the
# add-on authenticates through EKS Pod Identity (or IRSA).
NAMESPACE = "kube-system"
SERVICE_ACCOUNT = "fsx-csi-controller-sa"


class FsxVolume(Construct):
    def __init__(self, scope: Construct, id: str, *, fsx: FsxLustre, eks: EksCluster, aws: AwsContext,
                 file_system_id: str, dns_name: str, mount_name: str, volume_name: str, role_name_prefix: str,
                 depends_on: Sequence[ITerraformDependable]):
        super().__init__(scope, id)
        # Static provisioning only: the driver never creates or deletes file systems here, so its controller gets
        # the read it uses to check volumes (FSx cannot scope Describe* to a resource), not AmazonFSxFullAccess.
        self.identity = PodIdentityRole(
            self, "identity", name_prefix=role_name_prefix, aws=aws, cluster_name=eks.name, cluster_arn=eks.arn,
            namespace=NAMESPACE, service_account=SERVICE_ACCOUNT,
            description="FSx for Lustre CSI controller (EKS Pod Identity, managed by CDKTF)",
            statements=[DataAwsIamPolicyDocumentStatement(sid="DescribeFileSystems", effect="Allow",
                                                          actions=["fsx:DescribeFileSystems"], resources=["*"])])
        self.addon = pinned_addon(self, "csi-driver", cluster_name=eks.name, addon_name=ADDON_NAME,
                                  version=fsx.csi_driver_version, depends_on=[*depends_on, self.identity.association])
        storage = f"{fsx.storage_capacity_gib}Gi"
        waits_for: list[ITerraformDependable] = [self.addon]
        if fsx.create_namespace:
            namespace = KubernetesResource(self, "namespace", resource_type="kubernetes_namespace_v1",
                                           attributes={"metadata": [{"name": fsx.namespace}]})
            waits_for.append(namespace)
        self.volume = KubernetesResource(self, "volume", resource_type="kubernetes_persistent_volume_v1", attributes={
            "metadata": [{"name": volume_name}],
            "spec": [{
                "capacity": {"storage": storage},
                "access_modes": ["ReadWriteMany"],
                # Retain: deleting the claim must never touch the data.
                "persistent_volume_reclaim_policy": "Retain",
                "storage_class_name": "",
                "mount_options": ["flock"],
                "persistent_volume_source": [{"csi": [{
                    "driver": CSI_DRIVER, "volume_handle": file_system_id,
                    "volume_attributes": {"dnsname": dns_name, "mountname": mount_name},
                }]}],
            }],
        }, depends_on=waits_for)
        self.claim = KubernetesResource(self, "claim", resource_type="kubernetes_persistent_volume_claim_v1",
                                        attributes={
            "metadata": [{"name": fsx.claim_name, "namespace": fsx.namespace}],
            "spec": [{
                "access_modes": ["ReadWriteMany"],
                "storage_class_name": "",
                "volume_name": volume_name,
                "resources": [{"requests": {"storage": storage}}],
            }],
        }, depends_on=[self.volume],
            # Kubernetes resizes only dynamically provisioned claims: when the file system grows, the volume's
            # capacity follows and the claim keeps the size it was bound with (a patched request would be refused).
            lifecycle=TerraformResourceLifecycle(ignore_changes=["spec[0].resources"]))
