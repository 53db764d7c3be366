#!/usr/bin/env bash
# Refreshes every lock file from what it is made from (`make lock`; `make lock UPGRADE=1` also moves every dependency
# that is not pinned exactly to its newest release). Review the diff, run `make test`, commit the locks.
#   uv.lock                          pyproject.toml: the project and its test extras, every platform, Python 3.11+;
#                                    both CDK runtimes (extras cdktf and terrain, declared conflicting: each resolved
#                                    on its own, for .venv and .venv-terrain)
#   tools/package-lock.json          tools/package.json: the cdktf CLI and the npm package carrying helm
#   tools/checkov-requirements.txt   tools/checkov-requirements.in: checkov's own venv
#   tools/uv-requirements.txt        tools/uv-requirements.in: uv itself
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

upgrade=()
case "${1:-}" in
  "") ;;
  --upgrade) upgrade=(--upgrade) ;;
  *) echo "usage: $0 [--upgrade]" >&2; exit 2 ;;
esac

PYTHON=${PYTHON:-python3}
UV=.tools/uv/bin/uv
export UV_PYTHON_DOWNLOADS=never

scripts/bootstrap.sh --uv
"$UV" lock "${upgrade[@]}" --python "$PYTHON"
for name in uv checkov; do
  "$UV" pip compile --quiet --universal --python-version 3.11 --generate-hashes --custom-compile-command "make lock" \
    "${upgrade[@]}" "tools/$name-requirements.in" -o "tools/$name-requirements.txt"
done
# package.json pins both tools exactly; an upgrade re-resolves what they depend on from scratch.
[[ ${#upgrade[@]} -eq 0 ]] || rm -f tools/package-lock.json
(cd tools && npm install --package-lock-only --no-audit --no-fund --loglevel=error)
