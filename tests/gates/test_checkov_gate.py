"""The checkov gate: the examples pass with the reviewed acknowledgements, and each failure mode bites.

checkov runs once for all scanned inputs (a module fixture): ~4 s instead of ~4 s per input.
"""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gates import checkov_gate
from gates.checkov_acknowledgements import Acknowledgement, AcknowledgementError, load_acknowledgements
from gates.checkov_addresses import AddressIndex, render
from gates.checkov_gate import ACKNOWLEDGEMENTS, evaluate, figures, scan
from tests.gates.conftest import EXAMPLES, ROOT, write_json

# Checks that ran (passed + failed) per example with checkov 3.3.30, measured; fewer means checks went missing.
MINIMUM_CHECKS = {"terraform.tfvars.json": 73, "production.tfvars.json": 73, "capacity.tfvars.json": 102,
                  "addons.tfvars.json": 190, "advanced.tfvars.json": 148, "inference.tfvars.json": 235,
                  # restricted instance groups only: no lifecycle bucket, so fewer resources to check
                  "restricted.tfvars.json": 45}
BUCKET = "aws_s3_bucket.hyperpod_lifecycle-bucket_FDAC6428"


@pytest.fixture(scope="module")
def scanned(synthesize, tmp_path_factory) -> dict[str, checkov_gate.FileResult]:
    if not checkov_gate.CHECKOV.exists():
        pytest.fail(f"checkov is not installed at {checkov_gate.CHECKOV}: run scripts/bootstrap.sh --test")
    work = tmp_path_factory.mktemp("checkov-inputs")
    files = {path.name: str(synthesize(path)) for path in EXAMPLES}
    production = json.loads(Path(files["production.tfvars.json"]).read_text())

    broken = copy.deepcopy(production)  # versioning gone and one public-access flag off
    del broken["resource"]["aws_s3_bucket_versioning"]
    next(iter(broken["resource"]["aws_s3_bucket_public_access_block"].values()))["block_public_acls"] = False
    with_version = copy.deepcopy(production)
    with_version["terraform"]["required_version"] = ">= 1.5.0"
    unparsable = copy.deepcopy(production)  # valid JSON that checkov 3.3.30 cannot parse: a scalar block body
    unparsable["output"] = {"plain": "not-a-block"}
    for name, document in (("broken", broken), ("required_version", with_version), ("unparsable", unparsable)):
        (work / name).mkdir()
        files[name] = str(write_json(work / name, document))
    results = scan(list(files.values()))
    return dict(zip(files, results))


@pytest.fixture(scope="module")
def acknowledgements() -> list[Acknowledgement]:
    return load_acknowledgements(ACKNOWLEDGEMENTS)


def test_the_examples_pass_with_the_reviewed_acknowledgements(scanned, acknowledgements, capsys):
    examples = [scanned[path.name] for path in EXAMPLES]
    assert evaluate(examples, acknowledgements, min_checks=1) == []
    for path in EXAMPLES:
        assert path.name in MINIMUM_CHECKS, f"new example {path.name}: add its measured check count to MINIMUM_CHECKS"
        numbers = figures(scanned[path.name], acknowledgements)
        with capsys.disabled():
            print(f"\ncheckov {path.name}: {numbers}")
        assert numbers["failed"] == 0 and numbers["parsing_errors"] == 0
        present = Path(scanned[path.name].file).read_text()
        assert numbers["acknowledged"] == len([a for a in acknowledgements
                                               if f'"{a.resource.rsplit(".", 1)[1]}"' in present])
        assert numbers["passed"] + numbers["acknowledged"] >= MINIMUM_CHECKS[path.name]


def test_a_broken_bucket_fails_the_gate(scanned, acknowledgements):
    errors = evaluate([scanned["broken"]], acknowledgements, min_checks=1)
    assert any(e.endswith(f"FAILED CKV_AWS_21 on {BUCKET}: Ensure all data stored in the S3 bucket have versioning "
                          "enabled") for e in errors), errors
    assert any("FAILED CKV_AWS_53 on aws_s3_bucket_public_access_block.hyperpod_lifecycle-bucket_public-access_8C271949"
               in e for e in errors), errors


def test_a_parsing_error_fails_the_gate_although_checkov_exits_zero(scanned, acknowledgements):
    result = scanned["unparsable"]
    assert result.parsing_errors == 1 and result.passed == [] and result.failed == []
    errors = evaluate([result], [], min_checks=MINIMUM_CHECKS["production.tfvars.json"])
    assert f"{result.file}: checkov reported 1 parsing error(s): its checks did not run on this file" in errors
    assert f"{result.file}: only 0 checks ran, expected at least 73" in errors
    assert f"{result.file}: checkov ran no check on {BUCKET}" in errors


def test_required_version_is_scanned_without_it_instead_of_silently_skipped(scanned):
    result, reference = scanned["required_version"], scanned["production.tfvars.json"]
    assert result.dropped_required_version and not reference.dropped_required_version
    assert result.parsing_errors == 0
    assert sorted(map(str, result.passed)) == sorted(map(str, reference.passed))
    assert sorted(map(str, result.failed)) == sorted(map(str, reference.failed))


@pytest.fixture(scope="module")
def core_acknowledgements(acknowledgements) -> list[Acknowledgement]:
    """Those for resources every enabled stack has (the quick start has no add-on)."""
    return [a for a in acknowledgements if "cluster-addons" not in a.resource]


