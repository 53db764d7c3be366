"""hyperpod-preflight when it cannot answer: usage and config errors (exit 2, main.py's messages), an unreachable
endpoint and refused credentials (exit 3), and missing permissions (the check skipped naming the IAM action; exit 3
only with --strict). Always one line, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hyperpod.preflight.cli import main
from hyperpod.status.expected import read_config_option
from tests.preflight.conftest import clean_world, config
from tests.status.conftest import free_port


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_config_errors_are_main_pys_and_exit_2(aws, tmp_path, capsys):
    path = config(tmp_path, aws, hyperpod_instance_groups=[{"name": "w", "instance_type": "ml.nope.large",
                                                             "instance_count": 1}])

    code, out, err = run(capsys, "--config", path, "--json")

    assert code == 2
    assert json.loads(out)["exit_code"] == 2
    assert err.startswith(f"hyperpod-preflight: {path}: 1 problem(s) in the configuration:\n"
                          "  error: hyperpod_instance_groups[0].instance_type: got \"ml.nope.large\"")
    assert "Traceback" not in err and aws.operations == []
    # hyperpod-status --config reads the same file through the same reader, with the same problem.
    status_error = None
    try:
        read_config_option(path)
    except Exception as error:  # noqa: BLE001 - the UsageError is the point
        status_error = error.reason
    assert status_error.startswith(f"--config: {path}: 1 problem(s) in the configuration: error: "
                                   "hyperpod_instance_groups[0].instance_type: got \"ml.nope.large\"")


def test_usage_errors_exit_2_in_one_line(aws, tmp_path, capsys):
    no_region = config(tmp_path, aws, region=None)

    assert run(capsys) == (2, "", "hyperpod-preflight: the following arguments are required: --config (see "
                                  "hyperpod-preflight --help)\n")
    assert run(capsys, "--config", no_region) == (
        2, "", f"hyperpod-preflight: {no_region}: no region: give --region, set region in the config, or set "
               "AWS_REGION\n")
    assert run(capsys, "--config", no_region, "--region", "mars-1") == (
        2, "", "hyperpod-preflight: --region: 'mars-1' is not an AWS region name; expected e.g. us-west-2\n")
    code, _, err = run(capsys, "--config", str(tmp_path / "missing.json"))
    assert code == 2 and err.startswith("hyperpod-preflight: ") and "missing.json" in err and err.count("\n") == 1


def test_unreachable_endpoint_exits_3_in_one_line(aws, tmp_path, capsys, monkeypatch):
    path = config(tmp_path, aws)
    dead = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", dead)

    code, out, err = run(capsys, "--config", path)

    assert (code, out) == (3, "")
    assert err.startswith(f"hyperpod-preflight: could not reach STS in us-west-2: Could not connect to the endpoint "
                          f"URL: \"{dead}/\"") and err.count("\n") == 1


def test_expired_credentials_exit_3_in_one_line(aws, tmp_path, capsys, monkeypatch):
    path = config(tmp_path, aws)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", aws.stub.url)
    aws.stub.state.expired = True

    code, out, err = run(capsys, "--config", path, "--json")

    assert code == 3
    assert json.loads(out) == {"verdict": "error", "healthy": False, "exit_code": 3, "reason": (
        "AWS credentials refused by STS (GetCallerIdentity): ExpiredToken: The security token included in the request "
        "is expired")}
    assert err.count("\n") == 1


def test_missing_permission_skips_the_check_and_fails_only_with_strict(aws, tmp_path, capsys):
    clean_world(aws)
    aws.stub.state.denied = {"ListAWSDefaultServiceQuotas", "ListServiceQuotas", "DescribeAddon"}
    path = config(tmp_path, aws)

    code, out, err = run(capsys, "--config", path, "--json")
    strict_code, table, strict_err = run(capsys, "--config", path, "--strict")

    assert code == 0, out + err
    found = {c["name"]: c for c in json.loads(out)["configs"][0]["checks"]}
    assert found["quotas"] == {"name": "quotas", "verdict": "skipped",
                               "facts": "AccessDenied: servicequotas:ListAWSDefaultServiceQuotas", "fix": None,
                               "missing_permission": "servicequotas:ListAWSDefaultServiceQuotas"}
    assert found["eks: vpc-cni"]["facts"] == "AccessDenied: eks:DescribeAddon"
    assert strict_code == 3
    assert "READY (2 skipped)" in table.splitlines()[0]
    assert strict_err == ("hyperpod-preflight: checks skipped for missing permissions (--strict); see "
                          "docs/preflight.md for the read-only policy\n")


def test_the_command_starts_without_cdktf():
    """Like hyperpod-status: reading configs and running checks must not load cdktf, jsii or a provider binding."""
    code = ("import sys, hyperpod.preflight.cli, hyperpod.preflight.runner, hyperpod.preflight.report, "
            "hyperpod.app.environments; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('cdktf', 'constructs', 'jsii') "
            "or (m.startswith('cdktf_cdktf_provider_') and '.' in m)]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_unexpected_answer_skips_its_area_in_one_line(aws, tmp_path, capsys, monkeypatch):
    from hyperpod.preflight import runner

    clean_world(aws)

    def broken(context):
        raise KeyError("ReservedCapacitySummaries")

    monkeypatch.setattr(runner, "AREAS", tuple((name, broken if name == "quotas" else checks)
                                               for name, checks in runner.AREAS))

    code, out, err = run(capsys, "--config", config(tmp_path, aws), "--json")

    assert code == 0 and err == ""
    quotas = next(c for c in json.loads(out)["configs"][0]["checks"] if c["name"] == "quotas")
    assert (quotas["verdict"], quotas["facts"]) == (
        "skipped", "could not evaluate: KeyError: 'ReservedCapacitySummaries' (an AWS answer this tool did not "
                   "expect; please report it)")
