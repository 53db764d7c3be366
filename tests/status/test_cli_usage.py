"""Bad input exits 2 with one line naming the field, the value and what is allowed; colour rules."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hyperpod.status.cli import main, parse_duration
from hyperpod.commands.output import use_colour
from tests.status.conftest import REGION, healthy_kubernetes

REPO = Path(__file__).resolve().parents[2]
WRAPPER = REPO / "hyperpod" / "scripts" / "check-hyperpod-status.sh"


@pytest.mark.parametrize("argv, message", [
    (["bad_name!", "--region", REGION],
     "CLUSTER: 'bad_name!' is not a HyperPod cluster name (1-63 letters, digits and hyphens, "
     "starting with a letter or digit) or cluster ARN"),
    (["ml-cluster", "--region", "uswest2"],
     "--region: 'uswest2' is not an AWS region name; expected e.g. us-west-2"),
    (["ml-cluster"], "--region: not given, and neither AWS_REGION nor AWS_DEFAULT_REGION is set"),
    (["ml-cluster", "--region", REGION, "--endpoint-url", "localhost:5000"],
     "--endpoint-url: 'localhost:5000' is not an http(s) URL"),
    (["ml-cluster", "--region", REGION, "--kubeconfig", "/no/such/kubeconfig"],
     "--kubeconfig: '/no/such/kubeconfig' is not a file"),
    (["ml-cluster", "--region", REGION, "--release-name", "Hyperpod_Deps"],
     "--release-name: 'Hyperpod_Deps' is not a Kubernetes name (lower-case letters, digits and '-', "
     "at most 53 characters)"),
    (["ml-cluster", "--region", REGION, "--min-schedulable", "-1"], "--min-schedulable: -1 must be 0 or more"),
    (["ml-cluster", "--region", REGION, "--min-schedulable", "four"],
     "argument --min-schedulable: invalid int value: 'four' (see hyperpod-status --help)"),
    (["wait", "ml-cluster", "--region", REGION],
     "the following arguments are required: --timeout (see hyperpod-status wait --help)"),
    (["wait", "ml-cluster", "--region", REGION, "--timeout", "3 hours"],
     "--timeout: '3 hours' is not a duration; use e.g. 3h, 90m, 1h30m or 45s"),
    (["wait", "ml-cluster", "--region", REGION, "--timeout", "1h", "--interval", "0s"],
     "--interval: '0s' must be longer than zero"),
    (["ml-cluster", "--region", REGION, "--colour"],
     "unrecognized arguments: --colour (see hyperpod-status --help)"),
    # Durations that would overflow time.sleep or the clock arithmetic (a traceback before issue 12).
    (["wait", "ml-cluster", "--region", REGION, "--timeout", "99999999999999999999h"],
     "--timeout: '99999999999999999999h' is longer than the allowed 168h"),
    (["wait", "ml-cluster", "--region", REGION, "--timeout", "1h", "--interval", "9" * 400],
     f"--interval: {'9' * 400!r} is longer than the allowed 168h"),
    (["wait", "ml-cluster", "--region", REGION, "--timeout", "1e400s"],
     "--timeout: '1e400s' is not a duration; use e.g. 3h, 90m, 1h30m or 45s"),
    (["wait", "ml-cluster", "--region", REGION, "--timeout", "169h"],
     "--timeout: '169h' is longer than the allowed 168h"),
    (["--region", REGION, "--"], "--: no cluster name after it (see hyperpod-status --help)"),
])
def test_bad_input_is_one_line_with_exit_two(argv, message, capsys, monkeypatch):
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)

    code = main(argv)

    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err == f"hyperpod-status: {message}\n"


def test_region_falls_back_to_aws_region(monkeypatch, capsys):
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    # Validation passes the region on; the bad kubeconfig path is what stops this run.
    assert main(["ml-cluster", "--kubeconfig", "/no/such/file"]) == 2
    assert "--kubeconfig" in capsys.readouterr().err


@pytest.mark.parametrize("text, seconds", [("3h", 10800), ("90m", 5400), ("1h30m", 5400), ("45s", 45),
                                           ("0.5s", 0.5), ("120", 120), ("168h", 604800)])
def test_durations(text, seconds):
    assert parse_duration(text, "--timeout") == seconds


def test_a_cluster_arn_is_accepted(capsys):
    arn = "arn:aws:sagemaker:us-west-2:123456789012:cluster/abcdef123456"
    assert main([arn, "--region", REGION, "--kubeconfig", "/no/such/file"]) == 2
    assert "CLUSTER" not in capsys.readouterr().err


def test_help_exits_zero(capsys):
    assert main(["--help"]) == 0
    assert "--min-schedulable" in capsys.readouterr().out
    assert main(["wait", "--help"]) == 0
    assert "--timeout" in capsys.readouterr().out


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_colour_only_on_a_terminal_without_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_colour(Terminal()) is True
    assert use_colour(io.StringIO()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_colour(Terminal()) is False
    monkeypatch.setenv("NO_COLOR", "")  # no-color.org: only a non-empty value disables colour
    assert use_colour(Terminal()) is True


def test_table_is_coloured_on_a_terminal(clusters, kube, monkeypatch, capsys):
    groups = {"worker": 1}
    cluster = clusters.create(groups)
    healthy_kubernetes(kube, cluster, groups)
    monkeypatch.setattr(sys, "stdout", Terminal())

    code = main([cluster, "--region", REGION, "--kubeconfig", kube.kubeconfig])

    table = sys.stdout.getvalue()
    assert code == 0
    assert "\033[32mHEALTHY\033[0m" in table and "\033[32mpass   \033[0m" in table


def test_the_package_starts_without_cdktf():
    """The status tool must start fast: importing it must not load cdktf, jsii or any provider binding.
    (hyperpod/__init__.py registers the provider packages as empty lazy modules; none may get loaded.)"""
    code = ("import sys, hyperpod.status.cli, hyperpod.status.run; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('cdktf', 'constructs', 'jsii') "
            "or (m.startswith('cdktf_cdktf_provider_') and '.' in m)]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_wrapper_keeps_the_seed_usage(clusters, kube):
    groups = {"worker": 2}
    cluster = clusters.create(groups)
    healthy_kubernetes(kube, cluster, groups)
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "KUBECONFIG": kube.kubeconfig,
           "HOME": "/nonexistent"}
    env.update({k: v for k, v in os.environ.items() if k.startswith("AWS_")})

    result = subprocess.run(["bash", str(WRAPPER), cluster, REGION], env=env, capture_output=True,
                            text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    assert f"HyperPod cluster {cluster} ({REGION}): HEALTHY" in result.stdout

    with kube.state.lock:
        kube.state.secrets = []
    result = subprocess.run(["bash", str(WRAPPER), cluster, REGION, "--json"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert '"verdict": "unhealthy"' in result.stdout


def test_wrapper_runs_from_a_checkout_without_the_console_script(clusters, kube):
    groups = {"worker": 1}
    cluster = clusters.create(groups)
    healthy_kubernetes(kube, cluster, groups)
    env = {k: v for k, v in os.environ.items() if k.startswith("AWS_")}
    env.update({"PATH": "/usr/bin:/bin", "PYTHON": sys.executable, "KUBECONFIG": kube.kubeconfig,
                "HOME": "/nonexistent"})

    result = subprocess.run(["bash", str(WRAPPER), cluster, REGION], env=env, capture_output=True,
                            text=True, timeout=60, cwd="/")

    assert result.returncode == 0, result.stderr
    assert "HEALTHY" in result.stdout


@pytest.mark.parametrize("argv", [[], ["only-cluster"], ["--json", "us-west-2"]])
def test_wrapper_usage_error(argv):
    result = subprocess.run(["bash", str(WRAPPER), *argv], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr == "usage: check-hyperpod-status.sh <cluster-name> <region> [hyperpod-status options]\n"


MALFORMED_KUBECONFIGS = {
    "invalid yaml": ("a: [\n", "not a valid kubeconfig (ParserError: while parsing a flow node)"),
    "a list": ("- 1\n- 2\n", "not a valid kubeconfig (TypeError: list indices must be integers or slices, not str)"),
    "contexts a string": ("contexts: x\ncurrent-context: c\n", "Invalid kube-config file. Expected all values in"),
    "user a number": ("apiVersion: v1\nclusters: [{name: c, cluster: {server: 'https://x'}}]\n"
                      "contexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n"
                      "users: [{name: u, user: 7}]\n", "not a valid kubeconfig (TypeError: "),
    "deep nesting": ("a: " + "[" * 5000 + "]" * 5000 + "\n", "not a valid kubeconfig: nested too deeply"),
    "not utf-8": ("\udcff", "not a valid kubeconfig (UnicodeDecodeError: "),
}


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
@pytest.mark.parametrize("name", MALFORMED_KUBECONFIGS)
def test_malformed_kubeconfig_is_a_usage_error(name, as_json, tmp_path, capsys):
    content, message = MALFORMED_KUBECONFIGS[name]
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_bytes(content.encode("utf-8", "surrogateescape"))

    code = main(["ml-cluster", "--region", REGION, "--kubeconfig", str(kubeconfig), *(["--json"] if as_json else [])])

    out, err = capsys.readouterr()
    assert code == 2
    assert err.startswith(f"hyperpod-status: kubeconfig {kubeconfig}: {message}") and err.count("\n") == 1
    if as_json:
        document = json.loads(out)
        assert document["verdict"] == "error" and document["exit_code"] == 2
        assert document["reason"] == err.removeprefix("hyperpod-status: ").rstrip("\n")
    else:
        assert out == ""


def test_a_cluster_named_like_the_sub_command_works_after_double_dash(clusters, kube, capsys):
    groups = {"worker": 1}
    cluster = clusters.create(groups, name="wait")
    healthy_kubernetes(kube, cluster, groups)

    assert main(["--", "wait", "--region", REGION, "--kubeconfig", kube.kubeconfig]) == 0
    assert "HyperPod cluster wait (us-west-2): HEALTHY" in capsys.readouterr().out
    assert main(["--region", REGION, "--kubeconfig", kube.kubeconfig, "--", "wait"]) == 0
    assert "HyperPod cluster wait (us-west-2): HEALTHY" in capsys.readouterr().out
    assert main(["wait", "--timeout", "1m", "--region", REGION, "--kubeconfig", kube.kubeconfig, "--", "wait"]) == 0
    assert "HyperPod cluster wait (us-west-2): HEALTHY" in capsys.readouterr().out

    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "KUBECONFIG": kube.kubeconfig,
           "HOME": "/nonexistent", **{k: v for k, v in os.environ.items() if k.startswith("AWS_")}}
    result = subprocess.run(["bash", str(WRAPPER), "wait", REGION, "--json"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["cluster"] == "wait"


def test_exit_codes_are_in_both_helps(capsys):
    for argv in (["--help"], ["wait", "--help"]):
        assert main(argv) == 0
        text = " ".join(capsys.readouterr().out.split())
        for code in ("0 healthy", "1 unhealthy", "2 usage or configuration error", "3 AWS or Kubernetes unreachable",
                     "130 interrupted"):
            assert code in text, (argv, code)
