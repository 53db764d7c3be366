# shellcheck shell=bash
# Stops kubelet and containerd while their directories move, and brings back exactly what was running.
# Steps that change nothing never call these, so a second run on a configured node leaves the services alone.

STOPPED_SERVICES=()
RUNTIME_SERVICES_STOPPED=false
UNIT_FILES_CHANGED=false

# kubelet first: it depends on containerd's socket.
stop_runtime_services_once() {
  local service
  if [[ "$RUNTIME_SERVICES_STOPPED" == true ]]; then
    return
  fi
  RUNTIME_SERVICES_STOPPED=true
  for service in kubelet containerd; do
    if systemctl is-active --quiet "$service.service"; then
      log "stopping $service.service while its data moves"
      systemctl stop "$service.service"
      STOPPED_SERVICES+=("$service")
    fi
  done
}

restart_stopped_services() {
  if [[ "$UNIT_FILES_CHANGED" == true ]]; then
    log "reloading systemd: unit drop-ins changed"
    systemctl daemon-reload
  fi
  if ((${#STOPPED_SERVICES[@]} == 0)); then
    log "no service was stopped; nothing to start"
    return
  fi
  # containerd before kubelet, the reverse of the stop order.
  local index
  for ((index = ${#STOPPED_SERVICES[@]} - 1; index >= 0; index--)); do
    log "starting ${STOPPED_SERVICES[index]}.service"
    systemctl start "${STOPPED_SERVICES[index]}.service"
  done
}
