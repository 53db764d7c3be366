"""Real local servers for hyperpod-status tests: moto's server in a subprocess, a fake Kubernetes API."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest

from tests.status import fake_kubernetes
from tests.status.eks_stub import EksStub
from tests.status.fake_kubernetes import FakeKubernetes
from tests.status.sagemaker_stub import SageMakerStub
from tests.status.moto_launcher import instance_id

LAUNCHER = Path(__file__).with_name("moto_launcher.py")
REGION = "us-west-2"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def moto_server(extra_env: dict[str, str] | None = None):
    """moto's real server on a free port of 127.0.0.1, with the launcher's HyperPod hooks; yields its URL."""
    port = free_port()
    process = subprocess.Popen([sys.executable, str(LAUNCHER), "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env={**os.environ, **(extra_env or {})})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto server did not start: {process.stderr.read()!r}")
                time.sleep(0.1)
        yield url
    finally:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def moto_url():
    with moto_server() as url:
        yield url


@pytest.fixture
def aws_env(monkeypatch, moto_url):
    """Point boto3 at moto through the same variable users would set (AWS_ENDPOINT_URL)."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_ENDPOINT_URL": moto_url,
                        "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_SAGEMAKER",
                 "AWS_ENDPOINT_URL_EKS", "NO_COLOR", "KUBECONFIG"):
        monkeypatch.delenv(name, raising=False)
    return moto_url


_cluster_counter = iter(range(1, 10_000))


class Clusters:
    """Creates uniquely named HyperPod clusters in the session's moto server."""

    def __init__(self, moto_url: str):
        self.client = boto3.client("sagemaker", region_name=REGION, endpoint_url=moto_url,
                                   aws_access_key_id="testing", aws_secret_access_key="testing")

    def create(self, groups: dict[str, int], tags: dict[str, str] | None = None,
               instance_type: str = "ml.g5.8xlarge", min_counts: dict[str, int] | None = None,
               name: str | None = None) -> str:
        name = name or f"ml-cluster-{next(_cluster_counter)}"
        self.client.create_cluster(
            ClusterName=name,
            InstanceGroups=[{
                "InstanceGroupName": group, "InstanceType": instance_type, "InstanceCount": count,
                "LifeCycleConfig": {"SourceS3Uri": "s3://sagemaker-lifecycle/scripts/",
                                    "OnCreate": "on_create.sh"},
                "ExecutionRole": "arn:aws:iam::123456789012:role/hyperpod-execution",
                "ThreadsPerCore": 1,  # moto fails without it
                **({"MinInstanceCount": (min_counts or {})[group]} if group in (min_counts or {}) else {}),
            } for group, count in groups.items()],
            VpcConfig={"SecurityGroupIds": ["sg-0123456789abcdef0"], "Subnets": ["subnet-0abc"]},
            Orchestrator={"Eks": {"ClusterArn": "arn:aws:eks:us-west-2:123456789012:cluster/eks"}},
            Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()],
        )
        return name


@pytest.fixture
def clusters(aws_env):
    return Clusters(aws_env)


@pytest.fixture
def kube(tmp_path):
    server = FakeKubernetes().start()
    server.kubeconfig = server.write_kubeconfig(tmp_path / "kubeconfig")
    yield server
    server.stop()


@pytest.fixture
def eks(aws_env, monkeypatch):
    """The DescribeAddon stand-in, reached the way users redirect one service (AWS_ENDPOINT_URL_EKS)."""
    server = EksStub().start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_EKS", server.url)
    yield server
    server.stop()


@pytest.fixture
def sagemaker(aws_env, monkeypatch):
    """The cluster policy stand-in in front of moto, reached through AWS_ENDPOINT_URL_SAGEMAKER."""
    server = SageMakerStub(aws_env).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", server.url)
    yield server
    server.stop()


def healthy_kubernetes(kube: FakeKubernetes, cluster: str, groups: dict[str, int],
                       node_overrides: dict[tuple[str, int], dict] | None = None) -> None:
    """Kubernetes as a healthy HyperPod cluster shows it: one Schedulable node per SageMaker node;
    node_overrides[(group, index)] changes fake_kubernetes.node() arguments of one node."""
    overrides = node_overrides or {}
    with kube.state.lock:
        kube.state.nodes = [
            fake_kubernetes.node(f"hyperpod-{instance_id(cluster, group, index)}", cluster, group,
                                 **{"deep": "Passed", **overrides.get((group, index), {})})
            for group, count in groups.items() for index in range(count)
        ]
        # A plain EKS node that HyperPod does not own: the tool must ignore it.
        kube.state.nodes.append(fake_kubernetes.node("ip-10-0-1-23.us-west-2.compute.internal",
                                                     labelled=False, health=None,
                                                     instance_type="m5.xlarge", group=""))
        total = sum(groups.values())
        kube.state.daemonsets = [fake_kubernetes.daemonset("health-monitoring-agent", total, total),
                                 fake_kubernetes.daemonset("health-monitoring-agent-non-nvidia", 0, 0),
                                 # The chart's device plugins for GPU and EFA instances (ml.g5.8xlarge has both).
                                 fake_kubernetes.daemonset("hyperpod-dependencies-nvidia-device-plugin", total,
                                                           total, namespace="kube-system"),
                                 fake_kubernetes.daemonset("hyperpod-dependencies-aws-efa-k8s-device-plugin",
                                                           total, total, namespace="kube-system")]
        kube.state.secrets = [fake_kubernetes.helm_secret("hyperpod-dependencies", 1, "superseded"),
                              fake_kubernetes.helm_secret("hyperpod-dependencies", 2),
                              fake_kubernetes.helm_secret("other-release", 1)]
