"""The values matrix every chart is rendered over: HyperPod off / on without auto-resume / on with auto-resume,
1, 2 and 8 nodes, with and without a git source and shared volumes."""
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


def values_for(mode: str, nnodes: int, source: str) -> dict:
    """A fresh values dict: tests edit what they get, so nothing may be shared between calls."""
    return copy.deepcopy({
        "image": {"repository": "123456789012.dkr.ecr.us-west-2.amazonaws.com/train", "tag": "v1"},
        "command": ["torchrun"],
        "args": ["train.py", "--epochs", "1"],
        "env": [{"name": "NCCL_DEBUG", "value": "INFO"}],
        "resources": {**GPU_NODE, "nnodes": nnodes},
        "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
        "hyperpod": HYPERPOD_MODES[mode],
        **SOURCES[source],
    })


MATRIX = [
    (chart, mode, nnodes, source)
    for chart, mode, nnodes, source in itertools.product(CHARTS, HYPERPOD_MODES, (1, 2, 8), SOURCES)
]


def case_id(case: tuple) -> str:
    return "-".join(str(part) for part in case)
