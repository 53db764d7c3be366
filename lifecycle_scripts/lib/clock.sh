# shellcheck shell=bash
# A monotonic clock for bounded waits, read from the kernel in hundredths of a second.
#
# Not bash's SECONDS (whole seconds: a bound of 1 s could end after 0.01 s) and not the wall clock (`date`,
# EPOCHREALTIME: chrony may step it while a fresh node boots, and EPOCHREALTIME needs bash 5, which Amazon Linux 2
# does not ship). /proc/uptime counts time since boot (proc(5)) and is never set back.

CLOCK_CENTISECONDS=0

# Sets CLOCK_CENTISECONDS to the clock's current reading. A variable, not output: a failure inside $(...) would be
# logged into the captured text instead of the log.
read_monotonic_clock() {
  local uptime=""
  if [[ -r "$MONOTONIC_CLOCK_FILE" ]]; then
    read -r uptime _ <"$MONOTONIC_CLOCK_FILE" || true
  fi
  [[ "$uptime" =~ ^[0-9]+\.[0-9]{2}$ ]] ||
    fail "cannot read the monotonic clock $MONOTONIC_CLOCK_FILE (MONOTONIC_CLOCK_FILE): expected seconds with two decimals, got '$uptime'"
  # shellcheck disable=SC2034 # read by the waits, e.g. in data_volume.sh
  CLOCK_CENTISECONDS=$((10#${uptime/./}))
}

# True once readings `since` and `now` prove that at least `seconds` have passed. The clock ticks in hundredths, so
# readings exactly N seconds apart may be N - 0.01 s apart in real time: a wait of N > 0 seconds needs one tick more.
waited_at_least() {
  local seconds="$1" since="$2" now="$3"
  ((seconds == 0 || now - since > seconds * 100))
}

# Centiseconds as seconds for messages: 1234 -> 12.34.
format_centiseconds() {
  printf '%d.%02d' $(($1 / 100)) $(($1 % 100))
}
