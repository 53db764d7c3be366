# shellcheck shell=bash
# Recursive removal that never reaches into a mounted file system. A kubelet directory can hold pods' volumes
# (EBS, FSx, NFS, tmpfs secrets) mounted below it; `rm -rf` would delete the data on them. Anything with a mount at
# or below it is refused with the mount named, and nothing is removed.

# Prints, one a line, every mount point at or below the absolute, symlink-free path $1. Mount points come from
# MOUNTINFO_FILE (proc(5) /proc/self/mountinfo: the fifth field, with space, tab, newline and backslash written as
# \ooo octal escapes).
mounts_at_or_below() {
  local directory="$1" line mount_point
  local -a fields
  while IFS= read -r line || [[ -n "$line" ]]; do
    read -r -a fields <<<"$line"
    ((${#fields[@]} >= 5)) || continue
    # %b reads octal escapes as \0ooo.
    printf -v mount_point '%b' "${fields[4]//\\/\\0}"
    if [[ "$mount_point" == "$directory" || "$mount_point" == "$directory/"* ]]; then
      printf '%s\n' "$mount_point"
    fi
  done <"$MOUNTINFO_FILE"
}

# Fails the step, naming the mounts, if anything is mounted at or below the host path $1 ($2: the node path, for
# the message). A missing path has nothing mounted below it.
refuse_if_mounted_below() {
  local path="$1" node_path="$2" canonical
  local -a mounts
  [[ -e "$path" ]] || return 0
  [[ -r "$MOUNTINFO_FILE" ]] ||
    fail "cannot read $MOUNTINFO_FILE (MOUNTINFO_FILE) to check that nothing is mounted below $node_path; refusing to remove it"
  # Mount points are listed as resolved paths.
  canonical="$(realpath -e -- "$path")"
  mapfile -t mounts < <(mounts_at_or_below "$canonical")
  if ((${#mounts[@]} > 0)); then
    fail "refusing to remove $node_path: ${mounts[*]} mounted at or below it (${#mounts[@]} mount(s)); unmount them (drain the node's pods) and run on_create.sh again; nothing was removed"
  fi
}

# rm -rf for a host path $1 (node path $2), unless something is mounted at or below it.
remove_unmounted_tree() {
  local path="$1" node_path="$2"
  refuse_if_mounted_below "$path" "$node_path"
  rm -rf -- "$path"
}
