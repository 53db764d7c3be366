# shellcheck shell=bash
# Waits, bounded, for HyperPod's secondary EBS volume.
#
# The bound is a floor: the run fails only after a check that began VOLUME_WAIT_SECONDS or more after the first one
# (measured on the monotonic clock, so slow mountpoint calls count against it too), which makes the wait last at least
# the bound and at most one poll and one check longer. The first check never fails a non-zero bound, so a volume that
# is mounted late is always looked for at least twice.

wait_for_data_volume() {
  local mount_point started checked_at
  mount_point="$(host_path "$DATA_VOLUME")"
  read_monotonic_clock
  started="$CLOCK_CENTISECONDS"
  checked_at="$started"
  until mountpoint -q "$mount_point"; do
    if waited_at_least "$VOLUME_WAIT_SECONDS" "$started" "$checked_at"; then
      fail "data volume $DATA_VOLUME is not mounted after ${VOLUME_WAIT_SECONDS}s (VOLUME_WAIT_SECONDS); the instance's secondary EBS volume did not appear"
    fi
    log "waiting for data volume $DATA_VOLUME to be mounted ($(format_centiseconds $((checked_at - started)))s so far)"
    sleep "$VOLUME_POLL_SECONDS"
    read_monotonic_clock
    checked_at="$CLOCK_CENTISECONDS"
  done
  log "data volume $DATA_VOLUME is mounted"
}