def test_an_acknowledgement_that_matches_nothing_is_stale(scanned, core_acknowledgements):
    acknowledgements = core_acknowledgements
    extra = Acknowledgement("CKV_AWS_19", BUCKET, "an acknowledgement for a check that passes, so nothing to accept")
    errors = evaluate([scanned["terraform.tfvars.json"]], acknowledgements + [extra], min_checks=1)
    assert errors == [f"stale acknowledgement CKV_AWS_19 on {BUCKET}: no failed check matches it in the scanned "
                      "files; remove it from checkov_acknowledgements.json"]


def test_an_unacknowledged_failure_is_named_with_its_address(scanned, core_acknowledgements):
    acknowledgements = core_acknowledgements
    without_logging = [a for a in acknowledgements if a.check_id != "CKV_AWS_18"]
    errors = evaluate([scanned["terraform.tfvars.json"]], without_logging, min_checks=1)
    assert errors == [f"{scanned['terraform.tfvars.json'].file}: FAILED CKV_AWS_18 on {BUCKET}: Ensure the S3 bucket "
                      "has access logging enabled"]


def test_every_acknowledgement_is_for_a_resource_the_core_creates(acknowledgements):
    # 7 for the core stack; 6 for the inference operator's TLS bucket and its load balancer controller's reads.
    assert len({(a.check_id, a.resource) for a in acknowledgements}) == len(acknowledgements) == 13


@pytest.mark.parametrize("entry,message", [
    ({"check_id": "AWS_18", "resource": BUCKET, "reason": "x" * 50}, "acknowledgements[0].check_id: got 'AWS_18'"),
    ({"check_id": "CKV_AWS_18", "resource": "aws_s3_bucket.*", "reason": "x" * 50},
     "acknowledgements[0].resource: got 'aws_s3_bucket.*', expected one Terraform address"),
    ({"check_id": "CKV_AWS_18", "resource": BUCKET, "reason": "false positive"},
     "acknowledgements[0].reason: got 'false positive', expected a reason a reviewer would accept"),
    ({"check_id": "CKV_AWS_18", "resource": BUCKET, "reason": "x" * 50, "skip": True},
     "acknowledgements[0]: unknown field(s) skip"),
])
def test_a_malformed_acknowledgement_is_refused(tmp_path, entry, message):
    path = write_json(tmp_path, {"acknowledgements": [entry]}, "acks.json")
    with pytest.raises(AcknowledgementError) as error:
        load_acknowledgements(path)
    assert message in str(error.value)


def test_a_duplicate_acknowledgement_is_refused(tmp_path):
    entry = {"check_id": "CKV_AWS_18", "resource": BUCKET, "reason": "x" * 50}
    with pytest.raises(AcknowledgementError, match="acknowledgements\\[1\\]: duplicate acknowledgement of CKV_AWS_18"):
        load_acknowledgements(write_json(tmp_path, {"acknowledgements": [entry, entry]}, "acks.json"))


def test_findings_map_to_real_terraform_addresses():
    document = {"provider": {"aws": [{"region": "x"}]}, "data": {"aws_iam_policy_document": {"d": {"statement": []}}},
                "resource": {"aws_s3_bucket": {"b": {"bucket": "x"}}, "aws_s3_bucket_policy": {"b": {"bucket": "x"}}}}
    text = render(document)
    index = AddressIndex(text)
    # Both resources are named "b": only the type above the name line tells them apart.
    bucket_line, policy_line = [n for n, line in enumerate(text.splitlines(), 1) if line == '      "b": {']
    start = {"aws_s3_bucket.b": bucket_line, "aws_s3_bucket_policy.b": policy_line}
    assert index.address_at(start["aws_s3_bucket.b"]) == "aws_s3_bucket.b"
    assert index.address_at(start["aws_s3_bucket_policy.b"] + 1) == "aws_s3_bucket_policy.b"
    assert set(index.addresses()) == {"provider.aws", "data.aws_iam_policy_document.d", "aws_s3_bucket.b",
                                      "aws_s3_bucket_policy.b"}


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gates.checkov_gate", *args], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, **env}, timeout=300)


def test_cli_prints_the_figures_and_passes_on_the_examples(synthesize):
    files = [str(synthesize(path)) for path in EXAMPLES]
    completed = run_cli("--min-checks", str(min(MINIMUM_CHECKS.values())), *files)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    for path, file in zip(EXAMPLES, files):
        (line,) = [line for line in completed.stdout.splitlines() if line.startswith(f"{file}: passed ")]
        # The lifecycle bucket's acknowledgements apply where there is a bucket (not to restricted groups only); 13
        # with the inference operator's TLS bucket and load balancer controller reads.
        acknowledged = {"restricted.tfvars.json": (2,), "inference.tfvars.json": (13,)}.get(path.name, (7, 8))
        assert line.endswith(tuple(f", acknowledged {n}, parsing errors 0" for n in acknowledged)), line
    assert completed.stdout.rstrip().endswith("checkov gate: passed")


def test_cli_without_checkov_says_how_to_install_it(tmp_path):
    completed = run_cli(str(tmp_path / "cdk.tf.json"), CHECKOV_BIN=str(tmp_path / "no-checkov"))
    assert completed.returncode == 2
    assert "checkov not found at" in completed.stderr and "scripts/bootstrap.sh --test" in completed.stderr
    assert "Traceback" not in completed.stderr
