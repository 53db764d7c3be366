"""Fixtures for the chart tests: the real helm binary, the PyTorchJob CRD schema and the HyperPodPyTorchJob schema."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from .helm_runner import BUNDLED_HELM, Helm, find_helm
from .kubernetes_rules import strict_schema

CRD = Path(__file__).parent / "data" / "kubeflow.org_pytorchjobs.yaml"
HYPERPOD_SCHEMA = Path(__file__).parent / "data" / "hyperpodpytorchjob.schema.json"


@pytest.fixture(scope="session")
def helm(tmp_path_factory) -> Helm:
    binary = find_helm()
    if binary is None:
        pytest.fail(f"helm not found on PATH nor at {BUNDLED_HELM}; install it with `scripts/bootstrap.sh --test`")
    return Helm(binary, tmp_path_factory.mktemp("helm-home"))


@pytest.fixture(scope="session")
def pytorchjob_schema() -> dict:
    """openAPIV3Schema of PyTorchJob v1, refusing unknown fields like server-side field validation does."""
    crd = yaml.safe_load(CRD.read_text())
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1"]
    return strict_schema(version["schema"]["openAPIV3Schema"])


@pytest.fixture(scope="session")
def hyperpodpytorchjob_schema() -> dict:
    """The HyperPodPyTorchJob fields AWS documents (see data/SOURCE.md), its pod template checked strictly as the
    Kubernetes PodTemplateSpec of the PyTorchJob CRD."""
    crd = yaml.safe_load(CRD.read_text())
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1"]
    replica = version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["pytorchReplicaSpecs"]
    schema = json.loads(HYPERPOD_SCHEMA.read_text())
    schema["definitions"]["podTemplateSpec"] = strict_schema(replica["additionalProperties"]["properties"]["template"])
    return schema
