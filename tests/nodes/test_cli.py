"""hyperpod-nodes arguments: bad input is one line and exit 2, before any AWS call."""

import shutil
import subprocess
from pathlib import Path

import pytest

from hyperpod.nodes import targets
from hyperpod.nodes.cli import main
from hyperpod.status import kubernetes

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("argv, message", [
    (["reboot", "bad_name!", "i-0123456789abcdef0"], "CLUSTER: 'bad_name!' is not a HyperPod cluster name"),
    (["reboot", "c1", "not a node"], "NODE: 'not a node' is not a node: give an instance id (i-0123456789abcdef0), "
                                     "its Kubernetes node name (hyperpod-i-0123456789abcdef0) or a node logical id"),
    (["reboot", "c1", "i-0123456789abcdef0", "--region", "uswest2"], "--region: 'uswest2' is not an AWS region name"),
    (["reboot", "c1"], "the following arguments are required: NODE (see hyperpod-nodes reboot --help)"),
    (["remove", "c1", "i-0123456789abcdef0"], "the following arguments are required: --config"),
    (["remove", "c1", "i-0123456789abcdef0", "--config", "/no/such.json"], "--config: '/no/such.json' is not a file"),
    (["list", "c1", "--group", "-bad-"], "argument --group: expected one argument"),
    (["list", "c1", "--group", "bad_group"], "--group: 'bad_group' is not an instance group name"),
    (["list", "c1", "--kubeconfig", "/no/such/kubeconfig"], "--kubeconfig: '/no/such/kubeconfig' is not a file"),
    (["health-check", "c1"], "the following arguments are required: --checks"),
    (["drain", "c1"], "argument COMMAND: invalid choice: 'drain'"),
])
def test_bad_input_is_one_line_with_exit_two(argv, message, capsys, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "us-west-2")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("hyperpod-nodes: ") and message in err and err.count("\n") == 1


def test_the_node_name_prefix_matches_the_status_command():
    assert targets.NODE_NAME_PREFIX == kubernetes.NODE_NAME_PREFIX


def test_the_console_script_is_installed_and_answers_help():
    script = shutil.which("hyperpod-nodes", path=str(REPO / ".venv" / "bin"))
    assert script, "hyperpod-nodes is not installed: run `make install-test` after pulling pyproject.toml"
    result = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "remove" in result.stdout and "Exit codes:" in result.stdout
