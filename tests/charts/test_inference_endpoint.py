"""charts/inference-endpoint: rendered by the real helm, the InferenceEndpointConfig meets the operator's CRD (made
strict about unknown fields), bad values are refused by the chart's schema, and the render is pinned by golden files."""
from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from .helm_runner import REPO_ROOT
from .kubernetes_rules import dns1123_label, labels, strict_schema

CHART = "inference-endpoint"
CRD = Path(__file__).parent / "data" / "inference.sagemaker.aws.amazon.com_inferenceendpointconfigs.yaml"
GOLDEN = Path(__file__).parent / "data" / "inference-golden"  # apart from the kubeflow renders' own set
EXAMPLE = REPO_ROOT / "examples" / "inference" / "deepseek-endpoint.yaml"
FSX = {"model_name": "m1", "worker": {"image": "img:1"},
       "model_source": {"type": "fsx", "fsx": {"file_system_id": "fs-0123456789abcdef0"}, "location": "models/m1"}}
# name -> (value dicts, values files): each renders with release "ep" in namespace "hyperpod-ns-ml".
CASES = {"example": ((), (EXAMPLE,)), "fsx-minimal": ((FSX,), ())}


@pytest.fixture(scope="module")
def crd_schema() -> dict:
    crd = yaml.safe_load(CRD.read_text())
    assert (crd["spec"]["group"], crd["spec"]["names"]["kind"]) == ("inference.sagemaker.aws.amazon.com",
                                                                     "InferenceEndpointConfig")
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1"]
    return strict_schema(version["schema"]["openAPIV3Schema"])


def render(helm, name: str):
    value_sets, files = CASES[name]
    return helm.template(CHART, *value_sets, files=files, release="ep", namespace="hyperpod-ns-ml")


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_render_meets_the_crd_and_kubernetes_naming(helm, crd_schema, name):
    result = render(helm, name)
    assert result.returncode == 0, result.stderr
    (endpoint,) = result.of_kind("InferenceEndpointConfig")
    assert endpoint["apiVersion"] == "inference.sagemaker.aws.amazon.com/v1"
    errors = sorted(jsonschema.Draft7Validator(crd_schema).iter_errors(endpoint), key=str)
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []
    meta = endpoint["metadata"]
    assert dns1123_label(meta["name"], "metadata.name") + labels(meta.get("labels"), "metadata.labels") == []
    assert "<no value>" not in result.stdout


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_render_matches_its_golden_file(helm, name):
    result = render(helm, name)
    assert result.stdout == (GOLDEN / f"{CHART}-{name}.yaml").read_text()


def test_the_example_joins_its_team_queue_at_its_priority(helm):
    (endpoint,) = render(helm, "example").of_kind("InferenceEndpointConfig")
    assert endpoint["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "hyperpod-ns-ml-localqueue"
    assert endpoint["metadata"]["labels"]["kueue.x-k8s.io/priority-class"] == "inference-priority"
    assert endpoint["spec"]["modelSourceConfig"]["s3Storage"] == {"bucketName": "ml-platform-models",
                                                                  "region": "us-west-2"}
    assert endpoint["spec"]["worker"]["resources"]["requests"]["nvidia.com/gpu"] == "1"


def test_the_example_reads_a_bucket_the_stack_lets_the_csi_driver_read():
    import json
    stack = json.loads((REPO_ROOT / "examples" / "inference.tfvars.json").read_text())
    values = yaml.safe_load(EXAMPLE.read_text())
    assert values["model_source"]["s3"]["bucket_name"] in stack["hyperpod_addons"]["inference_operator"][
        "model_buckets"]


def test_the_strict_crd_schema_catches_a_misspelt_field(helm, crd_schema):
    (endpoint,) = render(helm, "fsx-minimal").of_kind("InferenceEndpointConfig")
    endpoint["spec"]["worker"]["modelInvocationPorts"] = endpoint["spec"]["worker"].pop("modelInvocationPort")
    messages = [e.message for e in jsonschema.Draft7Validator(crd_schema).iter_errors(endpoint)]
    assert "'modelInvocationPort' is a required property" in messages
    assert any("'modelInvocationPorts' was unexpected" in m for m in messages)


@pytest.mark.parametrize("values, fragment", [
    ({"model_name": "Model_1"}, "at '/model_name'"),
    ({"model_source": {"type": "fsx"}}, "at '/model_source'"),
    ({"model_source": {"type": "huggingface"}}, "at '/model_source/type'"),
    ({"instance_type": "g5.8xlarge"}, "at '/instance_type'"),
    ({"worker": {"image": "img:1", "port_name": "https"}}, "at '/worker/port_name'"),
    ({"hyperpod": {"team": "ML Team"}}, "at '/hyperpod/team'"),
    ({"replica": 2}, "additional properties 'replica' not allowed"),
])
def test_bad_values_are_refused_naming_the_value(helm, values, fragment):
    base = {"model_name": "m1", "worker": {"image": "img:1"},
            "model_source": {"type": "s3", "s3": {"bucket_name": "models-a", "region": "us-west-2"}}}
    result = helm.template(CHART, base, values, release="ep", namespace="hyperpod-ns-ml")
    assert result.returncode != 0
    assert fragment in result.stderr, result.stderr
