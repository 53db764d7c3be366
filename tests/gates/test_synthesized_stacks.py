"""The schema and hardening gates over the real synthesized output: every example and the generated config sweep."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gates.awscc_schema import check_document
from gates.iam_hardening import check_iam
from gates.s3_hardening import check_s3
from tests.gates.conftest import EXAMPLES, ROOT
from tests.gates.execution_role_reference import ALLOWED_MANAGED_POLICIES, EXECUTION_ROLE_REFERENCE
from tests.gates.generated_configs import DISABLED, GENERATED

CONFIGS = {**{path.name: path for path in EXAMPLES}, **GENERATED}


def test_every_example_is_covered():
    assert {"terraform.tfvars.json", "production.tfvars.json"} <= set(CONFIGS)


@pytest.fixture(scope="module")
def stacks(synthesize) -> dict[str, dict]:
    return {name: json.loads(Path(synthesize(config)).read_text()) for name, config in CONFIGS.items()}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_the_cluster_conforms_to_the_awscc_schema(stacks, name):
    count, violations = check_document(stacks[name])
    assert count == 1
    assert [str(v) for v in violations] == []


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_iam_is_within_the_execution_role_reference(stacks, name):
    assert [str(v) for v in check_iam(stacks[name], EXECUTION_ROLE_REFERENCE, ALLOWED_MANAGED_POLICIES)] == []


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_the_lifecycle_bucket_is_hardened(stacks, name):
    assert [str(v) for v in check_s3(stacks[name])] == []


def test_the_generated_sweep_reaches_the_limits(stacks):
    """The sweep is only worth something if the synthesized clusters really carry the edge values."""
    groups = [g for name in GENERATED
              for g in next(iter(stacks[name]["resource"]["awscc_sagemaker_cluster"].values()))["instance_groups"]]
    sizes = {c["ebs_volume_config"]["volume_size_in_gb"] for g in groups for c in g["instance_storage_configs"]}
    assert {1, 16384} <= sizes
    assert {g["threads_per_core"] for g in groups} == {1, 2}
    assert 20 in {len(next(iter(s["resource"]["awscc_sagemaker_cluster"].values())).get("instance_groups", []))
                  for s in stacks.values()}
    assert any("on_start_deep_health_checks" not in g for g in groups)


def test_a_disabled_stack_has_no_cluster_and_nothing_to_harden(synthesize):
    document = json.loads(Path(synthesize(DISABLED)).read_text())
    assert check_document(document) == (0, [])
    assert check_iam(document, EXECUTION_ROLE_REFERENCE, ALLOWED_MANAGED_POLICIES) == []
    assert check_s3(document) == []


def test_the_stack_bypasses_no_prebuilt_binding():
    """Overrides and escape hatches would put attributes in the JSON that no binding (or schema gate) checked.

    Each one the core uses is listed with the test that checks exactly what it writes; a new one fails here until
    it gets such a check.
    """
    checked = {
        # CDKTF 0.21's S3Backend lacks use_lockfile; the whole backend block it ends in is asserted key by key.
        'stack.add_override("terraform.backend.s3.use_lockfile", True)': "tests/core/test_state.py",
    }
    bypass = re.compile(r"\badd_override\b|\boverride_logical_id\b|\badd_property_override\b|\bescape_hatch")
    found = [(f"{path.relative_to(ROOT)}:{number}", line.strip())
             for path in sorted((ROOT / "hyperpod").rglob("*.py"))
             for number, line in enumerate(path.read_text().splitlines(), 1) if bypass.search(line)]
    unchecked = [where for where, line in found if line not in checked]
    assert unchecked == [], f"binding bypasses need a conformance check in gates/: {unchecked}"
    for line, test in checked.items():
        assert any(seen == line for _, seen in found), f"stale entry (the code no longer has it): {line}"
        assert "use_lockfile" in (ROOT / test).read_text()
