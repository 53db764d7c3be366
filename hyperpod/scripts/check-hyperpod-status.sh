#!/usr/bin/env bash
# Usage: check-hyperpod-status.sh <cluster-name> <region> [hyperpod-status options, e.g. --json]
# Kept for the seed's usage; the checks live in `hyperpod-status` (hyperpod/status), whose exit code
# this returns: 0 healthy, 1 unhealthy or degraded, 2 usage or configuration error, 3 AWS or
# Kubernetes unreachable. The cluster name goes last, after `--`, so a cluster named like a sub-command
# (`wait`) is still a cluster name.
set -euo pipefail

if [[ $# -lt 2 || "$1" == -* || "$2" == -* ]]; then
  echo "usage: $(basename "$0") <cluster-name> <region> [hyperpod-status options]" >&2
  exit 2
fi
cluster="$1"
region="$2"
shift 2

if command -v hyperpod-status >/dev/null 2>&1; then
  exec hyperpod-status --region "$region" "$@" -- "$cluster"
fi
# Not installed as a console script (e.g. run from a checkout): run the module from this repository.
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PYTHONPATH="${repo_root}${PYTHONPATH:+:${PYTHONPATH}}"
exec "${PYTHON:-python3}" -m hyperpod.status.cli --region "$region" "$@" -- "$cluster"
