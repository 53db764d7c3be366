# shellcheck shell=bash
# The variables here are read by the other libraries, which shellcheck checks one file at a time.
# shellcheck disable=SC2034
# Every path and tunable on_create.sh uses, with the real default. Each can be overridden from the environment: the
# tests point ROOT at a sandbox, and an unusual AMI can move a single path without editing the scripts.
#
# Paths below are node paths: they are what gets written into configs and symlinks. Files are read and written at
# host_path "<node path>", i.e. under ROOT, so a sandboxed run never touches the real system.

: "${ROOT:=/}"
: "${PROVISION_LOG:=/var/log/provision/provisioning.log}"
: "${OS_RELEASE_FILE:=/etc/os-release}"
# The secondary EBS volume HyperPod attaches to every instance.
: "${DATA_VOLUME:=/opt/sagemaker}"
: "${CONTAINERD_DATA_ROOT:=/var/lib/containerd}"
: "${CONTAINERD_CONFIG:=/etc/containerd/config.toml}"
# Amazon Linux 2: /etc/eks/bootstrap.sh copies this template over CONTAINERD_CONFIG when the node joins.
: "${AL2_CONTAINERD_TEMPLATE:=/etc/eks/containerd/containerd-config.toml}"
: "${SYSTEMD_UNIT_DIR:=/etc/systemd/system}"
: "${KUBELET_DIR:=/var/lib/kubelet}"
# sed as containerd's unit runs it on the node (Amazon Linux 2023 is usr-merged).
: "${NODE_SED:=/usr/bin/sed}"

# How long to wait for the data volume; HyperPod normally mounts it before lifecycle scripts run.
: "${VOLUME_WAIT_SECONDS:=300}"
: "${VOLUME_POLL_SECONDS:=5}"
# The monotonic clock bounded waits are measured on; the kernel's, so read as given, never under ROOT.
: "${MONOTONIC_CLOCK_FILE:=/proc/uptime}"
# The mount table checked before any recursive removal; the kernel's, so read as given, never under ROOT.
: "${MOUNTINFO_FILE:=/proc/self/mountinfo}"
# After a failure, keep the instance alive this long so the CloudWatch agent can ship the log before HyperPod
# tears the instance down.
: "${FAILURE_LOG_GRACE_SECONDS:=60}"

# Where the moved directories live on the data volume.
CONTAINERD_DATA_ROOT_ON_VOLUME="$DATA_VOLUME/containerd/data-root"
KUBELET_DIR_ON_VOLUME="$DATA_VOLUME/kubelet"

host_path() {
  printf '%s%s' "${ROOT%/}" "$1"
}
