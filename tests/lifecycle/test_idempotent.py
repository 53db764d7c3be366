"""A second run on a configured node changes nothing and succeeds; an interrupted or outdated one is repaired."""

from tests.lifecycle.node_sandbox import NodeSandbox, VOLUME_ROOT


def test_second_run_changes_nothing(any_node):
    any_node.set_active("kubelet.service")
    first = any_node.run()
    assert first.returncode == 0, first.output
    before = any_node.snapshot()
    any_node.clear_calls()

    second = any_node.run()

    assert second.returncode == 0, second.output
    assert any_node.snapshot() == before
    # Only questions to systemd, no stop/start/reload.
    assert any_node.systemctl_calls() == []
    assert "already links to /opt/sagemaker/kubelet" in second.output
    assert f"root already {VOLUME_ROOT.strip(chr(34))}" in second.output
    assert any_node.active_units() == {"containerd.service", "kubelet.service"}
    # Scratch files were drafted outside the node tree and cleaned up.
    assert list(any_node.tmp.iterdir()) == []
    # The log keeps both runs.
    log = any_node.read("/var/log/provision/provisioning.log")
    assert log.count("on_create.sh finished: node configured") == 2


def test_interrupted_copies_are_redone(al2023_node):
    """A crash mid-copy leaves .partial directories; they must never be taken for finished copies."""
    al2023_node.write("/opt/sagemaker/containerd/data-root.partial/half", "x")
    al2023_node.write("/opt/sagemaker/kubelet.partial/half", "x")
    run = al2023_node.run()
    assert run.returncode == 0, run.output
    assert not al2023_node.path("/opt/sagemaker/containerd/data-root/half").exists()
    assert not al2023_node.path("/opt/sagemaker/kubelet/half").exists()
    assert al2023_node.read("/opt/sagemaker/kubelet/kubeconfig").startswith("apiVersion")


def test_volume_that_outlived_an_al2_root_volume_is_refreshed_on_al2023(tmp_path):
    """The data volume can survive a root-volume replacement: containerd data from another AMI family is dropped,
    and kubelet state from the old root volume is replaced by the new root volume's."""
    node = NodeSandbox(tmp_path, "al2023")
    node.write("/opt/sagemaker/containerd/.node-os", "al2\n")
    node.write("/opt/sagemaker/containerd/data-root/al2-snapshot", "old")
    node.write("/opt/sagemaker/kubelet/kubeconfig", "old kubeconfig")
    run = node.run()
    assert run.returncode == 0, run.output
    assert "written for 'al2', this node runs al2023" in run.output
    assert not node.path("/opt/sagemaker/containerd/data-root/al2-snapshot").exists()
    assert node.read("/opt/sagemaker/containerd/.node-os") == "al2023\n"
    assert node.read("/opt/sagemaker/kubelet/kubeconfig").startswith("apiVersion")


def test_missing_kubelet_dir_becomes_a_link_to_an_empty_volume_dir(al2_node):
    import shutil

    shutil.rmtree(al2_node.path("/var/lib/kubelet"))
    run = al2_node.run()
    assert run.returncode == 0, run.output
    assert str(al2_node.path("/var/lib/kubelet").readlink()) == "/opt/sagemaker/kubelet"
    assert list(al2_node.path("/opt/sagemaker/kubelet").iterdir()) == []


def test_config_without_a_root_line_gets_one(al2023_node):
    al2023_node.write("/etc/containerd/config.toml", 'version = 2\n\n[grpc]\naddress = "/run/containerd/containerd.sock"\n')
    assert al2023_node.run().returncode == 0
    assert al2023_node.read("/etc/containerd/config.toml") == (
        f'root = {VOLUME_ROOT}\nversion = 2\n\n[grpc]\naddress = "/run/containerd/containerd.sock"\n'
    )
