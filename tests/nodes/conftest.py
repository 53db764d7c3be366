"""hyperpod-nodes tests: the SageMaker stand-in (tests/nodes/sagemaker_stub.py) reached through AWS_ENDPOINT_URL, as
users would redirect it, and helpers to run the command in this process."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from hyperpod.nodes import actions
from tests.conftest import minimal_config
from tests.nodes.sagemaker_stub import SageMakerStub
from tests.status.conftest import aws_env, clusters, kube, moto_url  # noqa: F401 - fixtures for the list tests
from tests.status.moto_launcher import instance_id

REGION = "us-west-2"
CLUSTER = "ml-cluster"


@pytest.fixture
def stub(monkeypatch):
    server = SageMakerStub().start()
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_ENDPOINT_URL": server.url,
                        "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                        "AWS_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_SAGEMAKER", "NO_COLOR", "KUBECONFIG"):
        monkeypatch.delenv(name, raising=False)
    yield server.state
    server.stop()


@pytest.fixture
def backoffs(monkeypatch):
    """The throttling backoffs hyperpod-nodes asked for, recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr(actions, "sleep", waits.append)
    return waits


class Terminal(io.StringIO):
    """stdin as a terminal whose user types `answer` (and may do something else first)."""

    def __init__(self, answer: str, before_answer=None):
        super().__init__(answer + "\n")
        self.before_answer = before_answer

    def isatty(self) -> bool:
        return True

    def readline(self, *args):
        if self.before_answer is not None:
            self.before_answer()
        return super().readline(*args)


def node(group: str, index: int, cluster: str = CLUSTER) -> str:
    return instance_id(cluster, group, index)


def write_config(path: Path, groups: dict[str, int], indent=2, **overrides) -> Path:
    config = minimal_config(**{"hyperpod_cluster_name": CLUSTER, "hyperpod_instance_groups": [
        {"name": name, "instance_type": "ml.g5.8xlarge", "instance_count": count} for name, count in groups.items()],
        **overrides})
    path.write_text(json.dumps(config, indent=indent) + "\n")
    return path
