"""Integer values have a maximum in the values schema. Helm reads numbers as float64 and the templates turn them into
integers with `int`, which wraps anything past int64: `backoff_limit: 1e30` rendered as -9223372036854775808.
The maximum is 2147483647 (int32) for every integer: Kubeflow's PyTorchJob CRD types backoffLimit and maxRestarts as
int32, Kubernetes API conventions make int32 the default integer of API fields (the HyperPodPyTorchJob CRD is not
published), and int32 is exact in float64. As seconds it is 68 years, beyond any timeout or toleration."""
from __future__ import annotations

import json

import pytest

from .cases import CHARTS, values_for
from .helm_runner import CHARTS as CHART_DIR

INT32_MAX = 2147483647
HUGE = 1e30
LOG_RULE = {"name": "JobStart", "log_pattern": ".*loss.*"}
TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}

# (schema path Helm reports, override putting HUGE there); both charts.
COMMON = [
    ("/backoff_limit", lambda v: {"backoff_limit": v}),
    ("/hyperpod/max_retry_count", lambda v: {"hyperpod": {"enabled": True, "max_retry_count": v}}),
    ("/hyperpod/restart_policy/eval_period_seconds",
     lambda v: {"hyperpod": {"enabled": True, "restart_policy": {"eval_period_seconds": v}}}),
    ("/hyperpod/restart_policy/num_restart_before_full_job_restart",
     lambda v: {"hyperpod": {"enabled": True, "restart_policy": {"num_restart_before_full_job_restart": v}}}),
    ("/hyperpod/restart_policy/max_full_job_restarts",
     lambda v: {"hyperpod": {"enabled": True, "restart_policy": {"max_full_job_restarts": v}}}),
    ("/hyperpod/log_monitoring/0/expected_start_cut_off_seconds",
     lambda v: {"hyperpod": {"enabled": True, "log_monitoring": [{**LOG_RULE, "expected_start_cut_off_seconds": v}]}}),
    ("/hyperpod/log_monitoring/0/expected_recurring_frequency_seconds",
     lambda v: {"hyperpod": {"enabled": True,
                             "log_monitoring": [{**LOG_RULE, "expected_recurring_frequency_seconds": v}]}}),
    ("/hyperpod/log_monitoring/0/metric_evaluation_data_points",
     lambda v: {"hyperpod": {"enabled": True, "log_monitoring": [{**LOG_RULE, "metric_evaluation_data_points": v}]}}),
    ("/tolerations/0/tolerationSeconds", lambda v: {"tolerations": [{**TOLERATION, "tolerationSeconds": v}]}),
]
ELASTIC = [(f"/elastic/{key}", lambda v, key=key: {"elastic": {key: v}})
           for key in ("min_nodes", "max_nodes", "max_restarts", "rendezvous_timeout_seconds",
                       "replica_increment_step", "graceful_shutdown_timeout_seconds", "scaling_timeout_seconds",
                       "faulty_scale_down_timeout_seconds")]
CASES = [(chart, path, override) for chart in CHARTS
         for path, override in COMMON + (ELASTIC if chart == "pytorchjob-elastic" else [])]


@pytest.mark.parametrize("chart,path,override", CASES, ids=[f"{c}:{p}" for c, p, _ in CASES])
def test_an_integer_past_int32_fails_with_helms_schema_message(helm, chart, path, override):
    result = helm.template(chart, values_for("plain", 2, "image-only"), override(HUGE))
    assert result.returncode != 0 and result.stdout == ""
    assert "values don't meet the specifications of the schema" in result.stderr
    assert f"at '{path}': maximum: got 1×10³⁰" in result.stderr, result.stderr


@pytest.mark.parametrize("chart", CHARTS)
def test_the_maximum_itself_renders_as_written(helm, chart):
    values = values_for("hyperpod-resume", 2, "image-only", operator="hyperpod")
    values["hyperpod"]["max_retry_count"] = INT32_MAX
    values["tolerations"][0]["tolerationSeconds"] = INT32_MAX
    result = helm.template(chart, values, {"backoff_limit": INT32_MAX})
    assert result.returncode == 0, result.stderr
    job = result.hyperpod_job
    assert job["spec"]["runPolicy"]["jobMaxRetryCount"] == INT32_MAX
    tolerations = job["spec"]["replicaSpecs"][0]["template"]["spec"]["tolerations"]
    assert {**TOLERATION, "tolerationSeconds": INT32_MAX} in tolerations
    kubeflow = helm.template(chart, values_for("plain", 2, "image-only"), {"backoff_limit": INT32_MAX})
    assert kubeflow.returncode == 0, kubeflow.stderr
    assert kubeflow.job["spec"]["runPolicy"]["backoffLimit"] == INT32_MAX


def _integers(schema: object, path: str = "") -> list[tuple[str, dict]]:
    if isinstance(schema, dict):
        found = [(path, schema)] if schema.get("type") == "integer" else []
        return found + [item for key, value in schema.items() for item in _integers(value, f"{path}/{key}")]
    if isinstance(schema, list):
        return [item for index, value in enumerate(schema) for item in _integers(value, f"{path}/{index}")]
    return []


@pytest.mark.parametrize("chart", CHARTS)
def test_every_integer_in_the_values_schema_has_a_maximum(chart):
    schema = json.loads((CHART_DIR / chart / "values.schema.json").read_text())
    unbounded = [path for path, field in _integers(schema) if not isinstance(field.get("maximum"), int)]
    assert unbounded == []
