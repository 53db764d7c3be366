"""Synthesis loads only the provider modules it uses, and user code that imports the bindings normally still works."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import EXAMPLES, ROOT

PROBE = """
import json, sys
from hyperpod.app.configs import read_config
from hyperpod.app.synthesis import synthesize
from pathlib import Path
config, _ = read_config(Path(sys.argv[1]))
synthesize(config, Path(sys.argv[2]))
aws = sys.modules["cdktf_cdktf_provider_aws"]
print(json.dumps({
    "aws_submodules": sorted({m.split(".")[1] for m in sys.modules if m.startswith("cdktf_cdktf_provider_aws.")}),
    "aws_init_ran": hasattr(aws, "__all__"),
    "kubernetes_loaded": "cdktf_cdktf_provider_kubernetes._jsii" in sys.modules,
}))
"""


def run_python(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_synthesis_does_not_run_the_aws_package_init(tmp_path):
    result = run_python(PROBE, str(EXAMPLES / "production.tfvars.json"), str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["aws_init_ran"] is False
    # The package holds ~2,200 modules; the stack uses about twenty (plus the jsii assembly module).
    assert len(loaded["aws_submodules"]) < 30, loaded["aws_submodules"]
    assert {"iam_role", "s3_bucket", "security_group", "provider", "_jsii"} <= set(loaded["aws_submodules"])
    assert loaded["kubernetes_loaded"] is False


def test_user_code_importing_the_package_normally_still_works():
    code = """
import hyperpod  # registers the lazy packages
import cdktf_cdktf_provider_aws as aws
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
assert aws.s3_bucket.S3Bucket is S3Bucket        # attribute access imports the submodule on demand
assert aws.sqs_queue.SqsQueue.__name__ == "SqsQueue"
try:
    aws.no_such_module
except AttributeError:
    print("ok")
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_fully_imported_package_is_left_alone(tmp_path):
    """An app that imported a binding package in full before `hyperpod` keeps that package as it is. The helm package
    stands in for all three: the same code path, and importing the aws package in full costs ~15 s (~40 s in a new
    virtual environment, which compiles its 486 MB of Python first)."""
    code = """
import sys
import cdktf_cdktf_provider_helm          # the user's app imported everything first
from hyperpod.app.configs import read_config
from hyperpod.app.synthesis import synthesize
from pathlib import Path
full = sys.modules["cdktf_cdktf_provider_helm"]
config, _ = read_config(Path(sys.argv[1]))
synthesize(config, Path(sys.argv[2]))
print(sys.modules["cdktf_cdktf_provider_helm"] is full, hasattr(full, "__all__"))
"""
    result = run_python(code, str(EXAMPLES / "terraform.tfvars.json"), str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True True"
    stack = json.loads((tmp_path / "out" / "stacks" / "hyperpod" / "cdk.tf.json").read_text())
    assert "helm_release" in stack["resource"]  # the synthesis used the fully imported package
