# shellcheck shell=bash
# Moves the kubelet directory (pod volumes, emptyDirs, logs of kubelet plugins) onto the data volume and leaves a
# symlink at the old path, which every kubelet config and the AMI's own scripts keep using.

# Run before any step stops a service or moves data: a kubelet directory with pods' volumes mounted below it means
# kubelet already runs pods here, and moving it would copy and then delete the data on those volumes.
check_kubelet_dir_unmounted() {
  local link
  link="$(host_path "$KUBELET_DIR")"
  if [[ -d "$link" && ! -L "$link" ]]; then
    refuse_if_mounted_below "$link" "$KUBELET_DIR"
  fi
}

move_kubelet_dir() {
  local link target current
  link="$(host_path "$KUBELET_DIR")"
  target="$(host_path "$KUBELET_DIR_ON_VOLUME")"
  if [[ -L "$link" ]]; then
    current="$(readlink -- "$link")"
    if [[ "$current" == "$KUBELET_DIR_ON_VOLUME" ]]; then
      log "$KUBELET_DIR already links to $KUBELET_DIR_ON_VOLUME"
      return
    fi
    fail "$KUBELET_DIR is a symlink to $current, expected $KUBELET_DIR_ON_VOLUME; something else moved it, refusing to move it again"
  fi
  stop_runtime_services_once
  if [[ -d "$link" ]]; then
    # The root volume's directory is the truth (it holds the kubeconfig the AMI or nodeadm wrote). Anything already
    # on the volume is from an earlier root volume or an interrupted run: replace it. The copy goes through
    # .partial so a crash never leaves a half-copied directory that looks finished.
    if [[ -e "$target" ]]; then
      log "replacing $KUBELET_DIR_ON_VOLUME left by an earlier root volume or an interrupted run"
      remove_unmounted_tree "$target" "$KUBELET_DIR_ON_VOLUME"
    fi
    remove_unmounted_tree "$target.partial" "$KUBELET_DIR_ON_VOLUME.partial"
    mkdir -p "$target.partial"
    log "copying $KUBELET_DIR to $KUBELET_DIR_ON_VOLUME"
    cp -a -- "$link/." "$target.partial/"
    mv -- "$target.partial" "$target"
    remove_unmounted_tree "$link" "$KUBELET_DIR"
  elif [[ -e "$link" ]]; then
    fail "$KUBELET_DIR exists but is neither a directory nor a symlink; refusing to replace it"
  else
    mkdir -p "$target"
  fi
  mkdir -p "$(dirname "$link")"
  ln -s -- "$KUBELET_DIR_ON_VOLUME" "$link"
  log "$KUBELET_DIR now links to $KUBELET_DIR_ON_VOLUME"
}
