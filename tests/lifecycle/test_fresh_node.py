"""A fresh node of each AMI family ends with containerd and kubelet data on /opt/sagemaker."""

import re
import shlex
import subprocess

from tests.lifecycle.node_sandbox import NODEADM_CONFIG, VOLUME_ROOT

DROP_IN = "/etc/systemd/system/containerd.service.d/50-data-root-on-data-volume.conf"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} ")


def top_level_roots(config: str) -> list[str]:
    top = config.split("\n[", 1)[0]
    return [line.split("=", 1)[1].strip() for line in top.splitlines() if re.match(r"^\s*root\s*=", line)]


def assert_data_moved(node):
    assert node.read("/opt/sagemaker/containerd/data-root/io.containerd.content.v1.content/blobs/sha256/0abc") == (
        "pause layer"
    )
    kubelet = node.path("/var/lib/kubelet")
    assert kubelet.is_symlink()
    assert str(kubelet.readlink()) == "/opt/sagemaker/kubelet"
    assert node.read("/opt/sagemaker/kubelet/kubeconfig").startswith("apiVersion: v1")
    assert node.read("/opt/sagemaker/kubelet/.hidden-state") == "dotfiles move too"
    assert not node.path("/opt/sagemaker/kubelet.partial").exists()
    assert not node.path("/opt/sagemaker/containerd/data-root.partial").exists()


def test_al2_template_and_live_config_point_at_the_volume(al2_node):
    run = al2_node.run()
    assert run.returncode == 0, run.output

    template = al2_node.read("/etc/eks/containerd/containerd-config.toml")
    assert top_level_roots(template) == [VOLUME_ROOT]
    # bootstrap.sh still has its placeholder to fill, and the tables are untouched.
    assert 'sandbox_image = "SANDBOX_IMAGE"' in template
    assert template.endswith('[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\nSystemdCgroup = true\n')
    assert top_level_roots(al2_node.read("/etc/containerd/config.toml")) == [VOLUME_ROOT]
    # AL2 needs no unit drop-in: bootstrap.sh installs the template.
    assert not al2_node.path(DROP_IN).exists()
    assert_data_moved(al2_node)


def test_al2023_drop_in_and_live_config_point_at_the_volume(al2023_node):
    run = al2023_node.run()
    assert run.returncode == 0, run.output

    assert top_level_roots(al2023_node.read("/etc/containerd/config.toml")) == [VOLUME_ROOT]
    drop_in = al2023_node.read(DROP_IN)
    assert "[Service]" in drop_in
    assert "ExecStartPre=/usr/bin/sed -i " in drop_in
    assert drop_in.rstrip().endswith(" /etc/containerd/config.toml")
    assert_data_moved(al2023_node)


def test_al2023_drop_in_command_repairs_a_config_nodeadm_regenerated(al2023_node, tmp_path):
    """nodeadm rewrites the config with the default root; the drop-in's command must put ours back."""
    assert al2023_node.run().returncode == 0
    line = next(l for l in al2023_node.read(DROP_IN).splitlines() if l.startswith("ExecStartPre="))
    argv = shlex.split(line.removeprefix("ExecStartPre="))
    assert argv[0] == "/usr/bin/sed" and argv[-1] == "/etc/containerd/config.toml"
    regenerated = tmp_path / "config.toml"
    regenerated.write_text(NODEADM_CONFIG)

    for _ in range(2):  # containerd restarts run it again: the result must not drift
        subprocess.run(["sed", *argv[1:-1], str(regenerated)], check=True)
        repaired = regenerated.read_text()
        assert top_level_roots(repaired) == [VOLUME_ROOT]
        assert repaired.replace(f"root = {VOLUME_ROOT}\n", "") == NODEADM_CONFIG.replace(
            'root = "/var/lib/containerd"\n', ""
        )


def test_running_containerd_is_stopped_for_the_move_and_started_again(al2023_node):
    al2023_node.set_active("kubelet.service")
    assert al2023_node.run().returncode == 0
    calls = al2023_node.systemctl_calls()
    changing = [c for c in calls if not c.startswith("is-active")]
    assert changing == [
        "stop kubelet.service",
        "stop containerd.service",
        "daemon-reload",
        "start containerd.service",
        "start kubelet.service",
    ]
    assert al2023_node.active_units() == {"containerd.service", "kubelet.service"}


def test_stopped_services_are_not_started(al2_node):
    (al2_node.state / "active" / "containerd.service").unlink()
    assert al2_node.run().returncode == 0
    assert [c for c in al2_node.systemctl_calls() if not c.startswith("is-active")] == []
    assert al2_node.active_units() == set()


def test_every_line_is_timestamped_to_stdout_and_the_log(any_node):
    run = any_node.run()
    assert run.returncode == 0, run.output
    log = any_node.read("/var/log/provision/provisioning.log")
    assert log.splitlines() == run.output.splitlines()
    for line in log.splitlines():
        assert TIMESTAMP.match(line), line
    for step in ("detect node OS", "wait for data volume /opt/sagemaker", "check nothing is mounted below /var/lib/kubelet",
                 "move containerd data root to /opt/sagemaker",
                 "move kubelet directory to /opt/sagemaker", "restart stopped services"):
        assert f"step '{step}': start" in log
        assert f"step '{step}': done" in log
    assert log.rstrip().endswith("on_create.sh finished: node configured")
