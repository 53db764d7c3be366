"""A fake EKS node under a temp dir, and a runner for the real lifecycle scripts against it."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

LIFECYCLE_SCRIPTS = Path(__file__).resolve().parents[2] / "lifecycle_scripts"
FAKES = Path(__file__).resolve().parent / "fakes"

OS_RELEASE = {
    "al2": 'NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nID_LIKE="centos rhel fedora"\nVERSION_ID="2"\n',
    "al2023": 'NAME="Amazon Linux"\nVERSION="2023"\nID="amzn"\nID_LIKE="fedora"\nVERSION_ID="2023"\n',
}

# Shaped like the AMIs' own files: the AL2 template still holds bootstrap.sh's SANDBOX_IMAGE placeholder, and the
# tables below the top-level keys must survive the root rewrite untouched.
AL2_TEMPLATE = """version = 2
root = "/var/lib/containerd"
state = "/run/containerd"
imports = ["/etc/containerd/config.d/*.toml"]

[grpc]
address = "/run/containerd/containerd.sock"

[plugins."io.containerd.grpc.v1.cri"]
sandbox_image = "SANDBOX_IMAGE"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
SystemdCgroup = true
"""

NODEADM_CONFIG = """version = 2
root = "/var/lib/containerd"
state = "/run/containerd"

[grpc]
address = "/run/containerd/containerd.sock"

[plugins."io.containerd.grpc.v1.cri"]
sandbox_image = "localhost/kubernetes/pause"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia.options]
BinaryName = "/usr/bin/nvidia-container-runtime"
SystemdCgroup = true
"""

VOLUME_ROOT = '"/opt/sagemaker/containerd/data-root"'


@dataclass
class Run:
    returncode: int
    output: str
    seconds: float


class NodeSandbox:
    """A node's file tree under `root`, fake systemctl/mountpoint state under `state`, scripts copied to `scripts`."""

    def __init__(self, base: Path, node_os: str):
        self.root = base / "root"
        self.state = base / "state"
        self.scripts = base / "lifecycle_scripts"
        shutil.copytree(LIFECYCLE_SCRIPTS, self.scripts)
        (self.state / "active").mkdir(parents=True)
        self.tmp = base / "tmp"
        self.tmp.mkdir()
        self.write("/etc/os-release", OS_RELEASE[node_os])
        if node_os == "al2":
            self.write("/etc/eks/containerd/containerd-config.toml", AL2_TEMPLATE)
            self.write("/etc/eks/bootstrap.sh", "#!/bin/bash\n")
            self.write("/etc/containerd/config.toml", AL2_TEMPLATE.replace("SANDBOX_IMAGE", "pause:3.5"))
        else:
            self.write("/etc/containerd/config.toml", NODEADM_CONFIG)
        # What the AMI ships in the directories that move: a cached image layer and the kubelet kubeconfig.
        self.write("/var/lib/containerd/io.containerd.content.v1.content/blobs/sha256/0abc", "pause layer")
        self.write("/var/lib/kubelet/kubeconfig", "apiVersion: v1\nkind: Config\n")
        self.write("/var/lib/kubelet/.hidden-state", "dotfiles move too")
        self.path("/opt/sagemaker").mkdir(parents=True)
        self.volume_mounted_from_check(1)
        # The mount table the scripts consult before removing a directory: the host's root only, until a test mounts.
        self.mountinfo = self.state / "mountinfo"
        self.mountinfo.write_text("22 1 259:1 / / rw,noatime shared:1 - xfs /dev/nvme0n1p1 rw\n")
        self.set_active("containerd.service")

    def path(self, node_path: str) -> Path:
        return self.root / node_path.lstrip("/")

    def write(self, node_path: str, text: str) -> Path:
        target = self.path(node_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        return target

    def read(self, node_path: str) -> str:
        return self.path(node_path).read_text()

    def set_active(self, unit: str) -> None:
        (self.state / "active" / unit).touch()

    def active_units(self) -> set[str]:
        return {p.name for p in (self.state / "active").iterdir()}

    def volume_mounted_from_check(self, check: int | None) -> None:
        flag = self.state / "mounted_from_check"
        if check is None:
            flag.unlink(missing_ok=True)
        else:
            flag.write_text(f"{check}\n")

    def add_hook(self, name: str, body: str) -> None:
        hook = self.scripts / "on_create.d" / name
        hook.parent.mkdir(exist_ok=True)
        hook.write_text("#!/usr/bin/env bash\nset -euo pipefail\n" + body)
        hook.chmod(0o644)  # S3 drops the executable bit; hooks must run anyway

    def mount(self, node_path: str, real_path: Path | None = None) -> None:
        """Lists a mount at `node_path` in the fake mount table, written the way the kernel escapes it (or at
        `real_path`, a path outside the sandbox's own spelling, e.g. behind a symlink)."""
        point = str(real_path or self.path(node_path))
        for char in "\\ \t\n":
            point = point.replace(char, f"\\{ord(char):03o}")
        with self.mountinfo.open("a") as table:
            table.write(f"90 22 0:55 / {point} rw,relatime shared:40 - tmpfs tmpfs rw,size=1024k\n")

    def fake_clock(self, check_seconds: float) -> dict[str, str]:
        """Settings that time waits on a fake monotonic clock, which only each mount check advances (by
        `check_seconds`): waits then end after a number of checks no machine load can change."""
        clock = self.state / "uptime"
        clock.write_text("100.00 0.00\n")
        return {"MONOTONIC_CLOCK_FILE": str(clock), "FAKE_CHECK_CENTISECONDS": str(round(check_seconds * 100))}

    def mount_checks(self) -> list[str]:
        calls = self.state / "mountpoint.calls"
        return calls.read_text().splitlines() if calls.exists() else []

    def systemctl_calls(self) -> list[str]:
        calls = self.state / "systemctl.calls"
        return calls.read_text().splitlines() if calls.exists() else []

    def clear_calls(self) -> None:
        for name in ("systemctl.calls", "mountpoint.calls"):
            (self.state / name).unlink(missing_ok=True)

    def run(self, timeout: float = 120, **settings: str) -> Run:
        """Runs on_create.sh; `timeout` only stops a hung script (a test failure), it asserts no speed."""
        env = {
            "PATH": f"{FAKES}:{os.environ['PATH']}",
            "ROOT": str(self.root),
            "FAKE_NODE_STATE": str(self.state),
            "FAILURE_LOG_GRACE_SECONDS": "0",
            "TMPDIR": str(self.tmp),
            "MOUNTINFO_FILE": str(self.mountinfo),
            **settings,
        }
        started = time.monotonic()
        # Run from an unrelated directory: HyperPod does not promise the working directory.
        done = subprocess.run(
            ["bash", str(self.scripts / "on_create.sh")],
            cwd=self.state, env=env, capture_output=True, text=True, timeout=timeout,
        )
        return Run(done.returncode, done.stdout + done.stderr, time.monotonic() - started)

    def snapshot(self) -> dict[str, tuple]:
        """Every entry under the root except the log: kind, content hash or link target, mode, mtime."""
        entries = {}
        for path in sorted(self.root.rglob("*")):
            relative = "/" + str(path.relative_to(self.root))
            if relative.startswith("/var/log/provision"):
                continue
            info = path.lstat()
            if path.is_symlink():
                entries[relative] = ("link", os.readlink(path))
            elif path.is_dir():
                entries[relative] = ("dir", info.st_mode, info.st_mtime_ns)
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                entries[relative] = ("file", digest, info.st_mode, info.st_mtime_ns)
        return entries
