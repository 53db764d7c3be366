# shellcheck shell=bash
# Change-only-if-different file writes: they keep a second run from touching anything, and they are the single place
# that decides "this is a change", which is when the runtime services must be stopped first.

# Installs the content of $1 (a temporary file, consumed) at $2 when it differs, and sets FILE_CHANGED to true or
# false. It reports through a variable, not its exit status, because bash ignores errexit inside any function that
# is called as an `if` condition, and a failed stop or write here must fail the step.
FILE_CHANGED=false
install_if_different() {
  local new="$1" destination="$2"
  FILE_CHANGED=false
  if [[ -f "$destination" ]] && cmp -s "$new" "$destination"; then
    rm -f "$new"
    return
  fi
  stop_runtime_services_once
  mkdir -p "$(dirname "$destination")"
  # cat keeps the destination's owner and mode, which the AMI chose.
  cat "$new" >"$destination"
  rm -f "$new"
  # shellcheck disable=SC2034 # read by the callers in containerd_root.sh
  FILE_CHANGED=true
}

# New versions of files are drafted outside the node directories, so comparing an unchanged file leaves even its
# directory's modification time alone. Called once by the shell that runs the steps; removed when it exits. It holds
# only flat files (scratch_file_for), so the clean-up needs no recursive removal.
open_scratch_dir() {
  SCRATCH_DIR="$(mktemp -d "${TMPDIR:-/tmp}/on_create.XXXXXX")"
  trap 'rm -f -- "$SCRATCH_DIR"/*; rmdir -- "$SCRATCH_DIR"' EXIT
}

scratch_file_for() {
  local destination="$1"
  printf '%s/%s' "$SCRATCH_DIR" "${destination//\//_}"
}
