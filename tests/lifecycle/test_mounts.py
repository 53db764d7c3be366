"""No recursive removal reaches into a mounted file system: pods' volumes below the kubelet directory survive."""

import re

from tests.lifecycle.node_sandbox import NodeSandbox
from tests.lifecycle.test_failures import assert_failed_in_step

POD_VOLUME = "/var/lib/kubelet/pods/7d1c/volumes/kubernetes.io~csi/training-data/mount"
KUBELET_STEP = "move kubelet directory to /opt/sagemaker"
MOUNT_CHECK_STEP = "check nothing is mounted below /var/lib/kubelet"


def test_kubelet_dir_with_a_mounted_pod_volume_is_left_alone(al2023_node):
    al2023_node.write(POD_VOLUME + "/checkpoint.pt", "weeks of training")
    al2023_node.mount(POD_VOLUME)
    al2023_node.set_active("kubelet.service")
    before = {path: entry for path, entry in al2023_node.snapshot().items() if path.startswith("/var/lib/kubelet")}

    run = al2023_node.run()

    assert_failed_in_step(al2023_node, run, MOUNT_CHECK_STEP, re.escape(
        f"refusing to remove /var/lib/kubelet: {al2023_node.path(POD_VOLUME)} mounted at or below it (1 mount(s)); "
        "unmount them (drain the node's pods) and run on_create.sh again; nothing was removed"))
    after = {path: entry for path, entry in al2023_node.snapshot().items() if path.startswith("/var/lib/kubelet")}
    assert after == before
    assert al2023_node.read(POD_VOLUME + "/checkpoint.pt") == "weeks of training"
    assert not al2023_node.path("/opt/sagemaker/kubelet").exists()
    assert not al2023_node.path("/opt/sagemaker/kubelet.partial").exists()
    # Refused before anything was stopped or moved: kubelet keeps running its pods, containerd keeps its root.
    assert not any(call.startswith("stop ") for call in al2023_node.systemctl_calls())
    assert al2023_node.active_units() == {"kubelet.service", "containerd.service"}
    assert not al2023_node.path("/opt/sagemaker/containerd").exists()


def test_a_mount_point_named_with_spaces_is_recognised(al2_node):
    volume = "/var/lib/kubelet/pods/7d1c/volumes/kubernetes.io~empty-dir/my scratch\tspace"
    al2_node.path(volume).mkdir(parents=True)
    al2_node.mount(volume)

    run = al2_node.run()

    assert_failed_in_step(al2_node, run, MOUNT_CHECK_STEP, re.escape(f"{al2_node.path(volume)} mounted at or below it"))
    assert al2_node.path(volume).is_dir()


def test_a_mount_reached_through_a_symlink_is_recognised(tmp_path):
    """Mount points are listed as resolved paths; the script must compare resolved paths too."""
    node = NodeSandbox(tmp_path / "real", "al2")
    node.path(POD_VOLUME).mkdir(parents=True)
    node.mount(POD_VOLUME)
    linked_root = tmp_path / "linked-root"
    linked_root.symlink_to(node.root)

    run = node.run(ROOT=str(linked_root))

    assert_failed_in_step(node, run, MOUNT_CHECK_STEP, re.escape(f"{node.path(POD_VOLUME)} mounted at or below it"))
    assert node.path(POD_VOLUME).is_dir()


def test_mounts_beside_the_directory_do_not_block_the_move(al2_node):
    """Prefix siblings (/var/lib/kubelet-plugins) and the data volume itself are not below the kubelet directory."""
    al2_node.path("/var/lib/kubelet-plugins").mkdir(parents=True)
    al2_node.mount("/var/lib/kubelet-plugins")
    al2_node.mount("/opt/sagemaker")

    run = al2_node.run()

    assert run.returncode == 0, run.output
    assert al2_node.path("/var/lib/kubelet").is_symlink()
    assert al2_node.path("/var/lib/kubelet-plugins").is_dir()


def test_stale_kubelet_dir_on_the_volume_with_a_mount_is_not_replaced(al2_node):
    stale = "/opt/sagemaker/kubelet/pods/old/volumes/kubernetes.io~nfs/shared"
    al2_node.write(stale + "/results.csv", "keep me")
    al2_node.mount(stale)

    run = al2_node.run()

    assert_failed_in_step(al2_node, run, KUBELET_STEP, re.escape(
        f"refusing to remove /opt/sagemaker/kubelet: {al2_node.path(stale)} mounted at or below it"))
    assert al2_node.read(stale + "/results.csv") == "keep me"
    # The root volume's kubelet directory was not removed either.
    assert al2_node.path("/var/lib/kubelet").is_dir() and not al2_node.path("/var/lib/kubelet").is_symlink()


def test_containerd_data_from_another_os_with_a_mount_is_not_cleared(al2023_node):
    """A containerd root written under another AMI family is cleared, unless a container's rootfs is mounted in it."""
    al2023_node.write("/opt/sagemaker/containerd/.node-os", "al2\n")
    rootfs = "/opt/sagemaker/containerd/data-root/io.containerd.runtime.v2.task/k8s.io/abc/rootfs"
    al2023_node.write(rootfs + "/etc/hostname", "worker")
    al2023_node.mount(rootfs)

    run = al2023_node.run()

    assert_failed_in_step(al2023_node, run, "move containerd data root to /opt/sagemaker", re.escape(
        f"refusing to remove /opt/sagemaker/containerd/data-root: {al2023_node.path(rootfs)} mounted at or below it"))
    assert al2023_node.read(rootfs + "/etc/hostname") == "worker"


def test_an_unreadable_mount_table_refuses_the_removal(al2_node):
    run = al2_node.run(MOUNTINFO_FILE=str(al2_node.state / "no-such-mountinfo"))

    assert_failed_in_step(al2_node, run, MOUNT_CHECK_STEP, re.escape(
        f"cannot read {al2_node.state}/no-such-mountinfo (MOUNTINFO_FILE) to check that nothing is mounted below "
        "/var/lib/kubelet; refusing to remove it"))
    assert al2_node.path("/var/lib/kubelet/kubeconfig").is_file()


def test_the_real_mount_table_is_read(al2_node):
    """With the kernel's own table (the default), a sandbox with nothing mounted below it moves as usual."""
    run = al2_node.run(MOUNTINFO_FILE="/proc/self/mountinfo")

    assert run.returncode == 0, run.output
    assert al2_node.path("/var/lib/kubelet").is_symlink()
