# shellcheck shell=bash
# Moves containerd's data root (images, snapshots) onto the data volume so it cannot fill the root volume.
#
# Amazon Linux 2: bootstrap.sh installs AL2_CONTAINERD_TEMPLATE as CONTAINERD_CONFIG when the node joins, so the
#   template gets the new root (and the live config too, in case it was installed already).
# Amazon Linux 2023: nodeadm rewrites CONTAINERD_CONFIG from its built-in template, with root = "/var/lib/containerd",
#   every time it runs. A containerd.service drop-in re-applies the root right before containerd starts, whatever
#   nodeadm wrote last; the live config is fixed now as well.

CONTAINERD_DROP_IN_NAME="50-data-root-on-data-volume.conf"

# sed arguments that make the top-level `root` of a containerd config TOML the volume's data root: a root line goes
# first and every other top-level root line (before the first [table]) is dropped. Running it twice gives the same
# file. No backslash, % or $ in it: the same words go into a systemd unit, which would interpret them.
containerd_root_sed_args() {
  printf '%s\n' -e "1i root = \"$CONTAINERD_DATA_ROOT_ON_VOLUME\"" -e '0,/^ *[[]/{/^ *root *=/d}'
}

# Rewrites one containerd config file in place if its root is not the volume's yet.
point_containerd_config_at_volume() {
  local node_file="$1" file scratch
  local -a sed_args
  file="$(host_path "$node_file")"
  mapfile -t sed_args < <(containerd_root_sed_args)
  scratch="$(scratch_file_for "$file")"
  sed "${sed_args[@]}" "$file" >"$scratch"
  install_if_different "$scratch" "$file"
  if [[ "$FILE_CHANGED" == true ]]; then
    log "containerd config $node_file: root set to $CONTAINERD_DATA_ROOT_ON_VOLUME"
  else
    log "containerd config $node_file: root already $CONTAINERD_DATA_ROOT_ON_VOLUME"
  fi
}

write_containerd_drop_in() {
  local node_file="$SYSTEMD_UNIT_DIR/containerd.service.d/$CONTAINERD_DROP_IN_NAME" file scratch word command=""
  local -a sed_args
  mapfile -t sed_args < <(containerd_root_sed_args)
  # systemd unquotes single-quoted words like the shell does; the sed program holds no single quote.
  for word in "$NODE_SED" -i "${sed_args[@]}" "$CONTAINERD_CONFIG"; do
    if [[ "$word" =~ [^A-Za-z0-9/._=-] ]]; then
      word="'$word'"
    fi
    command+="${command:+ }$word"
  done
  file="$(host_path "$node_file")"
  scratch="$(scratch_file_for "$file")"
  cat >"$scratch" <<UNIT
# Written by the HyperPod lifecycle script on_create.sh. nodeadm regenerates $CONTAINERD_CONFIG with containerd's
# default data root whenever it runs; this puts the root back on the data volume before every containerd start.
[Service]
ExecStartPre=$command
UNIT
  install_if_different "$scratch" "$file"
  if [[ "$FILE_CHANGED" == true ]]; then
    # shellcheck disable=SC2034 # read by restart_stopped_services in services.sh
    UNIT_FILES_CHANGED=true
    log "wrote containerd.service drop-in $node_file"
  else
    log "containerd.service drop-in $node_file is already in place"
  fi
}

# Copies what the AMI put in the old data root (cached images such as pause) to the volume, once per AMI family.
# The copy goes to a .partial directory first, so an interrupted run is redone, never half-used.
copy_containerd_data_to_volume() {
  local source target marker recorded_os=""
  source="$(host_path "$CONTAINERD_DATA_ROOT")"
  target="$(host_path "$CONTAINERD_DATA_ROOT_ON_VOLUME")"
  marker="$(host_path "$DATA_VOLUME/containerd/.node-os")"
  if [[ -f "$marker" ]]; then
    recorded_os="$(<"$marker")"
  fi
  if [[ -d "$target" && "$recorded_os" == "$NODE_OS" ]]; then
    log "containerd data root $CONTAINERD_DATA_ROOT_ON_VOLUME already holds $NODE_OS data"
    return
  fi
  stop_runtime_services_once
  if [[ -d "$target" ]]; then
    # Data written under another AMI family (the volume outlived a root volume) is not safe for this containerd.
    log "clearing $CONTAINERD_DATA_ROOT_ON_VOLUME: written for '${recorded_os:-unknown}', this node runs $NODE_OS"
    remove_unmounted_tree "$target" "$CONTAINERD_DATA_ROOT_ON_VOLUME"
  fi
  remove_unmounted_tree "$target.partial" "$CONTAINERD_DATA_ROOT_ON_VOLUME.partial"
  mkdir -p "$target.partial"
  if [[ -d "$source" ]]; then
    log "copying $CONTAINERD_DATA_ROOT to $CONTAINERD_DATA_ROOT_ON_VOLUME"
    cp -a -- "$source/." "$target.partial/"
  fi
  mv -- "$target.partial" "$target"
  printf '%s\n' "$NODE_OS" >"$marker"
}

move_containerd_data_root() {
  copy_containerd_data_to_volume
  case "$NODE_OS" in
    al2)
      [[ -f "$(host_path "$AL2_CONTAINERD_TEMPLATE")" ]] ||
        fail "Amazon Linux 2 node without containerd template $AL2_CONTAINERD_TEMPLATE (bootstrap.sh installs it as $CONTAINERD_CONFIG); is this an EKS AMI?"
      point_containerd_config_at_volume "$AL2_CONTAINERD_TEMPLATE"
      ;;
    al2023)
      write_containerd_drop_in
      ;;
  esac
  if [[ -f "$(host_path "$CONTAINERD_CONFIG")" ]]; then
    point_containerd_config_at_volume "$CONTAINERD_CONFIG"
  else
    log "no $CONTAINERD_CONFIG yet; it will be written when the node joins the cluster"
  fi
}
