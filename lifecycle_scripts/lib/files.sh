# shellcheck shell=bash
# Change-only-if-different file writes: they keep a second run from touching anything, and they are the single place
# that decides "this is a change", which is when the runtime services must be stopped first.

# Installs the content of $1 (a temporary file, consumed) at $2 when it differs; returns 0 if it changed the file.
install_if_different() {
  local new="$1" destination="$2"
  if [[ -f "$destination" ]] && cmp -s "$new" "$destination"; then
    rm -f "$new"
    return 1
  fi
  stop_runtime_services_once
  mkdir -p "$(dirname "$destination")"
  # cat keeps the destination's owner and mode, which the AMI chose.
  cat "$new" >"$destination"
  rm -f "$new"
  return 0
}

# New versions of files are drafted outside the node directories, so comparing an unchanged file leaves even its
# directory's modification time alone. Called once by the shell that runs the steps; removed when it exits.
open_scratch_dir() {
  SCRATCH_DIR="$(mktemp -d "${TMPDIR:-/tmp}/on_create.XXXXXX")"
  trap 'rm -rf -- "$SCRATCH_DIR"' EXIT
}

scratch_file_for() {
  local destination="$1"
  printf '%s/%s' "$SCRATCH_DIR" "${destination//\//_}"
}
