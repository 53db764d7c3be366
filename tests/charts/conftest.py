"""Fixtures for the chart tests: the real helm binary and the PyTorchJob CRD schema."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from .helm_runner import BUNDLED_HELM, Helm, find_helm
from .kubernetes_rules import strict_schema

CRD = Path(__file__).parent / "data" / "kubeflow.org_pytorchjobs.yaml"


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
