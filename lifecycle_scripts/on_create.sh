#!/usr/bin/env bash
# HyperPod lifecycle script for EKS nodes: the entry point every instance group names.
#
# Steps: wait for HyperPod's secondary EBS volume (/opt/sagemaker), move containerd's data root and the kubelet
# directory onto it (Amazon Linux 2 and Amazon Linux 2023 EKS AMIs), restart what had to stop, then run the user's
# hooks from on_create.d/. Every line is timestamped to stdout and to /var/log/provision/provisioning.log.
# Running it again on a configured node changes nothing. A failure names its step and exits non-zero.
# Settings (paths, timeouts) come from lib/settings.sh and can be overridden from the environment.
set -uo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# HyperPod downloads the whole folder from S3 and runs this file from it, so siblings resolve from here.
for library in settings settings_check logging files mounts services node_os clock data_volume containerd_root \
  kubelet_dir user_hooks; do
  # shellcheck source=/dev/null
  source "$SCRIPT_DIR/lib/$library.sh"
done
: "${HOOKS_DIR:=$SCRIPT_DIR/on_create.d}"

provision() {
  enable_step_failure_reporting
  open_scratch_dir
  log "on_create.sh start: scripts in $SCRIPT_DIR, ROOT=$ROOT"
  run_step "check settings" check_settings
  run_step "detect node OS" detect_node_os
  run_step "wait for data volume $DATA_VOLUME" wait_for_data_volume
  run_step "check nothing is mounted below $KUBELET_DIR" check_kubelet_dir_unmounted
  run_step "move containerd data root to $DATA_VOLUME" move_containerd_data_root
  run_step "move kubelet directory to $DATA_VOLUME" move_kubelet_dir
  run_step "restart stopped services" restart_stopped_services
  run_user_hooks "$HOOKS_DIR"
  log "on_create.sh finished: node configured"
}

main() {
  local log_file status
  log_file="$(host_path "$PROVISION_LOG")"
  if ! mkdir -p "$(dirname "$log_file")" 2>/dev/null || ! { exec 3>>"$log_file"; } 2>/dev/null; then
    printf '[on_create] ERROR: cannot write the provisioning log %s (PROVISION_LOG) under ROOT=%s\n' \
      "$PROVISION_LOG" "$ROOT" >&2
    exit 1
  fi
  provision 2>&1 | stamp_lines 3
  status="${PIPESTATUS[0]}"
  if ((status != 0)); then
    local grace="$FAILURE_LOG_GRACE_SECONDS"
    [[ "$grace" =~ ^[0-9]+$ ]] || grace=0
    log "on_create.sh FAILED (exit $status); see the step error above. Waiting ${grace}s so the log gets shipped." |
      stamp_lines 3
  fi
  exec 3>&-
  sync
  if ((status != 0)); then
    sleep "$grace"
  fi
  exit "$status"
}

main "$@"
