# shellcheck shell=bash
# Refuses bad overrides of the settings up front, naming the variable, its value and what it may be, instead of
# letting a typo surface later as an arithmetic error or a write into the wrong place.

check_settings() {
  local problems=() name
  for name in ROOT PROVISION_LOG OS_RELEASE_FILE DATA_VOLUME CONTAINERD_DATA_ROOT CONTAINERD_CONFIG \
    AL2_CONTAINERD_TEMPLATE SYSTEMD_UNIT_DIR KUBELET_DIR NODE_SED MONOTONIC_CLOCK_FILE \
    MOUNTINFO_FILE; do
    if [[ "${!name}" != /* ]]; then
      problems+=("$name='${!name}': must be an absolute path")
    fi
  done
  if [[ "$DATA_VOLUME" == "/" || "$DATA_VOLUME" == */ ]]; then
    problems+=("DATA_VOLUME='$DATA_VOLUME': must name a mount point without a trailing slash, e.g. /opt/sagemaker")
  fi
  for name in VOLUME_WAIT_SECONDS FAILURE_LOG_GRACE_SECONDS; do
    if [[ ! "${!name}" =~ ^[0-9]+$ ]]; then
      problems+=("$name='${!name}': must be a whole number of seconds (0 or more)")
    fi
  done
  if [[ ! "$VOLUME_POLL_SECONDS" =~ ^[0-9]+(\.[0-9]+)?$ || "$VOLUME_POLL_SECONDS" =~ ^0+(\.0+)?$ ]]; then
    problems+=("VOLUME_POLL_SECONDS='$VOLUME_POLL_SECONDS': must be a number of seconds above 0, e.g. 5 or 0.5")
  fi
  if ((${#problems[@]} > 0)); then
    fail "invalid settings: $(printf '%s; ' "${problems[@]}")"
  fi
}
