# shellcheck shell=bash
# Which EKS AMI family this node runs; the containerd set-up differs between them.

NODE_OS=""

# Prints the value of KEY from an os-release file, without quotes (the file is data, so it is parsed, not sourced).
os_release_value() {
  local file="$1" key="$2" line value=""
  while IFS= read -r line || [[ -n "$line" ]]; do
    if [[ "$line" == "$key="* ]]; then
      value="${line#*=}"
      value="${value#[\"\']}"
      value="${value%[\"\']}"
    fi
  done <"$file"
  printf '%s' "$value"
}

detect_node_os() {
  local file id version
  file="$(host_path "$OS_RELEASE_FILE")"
  [[ -r "$file" ]] || fail "cannot read $OS_RELEASE_FILE to tell Amazon Linux 2 from Amazon Linux 2023"
  id="$(os_release_value "$file" ID)"
  version="$(os_release_value "$file" VERSION_ID)"
  case "$id/$version" in
    amzn/2) NODE_OS="al2" ;;
    amzn/2023) NODE_OS="al2023" ;;
    *) fail "unsupported OS ID='$id' VERSION_ID='$version' in $OS_RELEASE_FILE; supported: Amazon Linux 2 (amzn/2) and Amazon Linux 2023 (amzn/2023) EKS AMIs" ;;
  esac
  log "node OS: $NODE_OS (ID=$id VERSION_ID=$version)"
}
