"""Run moto's real server (`moto_server`) with the three hooks HyperPod tests need and moto 5.2.5 lacks.

Run as a separate process: `python tests/status/moto_launcher.py -H 127.0.0.1 -p PORT`.

1. moto creates every cluster InService and has no way to move it (update_cluster is unsupported),
   so a cluster created with the tag `test:ClusterStatus` starts in that status, and
   `test:FailureMessage` sets its FailureMessage. Node `test:NodeStatus:<group>-<index>` tags set a
   node's InstanceStatus the same way.
2. moto paginates list_cluster_nodes on a `arn` attribute that its ClusterNode does not have, so
   every page repeats the first one; nodes get an `arn` here so NextToken moves on.
3. moto names instances `<group>-<index>`; real ones are EC2 ids (`i-0123456789abcdef0`), which the
   status tool matches against Kubernetes node names (`hyperpod-i-...`). Ids are derived from the
   cluster, group and index, so tests can compute them with `instance_id()`.
4. moto drops MinInstanceCount, NodeProvisioningMode and AutoScaling: a group's MinInstanceCount is echoed as
   DescribeCluster's MinCount, and tags `test:NodeProvisioningMode`, `test:AutoScaling:Mode`,
   `test:AutoScaling:Status` and `test:AutoScaling:FailureMessage` set the cluster-level fields.
5. moto knows neither flexible groups nor automatic patching: a tag `test:InstanceTypes:<group>` (types joined by
   commas) turns the group's InstanceType into InstanceRequirements' current and desired types, and
   `test:AutoPatch:<group>` (`<strategy>` or `<strategy>@<epoch seconds of the next patch>`) sets AutoPatchConfig.
   Nor restricted instance groups: a tag `test:RestrictedGroup:<name>` (`<type>,<current>,<target>,<status>`) adds
   one to DescribeCluster's RestrictedInstanceGroups.
"""

from __future__ import annotations

import hashlib
import sys


def instance_id(cluster: str, group: str, index: int) -> str:
    digest = hashlib.sha256(f"{cluster}/{group}/{index}".encode()).hexdigest()
    return "i-0" + digest[:16]


def _install_hooks() -> None:
    from moto.sagemaker import models

    original_create = models.SageMakerModelBackend.create_cluster

    def create_cluster(self, cluster_name, instance_groups, vpc_config, tags, *args, **kwargs):
        arn = original_create(self, cluster_name, instance_groups, vpc_config, tags, *args, **kwargs)
        cluster = self.clusters[cluster_name]
        tag_values = {tag["Key"]: tag["Value"] for tag in (tags or [])}
        cluster.status = tag_values.get("test:ClusterStatus", cluster.status)
        cluster.failure_message = tag_values.get("test:FailureMessage", cluster.failure_message)
        renamed = {}
        for moto_id, node in cluster.nodes.items():
            group, index = moto_id.rsplit("-", 1)
            node.instance_id = instance_id(cluster_name, group, int(index))
            node.arn = node.instance_id
            node.status = tag_values.get(f"test:NodeStatus:{moto_id}", node.status)
            renamed[node.instance_id] = node
        cluster.nodes = renamed
        for group in cluster.instance_groups:
            if "MinInstanceCount" in group:
                group["MinCount"] = group["MinInstanceCount"]
            name = group.get("InstanceGroupName")
            if f"test:InstanceTypes:{name}" in tag_values:
                types = tag_values[f"test:InstanceTypes:{name}"].split(",")
                group.pop("InstanceType", None)
                group["InstanceRequirements"] = {"CurrentInstanceTypes": types, "DesiredInstanceTypes": types}
            if f"test:AutoPatch:{name}" in tag_values:
                strategy, _, epoch = tag_values[f"test:AutoPatch:{name}"].partition("@")
                group["AutoPatchConfig"] = {"PatchingStrategy": strategy, **(
                    {"CurrentPatchSchedule": {"NextPatchDate": int(epoch)}} if epoch else {})}
        cluster.capacity_fields = {}
        if "test:NodeProvisioningMode" in tag_values:
            cluster.capacity_fields["NodeProvisioningMode"] = tag_values["test:NodeProvisioningMode"]
        scaling = {key: tag_values[f"test:AutoScaling:{key}"] for key in ("Mode", "Status", "FailureMessage")
                   if f"test:AutoScaling:{key}" in tag_values}
        if scaling:
            cluster.capacity_fields["AutoScaling"] = {"AutoScalerType": "Karpenter", **scaling}
        restricted = []
        for key, value in sorted(tag_values.items()):
            if key.startswith("test:RestrictedGroup:"):
                kind, current, target, status = value.split(",")
                restricted.append({"InstanceGroupName": key.rsplit(":", 1)[1], "InstanceType": kind,
                                   "CurrentCount": int(current), "TargetCount": int(target), "Status": status})
        if restricted:
            cluster.capacity_fields["RestrictedInstanceGroups"] = restricted
        return arn

    original_describe = models.Cluster.describe

    def describe(self):
        return {**original_describe(self), **getattr(self, "capacity_fields", {})}

    models.SageMakerModelBackend.create_cluster = create_cluster
    models.Cluster.describe = describe


if __name__ == "__main__":
    _install_hooks()
    from moto.server import main

    sys.exit(main(sys.argv[1:]))
