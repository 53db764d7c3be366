"""Check 7, collisions: a HyperPod cluster of the config's name that this stack did not create, and a lifecycle
bucket name another account holds. Either makes the create fail at apply.

Sources: SageMaker API reference, CreateCluster (ResourceInUse when the name exists) and ListTags; Amazon S3 API
reference, HeadBucket (200 when the bucket exists and the caller may list it, 404 when there is no such bucket, 403
when it exists but the caller has no access: with ExpectedBucketOwner set to the caller's account, a bucket of
another account answers 403) and "Bucket naming rules" (names are unique across all accounts of a partition).
"""

from __future__ import annotations

from hyperpod.config.addons import cluster_tags
from hyperpod.preflight.context import Context
from hyperpod.preflight.verdicts import FAIL, OK, WARN, Check, guarded
from hyperpod.commands.errors import AccessDenied
from hyperpod.status.sagemaker import is_missing_cluster


def hyperpod_cluster(context: Context) -> dict | None:
    return context.aws.call("sagemaker", "DescribeCluster", missing=is_missing_cluster,
                            ClusterName=context.deployment.cluster_name)


def cluster_check(context: Context) -> list[Check]:
    name, cluster_name = "collision: hyperpod cluster", context.deployment.cluster_name
    cluster = hyperpod_cluster(context)
    if cluster is None:
        return [Check(name, OK, f"no cluster {cluster_name} yet: apply creates it")]
    tags = {t["Key"]: t["Value"] for t in context.aws.call("sagemaker", "ListTags", page_key="Tags",
                                                          ResourceArn=cluster["ClusterArn"])}
    ours = cluster_tags(context.deployment.config)
    status = cluster.get("ClusterStatus")
    if not ours:
        return [Check(name, WARN, f"{cluster_name} exists ({status}); the config sets no tags, so this check cannot "
                                  "tell whether this stack created it: apply fails unless it is in the stack's state",
                      "set tags in the config so the next preflight can tell")]
    missing = sorted(f"{k}={v}" for k, v in ours.items() if tags.get(k) != v)
    if missing:
        return [Check(name, FAIL, f"{cluster_name} exists ({status}) without this stack's tags ({', '.join(missing)}):"
                                  " CreateCluster would fail with ResourceInUse",
                      "choose another hyperpod_cluster_name, or import the cluster into the stack's state")]
    return [Check(name, OK, f"{cluster_name} exists ({status}) with this stack's tags: apply updates it")]


def bucket_check(context: Context) -> list[Check]:
    name = "collision: lifecycle bucket"
    bucket = context.deployment.config.lifecycle_scripts_bucket_name
    if bucket is None:
        return [Check(name, OK, "generated name (a sagemaker- prefix and a unique suffix): no collision possible")]
    account = context.identity.account
    try:
        answer = context.aws.call("s3", "HeadBucket", missing=("404", "NoSuchBucket", "NotFound"), Bucket=bucket,
                                  ExpectedBucketOwner=account)
    except AccessDenied:
        return [Check(name, FAIL, f"{bucket} exists and is not this account's (S3 answers 403 to account {account}; "
                                  "or the caller lacks s3:ListBucket on its own bucket)",
                      "choose another lifecycle_scripts_bucket_name (bucket names are global)")]
    if answer is None:
        return [Check(name, OK, f"{bucket} is free")]
    if hyperpod_cluster(context) is not None:
        return [Check(name, OK, f"{bucket} exists in account {account} and the cluster exists: an update")]
    return [Check(name, WARN, f"{bucket} exists in account {account} but the cluster does not: a first apply fails "
                              "(BucketAlreadyOwnedByYou) unless the bucket is in this stack's state")]


def checks(context: Context) -> list[Check]:
    if context.deployment.cluster_name is None:
        return []
    return (guarded("collision: hyperpod cluster", lambda: cluster_check(context))
            + guarded("collision: lifecycle bucket", lambda: bucket_check(context)))
