"""The values matrix every chart is rendered over: both operators (kubeflow PyTorchJob, HyperPod
HyperPodPyTorchJob), HyperPod off / on without auto-resume / on with auto-resume, 1, 2 and 8 nodes, with and without
a git source and shared volumes. The hyperpod operator needs HyperPod on: that combination is a bad value, rendered
separately (INVALID)."""
from __future__ import annotations

import copy
import itertools

CHARTS = ("pytorchjob-distributed", "pytorchjob-elastic")

HYPERPOD_MODES = {
    "plain": {"enabled": False},
    "hyperpod": {"enabled": True, "auto_restart": False},
    "hyperpod-resume": {"enabled": True, "auto_restart": True, "max_retry_count": 5},
}

GPU_NODE = {
    "node_type": "p4d.24xlarge",
    "nproc_per_node": 8,
    "requests": {"nvidia.com/gpu": 8, "vpc.amazonaws.com/efa": 4, "cpu": "90", "memory": "1000Gi"},
    "limits": {"nvidia.com/gpu": 8, "vpc.amazonaws.com/efa": 4},
}

SOURCES = {
    "image-only": {},
    "git-volumes": {
        "git": {"repo": "https://github.com/example/train.git", "branch": "release-1",
                "commit": "0123456789abcdef0123456789abcdef01234567"},
        "volumes": [
            {"name": "fsx", "claim_name": "fsx-claim", "mount_path": "/fsx"},
            {"name": "efs", "claim_name": "efs-claim", "mount_path": "/data", "read_only": True},
        ],
        "scripts": {"pre": "export STAGE=pre\n", "post": "echo done\n"},
        "shm_size": "64Gi",
    },
}


OPERATORS = ("kubeflow", "hyperpod")

# With the hyperpod operator, the launcher is the HyperPod elastic agent's, fed from the chart's own variables.
HYPERPODRUN_ARGS = ["--nnodes=$(PYTORCHJOB_NNODES)", "--nproc-per-node=$(PYTORCHJOB_NPROC_PER_NODE)"]

# What the hyperpod operator's recovery settings look like in the matrix (auto-resume on).
RESTART_POLICY = {"eval_period_seconds": 21600, "num_restart_before_full_job_restart": 3, "max_full_job_restarts": 1}
LOG_MONITORING = [
    {"name": "JobStart", "log_pattern": ".*'loss':.*", "expected_start_cut_off_seconds": 600},
    {"name": "JobHanging", "log_pattern": ".*'loss':.*", "expected_recurring_frequency_seconds": 300},
    {"name": "LossSpike", "log_pattern": ".*'loss': (\\d+(\\.\\d+)?).*", "metric_threshold": 2.5, "operator": "gt",
     "metric_evaluation_data_points": 5},
    {"name": "OOM", "log_pattern": ".*CUDA out of memory.*", "fault_on_match": True},
]


def values_for(mode: str, nnodes: int, source: str, operator: str = "kubeflow") -> dict:
    """A fresh values dict: tests edit what they get, so nothing may be shared between calls. With the kubeflow
    operator it sets exactly what it did before the hyperpod operator existed (the golden renders depend on it)."""
    values = {
        "image": {"repository": "123456789012.dkr.ecr.us-west-2.amazonaws.com/train", "tag": "v1"},
        "command": ["torchrun"],
        "args": ["train.py", "--epochs", "1"],
        "env": [{"name": "NCCL_DEBUG", "value": "INFO"}],
        "resources": {**GPU_NODE, "nnodes": nnodes},
        "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
        "hyperpod": dict(HYPERPOD_MODES[mode]),
        **SOURCES[source],
    }
    if operator == "hyperpod":
        values["command"] = ["hyperpodrun"]
        values["args"] = [*HYPERPODRUN_ARGS, *values["args"]]
        values["hyperpod"]["operator"] = "hyperpod"
        if values["hyperpod"].get("auto_restart"):
            values["hyperpod"].update(restart_policy=RESTART_POLICY, log_monitoring=LOG_MONITORING)
        if values["hyperpod"]["enabled"] and source == "git-volumes":
            values["hyperpod"].update(instance_group="gpu-p4d", team="ml-research", priority="training")
    return copy.deepcopy(values)


MATRIX = [
    (chart, operator, mode, nnodes, source)
    for chart, operator, mode, nnodes, source
    in itertools.product(CHARTS, OPERATORS, HYPERPOD_MODES, (1, 2, 8), SOURCES)
    if not (operator == "hyperpod" and mode == "plain")
]

# The hyperpod operator without HyperPod mode: refused, whatever the rest of the values.
INVALID = [
    (chart, "hyperpod", "plain", nnodes, source)
    for chart, nnodes, source in itertools.product(CHARTS, (1, 2, 8), SOURCES)
]


def pod_templates(job: dict) -> dict[str, dict]:
    """replica name -> pod template, for either job kind."""
    if job["kind"] == "HyperPodPyTorchJob":
        return {r["name"]: r["template"] for r in job["spec"]["replicaSpecs"]}
    return {rtype: r["template"] for rtype, r in job["spec"]["pytorchReplicaSpecs"].items()}


def case_id(case: tuple) -> str:
    return "-".join(str(part) for part in case)
