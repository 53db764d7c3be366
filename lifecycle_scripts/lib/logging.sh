# shellcheck shell=bash
# Logging and step bookkeeping for on_create.sh. Sourced, never run on its own.
#
# Every line the provisioning run prints (our messages and the output of the commands it runs) goes through
# stamp_lines, which timestamps it and writes it both to stdout (HyperPod ships stdout to CloudWatch) and to the
# provisioning log file on the node.

CURRENT_STEP="start-up"

log() {
  printf '[on_create] %s\n' "$*"
}

# Reads lines on stdin, writes each one timestamped to stdout and to the file descriptor given as $1.
# printf's %(...)T is a bash builtin, so stamping costs no process per line.
stamp_lines() {
  local log_fd="$1" line stamped
  while IFS= read -r line || [[ -n "$line" ]]; do
    printf -v stamped '%(%Y-%m-%dT%H:%M:%S%z)T %s' -1 "$line"
    printf '%s\n' "$stamped"
    printf '%s\n' "$stamped" >&"$log_fd"
  done
}

# Runs one named step. The name is what a failure message reports, so make it say what the step was for.
run_step() {
  CURRENT_STEP="$1"
  shift
  log "step '$CURRENT_STEP': start"
  "$@"
  log "step '$CURRENT_STEP': done"
}

# A failure we anticipated: say why in words, then stop the run.
fail() {
  fail_with_status 1 "$@"
}

fail_with_status() {
  local status="$1"
  shift
  log "ERROR: step '$CURRENT_STEP' failed: $*"
  exit "$status"
}

# An unanticipated failure (errexit): name the step, the command and where it sits. Installed as the ERR trap.
# Subshells inherit the trap (errtrace); only the main shell reports, so a failure is reported once.
report_unexpected_failure() {
  local status="$1" command="$2" source_file="$3" line="$4"
  if [[ "$BASH_SUBSHELL" != "$MAIN_SUBSHELL_LEVEL" ]]; then
    return
  fi
  log "ERROR: step '$CURRENT_STEP' failed: command \`$command\` exited $status (${source_file##*/}:$line)"
}

# Turns on strict mode with failure reporting for the shell that runs the steps.
enable_step_failure_reporting() {
  set -Eeuo pipefail
  MAIN_SUBSHELL_LEVEL="$BASH_SUBSHELL"
  trap 'report_unexpected_failure "$?" "$BASH_COMMAND" "${BASH_SOURCE[0]}" "$LINENO"' ERR
}
