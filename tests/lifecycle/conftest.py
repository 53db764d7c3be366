import pytest

from tests.lifecycle.node_sandbox import NodeSandbox


@pytest.fixture
def al2_node(tmp_path):
    return NodeSandbox(tmp_path, "al2")


@pytest.fixture
def al2023_node(tmp_path):
    return NodeSandbox(tmp_path, "al2023")


@pytest.fixture(params=["al2", "al2023"])
def any_node(request, tmp_path):
    return NodeSandbox(tmp_path, request.param)
