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
    # The command runs as a child so that SIGTERM from the kubelet (node drain, job deletion) reaches it. The trap is
    # set before anything runs: a signal during the pre script means the command never starts, and one that arrives
    # while the command is being started is forwarded as soon as its process id is known.
    child=""
    stopped=""
    stop() {
      stopped=$1
      if [[ -n "$child" ]]; then kill -TERM "$child" 2>/dev/null || true; fi
    }
    trap 'stop 143' TERM
    trap 'stop 130' INT
    if [[ -f "$scripts/pre.sh" ]]; then
      echo "pytorchjob: running pre script" >&2
      # shellcheck source=/dev/null
      source "$scripts/pre.sh"
    fi
    if [[ -n "$stopped" ]]; then
      echo "pytorchjob: stopped before the training command started" >&2
      exit "$stopped"
    fi
    echo "pytorchjob: running $*" >&2
    "$@" &
    child=$!
    if [[ -n "$stopped" ]]; then kill -TERM "$child" 2>/dev/null || true; fi
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
