"""Lint, the shared parts of the two charts, the Qwen3-14B example with and without its HyperPod overlays, NOTES."""
from __future__ import annotations

import json

import jsonschema
import pytest

from .cases import CHARTS
from .helm_runner import CHARTS as CHARTS_DIR, REPO_ROOT

EXAMPLE = REPO_ROOT / "examples" / "training" / "accelerate" / "qwen3-14b-sft"
FINE_TUNE, OVERLAY = EXAMPLE / "fine-tune.yaml", EXAMPLE / "hyperpod.yaml"
OPERATOR_OVERLAY = EXAMPLE / "hyperpod-operator.yaml"


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("files", [(), (FINE_TUNE,), (FINE_TUNE, OVERLAY), (FINE_TUNE, OPERATOR_OVERLAY)],
                         ids=["defaults", "example", "overlay", "operator-overlay"])
def test_helm_lint_strict_passes(helm, chart, files):
    args = ["lint", "--strict", str(CHARTS_DIR / chart)]
    for f in files:
        args += ["-f", str(f)]
    result = helm.run(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[WARNING]" not in result.stdout and "[ERROR]" not in result.stdout


def test_lint_strict_fails_on_a_broken_values_file(helm, tmp_path):
    """Guards the lint test: lint does fail when the values are wrong."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("resources:\n  nnodes: 0\n")
    result = helm.run("lint", "--strict", str(CHARTS_DIR / "pytorchjob-distributed"), "-f", str(bad))
    assert result.returncode != 0
    assert "at '/resources/nnodes': minimum: got 0, want 1" in result.stdout + result.stderr


def test_both_schemas_share_every_common_definition():
    """The charts share templates through pytorchjob-common, so the values they accept must not drift apart."""
    distributed, elastic = (json.loads((CHARTS_DIR / c / "values.schema.json").read_text()) for c in CHARTS)
    assert set(elastic["properties"]) - set(distributed["properties"]) == {"elastic"}
    for key, schema in distributed["properties"].items():
        assert elastic["properties"][key] == schema, key
    assert elastic["definitions"] == distributed["definitions"]
    assert not any('"$ref": "http' in json.dumps(s) for s in (distributed, elastic)), "remote $ref: helm would fetch it"


def test_example_on_hyperpod(helm):
    result = helm.template("pytorchjob-distributed", files=(FINE_TUNE, OVERLAY), release="qwen-sft-hp",
                           namespace="kubeflow")
    assert result.returncode == 0, result.stderr
    job = result.job
    assert job["metadata"]["name"] == "qwen3-14b-sft" and job["metadata"]["namespace"] == "kubeflow"
    assert job["metadata"]["annotations"] == {"sagemaker.amazonaws.com/enable-job-auto-resume": "true",
                                              "sagemaker.amazonaws.com/job-max-retry-count": "2"}
    assert job["spec"]["nprocPerNode"] == "8"
    replicas = job["spec"]["pytorchReplicaSpecs"]
    assert {t: r["replicas"] for t, r in replicas.items()} == {"Master": 1, "Worker": 1}
    for replica in replicas.values():
        pod = replica["template"]["spec"]
        assert pod["nodeSelector"] == {"node.kubernetes.io/instance-type": "ml.p4d.24xlarge"}
        container = pod["containers"][0]
        for kind in ("requests", "limits"):
            assert container["resources"][kind]["nvidia.com/gpu"] == 8
            assert container["resources"][kind]["vpc.amazonaws.com/efa"] == 4
        assert container["args"][:2] == ["accelerate", "launch"]
        assert "--machine_rank=$(PET_NODE_RANK)" in container["args"]
        assert {"name": "fsx", "mountPath": "/fsx"} in container["volumeMounts"]
        (clone,) = pod["initContainers"]
        assert {"name": "GIT_COMMIT", "value": "35def3ee000a87f6839e66f4b7749b06274ed1b3"} in clone["env"]


def test_example_without_overlay_has_no_hyperpod_scheduling(helm):
    result = helm.template("pytorchjob-distributed", files=(FINE_TUNE,), release="qwen-sft")
    assert result.returncode == 0, result.stderr
    assert "sagemaker.amazonaws.com" not in result.stdout
    for replica in result.job["spec"]["pytorchReplicaSpecs"].values():
        assert replica["template"]["spec"]["nodeSelector"] == {"node.kubernetes.io/instance-type": "p4d.24xlarge"}


@pytest.mark.parametrize("chart, first_pod", [("pytorchjob-distributed", "qwen3-14b-sft-master-0"),
                                              ("pytorchjob-elastic", "qwen3-14b-sft-worker-0")])
def test_notes_tell_how_to_follow_the_job(helm, chart, first_pod):
    result = helm.run("install", "qwen-sft-hp", str(CHARTS_DIR / chart), "-n", "kubeflow", "--dry-run=client",
                      "-f", str(FINE_TUNE), "-f", str(OVERLAY))
    assert result.returncode == 0, result.stderr
    notes = result.stdout.split("NOTES:", 1)[1]
    assert "kubectl get pytorchjob qwen3-14b-sft -n kubeflow -w" in notes
    assert f"kubectl logs -n kubeflow -f {first_pod}" in notes
    assert "sagemaker.amazonaws.com/node-health-status" in notes
    assert "Job auto-resume is on (at most 2 resumes)" in notes


@pytest.mark.parametrize("chart", CHARTS)
def test_packaged_chart_is_self_contained_and_renders_the_same(helm, chart, tmp_path):
    """helm package follows the pytorchjob-common symlink, so a pushed chart needs nothing from this repository."""
    packaged = helm.run("package", str(CHARTS_DIR / chart), "-d", str(tmp_path))
    assert packaged.returncode == 0, packaged.stderr
    (archive,) = tmp_path.glob(f"{chart}-*.tgz")
    args = ["-f", str(FINE_TUNE), "-f", str(OVERLAY)]
    from_dir = helm.run("template", "qwen", str(CHARTS_DIR / chart), *args)
    from_archive = helm.run("template", "qwen", str(archive), *args)
    assert from_archive.returncode == 0, from_archive.stderr
    assert from_archive.stdout == from_dir.stdout


@pytest.mark.parametrize("chart", CHARTS)
def test_example_on_the_hyperpod_operator(helm, chart, hyperpodpytorchjob_schema):
    result = helm.template(chart, files=(FINE_TUNE, OPERATOR_OVERLAY), release="qwen-sft-hpto",
                           namespace="hyperpod-ns-ml-research")
    assert result.returncode == 0, result.stderr
    job = result.hyperpod_job
    assert list(jsonschema.Draft7Validator(hyperpodpytorchjob_schema).iter_errors(job)) == []
    assert job["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "hyperpod-ns-ml-research-localqueue"
    spec = job["spec"]
    assert spec["nprocPerNode"] == "8" and spec["runPolicy"]["jobMaxRetryCount"] == 10
    assert [r["name"] for r in spec["runPolicy"]["logMonitoringConfiguration"]] == ["JobStart", "JobHanging",
                                                                                    "OutOfMemory"]
    (replica,) = spec["replicaSpecs"]
    assert replica["replicas"] == 2
    pod = replica["template"]["spec"]
    assert pod["nodeSelector"] == {"node.kubernetes.io/instance-type": "ml.p4d.24xlarge",
                                   "sagemaker.amazonaws.com/instance-group-name": "accelerated-p4d"}
    container = pod["containers"][0]
    assert container["args"][:3] == ["hyperpodrun", "--nnodes=$(PYTORCHJOB_NNODES)",
                                     "--nproc-per-node=$(PYTORCHJOB_NPROC_PER_NODE)"]
    assert "--fsdp=full_shard auto_wrap" in container["args"]
    assert {"name": "fsx", "mountPath": "/fsx"} in container["volumeMounts"]
    assert {"name": "fsx", "persistentVolumeClaim": {"claimName": "fsx-claim"}} in pod["volumes"]
    (configmap,) = result.of_kind("ConfigMap")
    assert "hyperpod-elastic-agent" in configmap["data"]["pre.sh"]
