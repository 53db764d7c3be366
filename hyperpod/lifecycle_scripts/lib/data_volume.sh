# shellcheck shell=bash
# Waits, bounded, for HyperPod's secondary EBS volume.

wait_for_data_volume() {
  local mount_point waited=0
  mount_point="$(host_path "$DATA_VOLUME")"
  # SECONDS counts wall time, so slow mountpoint calls count against the bound too.
  local deadline=$((SECONDS + VOLUME_WAIT_SECONDS))
  until mountpoint -q "$mount_point"; do
    if ((SECONDS >= deadline)); then
      fail "data volume $DATA_VOLUME is not mounted after ${VOLUME_WAIT_SECONDS}s (VOLUME_WAIT_SECONDS); the instance's secondary EBS volume did not appear"
    fi
    log "waiting for data volume $DATA_VOLUME to be mounted (${waited}s so far)"
    sleep "$VOLUME_POLL_SECONDS"
    waited=$((SECONDS - deadline + VOLUME_WAIT_SECONDS))
  done
  log "data volume $DATA_VOLUME is mounted"
}
