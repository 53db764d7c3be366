#!/usr/bin/env python3
"""Composition: an EKS platform stack and a HyperPod stack that imports the `HyperPod` construct, wired together with
CDKTF cross-stack references (CDKTF turns each value into an output of the first stack and a
`terraform_remote_state` read in the second).

    python examples/composition/main.py [--out DIR]       (default: $CDKTF_OUTDIR, else cdktf.out beside this file)
    cd DIR/stacks/eks-platform && terraform init && terraform apply     then the same in stacks/hyperpod-training

Edit the constants below for your account: region, zones, the networks allowed to reach the EKS API.

It runs on either CDK runtime (docs/runtimes.md): the CDK core and the provider bindings are imported through
`hyperpod.runtime`, so `.venv-terrain/bin/python examples/composition/main.py` synthesizes it with CDK Terrain. In
your own app, import them from `cdktf`/`cdktf_cdktf_provider_aws` or `cdktn`/`cdktn_provider_aws` directly.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run from anywhere without installing the package
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import hyperpod  # noqa: E402  (registers the lazy provider bindings before any binding is imported)

REGION = "us-west-2"
ZONES = ["us-west-2a", "us-west-2b"]
EKS_CLUSTER_NAME = "ml-platform"
KUBERNETES_VERSION = "1.33"
ADMIN_CIDRS = ["203.0.113.0/24"]  # who may reach the EKS API endpoint (helm and kubectl): replace with yours
HYPERPOD = {
    "region": REGION,
    "eks_cluster_name": EKS_CLUSTER_NAME,
    "hyperpod_enabled": True,
    "hyperpod_cluster_name": "ml-platform-hyperpod",
    "hyperpod_instance_groups": [{"name": "gpu-workers", "instance_type": "ml.g5.48xlarge", "instance_count": 2,
                                  "deep_health_checks": ["InstanceStress", "InstanceConnectivity"]}],
}


def state_file(stack: str) -> str:
    """Terraform runs each stack in DIR/stacks/<stack>: three levels up is DIR's parent, outside the build output
    (where CDKTF keeps local state by default). The same relative path serves the other stack's remote-state read,
    and it does not depend on where the checkout lives. Teams use the S3 backend instead (see docs/team-use.md)."""
    return f"../../../terraform.{stack}.tfstate"


def build(outdir: Path):
    with hyperpod.lazy_provider_modules():  # jsii's Node, started here, loads only the provider modules used
        from hyperpod.runtime.core import App, LocalBackend, TerraformStack
    from hyperpod.runtime.aws.data_aws_caller_identity import DataAwsCallerIdentity
    from hyperpod.runtime.aws.data_aws_partition import DataAwsPartition
    from hyperpod.runtime.aws.data_aws_region import DataAwsRegion
    from hyperpod.runtime.aws.provider import AwsProvider

    from examples.composition.control_plane import EksControlPlane
    from examples.composition.network import NatEgress, PrivateSubnets
    from hyperpod.bindings.awscc import AwsccProvider
    from hyperpod.config import parse_config
    from hyperpod.eks import AwsContext, EksCluster
    from hyperpod import shipped_scripts
    from hyperpod.stack import HyperPod, kubernetes_providers

    app = App(outdir=str(outdir))

    platform = TerraformStack(app, "eks-platform")
    LocalBackend(platform, path=state_file("eks-platform"))
    AwsProvider(platform, "aws", region=REGION)
    partition = DataAwsPartition(platform, "partition").partition
    egress = NatEgress(platform, "egress", name=EKS_CLUSTER_NAME, cidr="10.42.0.0/16", public_cidr="10.42.255.0/24",
                       zone=ZONES[0])
    private = PrivateSubnets(platform, "private", name=EKS_CLUSTER_NAME, vpc_id=egress.vpc.id,
                             nat_gateway_id=egress.nat_gateway.id, cidrs=["10.42.0.0/19", "10.42.32.0/19"],
                             zones=ZONES)
    eks = EksControlPlane(platform, "eks", name=EKS_CLUSTER_NAME, kubernetes_version=KUBERNETES_VERSION,
                          partition=partition, subnet_ids=private.ids, admin_cidrs=ADMIN_CIDRS).cluster

    training = TerraformStack(app, "hyperpod-training")
    LocalBackend(training, path=state_file("hyperpod-training"))
    AwsProvider(training, "aws", region=REGION)
    AwsccProvider(training, "awscc", region=REGION)
    # Every value below is read from the platform stack's state at plan time (cross-stack references).
    cluster = EksCluster(
        name=eks.name, arn=eks.arn, endpoint=eks.endpoint,
        certificate_authority_data=eks.certificate_authority.get(0).data, vpc_id=egress.vpc.id,
        subnet_ids=private.ids, cluster_security_group_id=eks.vpc_config.cluster_security_group_id,
        authentication_mode=eks.access_config.authentication_mode)
    kubernetes_providers(training, cluster_name=cluster.name, region=REGION, endpoint=cluster.endpoint,
                         certificate_authority_data=cluster.certificate_authority_data)
    aws = AwsContext(partition=DataAwsPartition(training, "partition").partition,
                     region=DataAwsRegion(training, "region").region,
                     account_id=DataAwsCallerIdentity(training, "caller").account_id)
    config, _ = parse_config(HYPERPOD)
    HyperPod(training, "hyperpod", config=config, eks=cluster, aws=aws,
             lifecycle_scripts=shipped_scripts())
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # `cdktf synth` (with a cdktf.json whose app runs this file) names its output directory in CDKTF_OUTDIR.
    default_out = os.environ.get("CDKTF_OUTDIR") or Path(__file__).resolve().parent / "cdktf.out"
    parser.add_argument("--out", type=Path, default=Path(default_out))
    args = parser.parse_args(argv)
    build(args.out).synth()
    for stack in ("eks-platform", "hyperpod-training"):
        print(f"wrote {args.out / 'stacks' / stack / 'cdk.tf.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
