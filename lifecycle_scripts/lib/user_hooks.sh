# shellcheck shell=bash
# Runs the user's own bootstrap scripts: every *.sh in on_create.d/ beside on_create.sh, in byte order of their names
# (10-a.sh before 20-b.sh), each as its own named step, so users customise a node without editing on_create.sh.
# They run with bash (S3 does not keep the executable bit) after the core steps, with the settings exported.

list_user_hooks() {
  local hooks_dir="$1"
  if [[ -d "$hooks_dir" ]]; then
    find "$hooks_dir" -mindepth 1 -maxdepth 1 -name '*.sh' \( -type f -o -type l \) -print0 | LC_ALL=C sort -z
  fi
}

run_user_hook() {
  local hook="$1" status=0
  bash "$hook" || status=$?
  if ((status != 0)); then
    fail_with_status "$status" "$hook exited $status"
  fi
}

run_user_hooks() {
  local hooks_dir="$1" hook
  local -a hooks=()
  # A read loop, not `mapfile -d ''`: that needs bash 4.4, and Amazon Linux 2 nodes have bash 4.2.
  while IFS= read -r -d '' hook; do
    hooks+=("$hook")
  done < <(list_user_hooks "$hooks_dir")
  if ((${#hooks[@]} == 0)); then
    log "no user hooks in $hooks_dir"
    return
  fi
  export ROOT DATA_VOLUME NODE_OS PROVISION_LOG CONTAINERD_DATA_ROOT_ON_VOLUME KUBELET_DIR_ON_VOLUME
  for hook in "${hooks[@]}"; do
    run_step "user hook on_create.d/${hook##*/}" run_user_hook "$hook"
  done
}
