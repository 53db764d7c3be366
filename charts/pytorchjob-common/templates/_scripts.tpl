{{/*
The ConfigMap every replica mounts at /etc/pytorchjob:
  entrypoint.sh  sources the user's pre script, runs the training command, then the post script if training succeeded;
  clone.sh       (git source only) checks the training code out into the pod, pinned to a commit when one is given;
  pre.sh/post.sh the user's scripts, when given.
The git coordinates reach clone.sh as environment variables, never by templating them into shell text.
*/}}
{{- define "pytorchjob-common.scriptsConfigMap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "pytorchjob-common.scriptsConfigMapName" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "pytorchjob-common.labels" . | nindent 4 }}
data:
  entrypoint.sh: |
    #!/usr/bin/env bash
    # Wraps the training command: pre script (sourced, so its exports reach training), command, post script.
    set -euo pipefail
    scripts=${PYTORCHJOB_SCRIPTS:-/etc/pytorchjob}   # overridable so the script can be exercised outside a pod
    if [[ -f "$scripts/pre.sh" ]]; then
      echo "pytorchjob: running pre script" >&2
      # shellcheck source=/dev/null
      source "$scripts/pre.sh"
    fi
    echo "pytorchjob: running $*" >&2
    # The command runs as a child so that SIGTERM from the kubelet (node drain, job deletion) reaches it.
    "$@" &
    child=$!
    trap 'kill -TERM "$child" 2>/dev/null || true' TERM INT
    status=0
    wait "$child" || status=$?
    # A trapped signal interrupts wait before the child has exited; wait for its real exit status.
    while kill -0 "$child" 2>/dev/null; do
      status=0
      wait "$child" || status=$?
    done
    if [[ "$status" -ne 0 ]]; then
      echo "pytorchjob: training command exited with status $status" >&2
      exit "$status"
    fi
    if [[ -f "$scripts/post.sh" ]]; then
      echo "pytorchjob: running post script" >&2
      bash "$scripts/post.sh"
    fi
  {{- if .Values.git.repo }}
  clone.sh: |
    #!/usr/bin/env bash
    # Checks out GIT_REPO at GIT_COMMIT (or the tip of GIT_BRANCH) into CODE_DIR. Starts clean: a retried init
    # container must not trip over a half-finished clone.
    set -euo pipefail
    rm -rf "$CODE_DIR"
    if [[ -n "${GIT_COMMIT:-}" ]]; then
      git clone --branch "$GIT_BRANCH" --single-branch "$GIT_REPO" "$CODE_DIR"
      git -C "$CODE_DIR" -c advice.detachedHead=false checkout --detach "$GIT_COMMIT"
    else
      echo "pytorchjob: no git.commit pinned; replicas started at different times may run different code" >&2
      git clone --depth 1 --branch "$GIT_BRANCH" --single-branch "$GIT_REPO" "$CODE_DIR"
    fi
    echo "pytorchjob: code at $(git -C "$CODE_DIR" rev-parse HEAD)" >&2
  {{- end }}
  {{- with .Values.scripts.pre }}
  pre.sh: |
    {{- . | nindent 4 }}
  {{- end }}
  {{- with .Values.scripts.post }}
  post.sh: |
    {{- . | nindent 4 }}
  {{- end }}
{{- end -}}
