{{/* How to follow the job. Call with (dict "root" $ "firstPod" "<job>-master-0"). */}}
{{- define "pytorchjob-common.notes" -}}
{{- $root := .root -}}
{{- $job := include "pytorchjob-common.jobName" $root -}}
{{- $ns := $root.Release.Namespace -}}
{{- if eq (include "pytorchjob-common.operator" $root) "hyperpod" -}}
{{ include "pytorchjob-common.hyperpodOperatorNotes" $root }}
{{- else -}}
PyTorchJob {{ $job }} submitted to namespace {{ $ns }} ({{ int $root.Values.resources.nnodes }} pods x {{ int $root.Values.resources.nproc_per_node }} processes).

Follow it:
  kubectl get pytorchjob {{ $job }} -n {{ $ns }} -w
  kubectl get pods -n {{ $ns }} -l training.kubeflow.org/job-name={{ $job }} -o wide
  kubectl logs -n {{ $ns }} -f {{ .firstPod }}
  kubectl describe pytorchjob {{ $job }} -n {{ $ns }}     # events: pod restarts, failures
{{- if $root.Values.hyperpod.enabled }}

HyperPod mode: pods run only on ml.{{ include "pytorchjob-common.baseNodeType" $root }} nodes labelled Schedulable.
  kubectl get nodes -L node.kubernetes.io/instance-type,sagemaker.amazonaws.com/node-health-status,sagemaker.amazonaws.com/deep-health-check-status
{{- if $root.Values.hyperpod.auto_restart }}
Job auto-resume is on (at most {{ int $root.Values.hyperpod.max_retry_count }} resumes): after a node fault HyperPod replaces
or reboots the node and restarts the job's pods; resume from your last checkpoint on shared storage.
{{- else }}
Job auto-resume is off: a node fault fails the pods on it; set hyperpod.auto_restart=true to have HyperPod resume the job.
{{- end }}
{{- end }}

{{- end }}
{{- include "pytorchjob-common.teamNotes" $root }}

Delete it (the job and its pods) with: helm uninstall {{ $root.Release.Name }} -n {{ $ns }}
{{- end -}}

{{/* NOTES for a HyperPodPyTorchJob: its pods are found by the chart's own pod labels. */}}
{{- define "pytorchjob-common.hyperpodOperatorNotes" -}}
{{- $job := include "pytorchjob-common.jobName" . -}}
{{- $ns := .Release.Namespace -}}
{{- $pods := printf "app.kubernetes.io/instance=%s" (.Release.Name | trunc 63 | trimSuffix "-") -}}
HyperPodPyTorchJob {{ $job }} submitted to namespace {{ $ns }} for the HyperPod training operator ({{ int .Values.resources.nnodes }} pods x {{ int .Values.resources.nproc_per_node }} processes, on ml.{{ include "pytorchjob-common.baseNodeType" . }} nodes labelled Schedulable{{ with .Values.hyperpod.instance_group }} in instance group {{ . }}{{ end }}).

Follow it:
  kubectl get hyperpodpytorchjob {{ $job }} -n {{ $ns }} -w
  kubectl get pods -n {{ $ns }} -l {{ $pods }} -o wide
  kubectl logs -n {{ $ns }} -f -l {{ $pods }} --prefix
  kubectl describe hyperpodpytorchjob {{ $job }} -n {{ $ns }}     # events: faults found and remediated, restarts
  kubectl get nodes -L node.kubernetes.io/instance-type,sagemaker.amazonaws.com/node-health-status,sagemaker.amazonaws.com/deep-health-check-status
The pods must launch training with hyperpodrun (the HyperPod elastic agent) or the operator cannot manage them.
{{- if .Values.hyperpod.auto_restart }}
Recovery is on: the operator restarts failed processes in place, and the whole job when that is not enough, at most {{ int .Values.hyperpod.max_retry_count }} times.
{{- else }}
Recovery is off: set hyperpod.auto_restart=true to let the operator restart failed processes and the job.
{{- end }}
{{- end -}}

{{/* Task governance: Kueue's queue for a team lives in the team's namespace and admits jobs from there only. */}}
{{- define "pytorchjob-common.teamNotes" -}}
{{- with .Values.hyperpod.team }}
{{- $teamNs := include "pytorchjob-common.teamNamespace" $ }}

Task governance: queued in hyperpod-ns-{{ . }}-localqueue{{ with $.Values.hyperpod.priority }} with priority class {{ . }}-priority{{ end }}.
{{- if ne $.Release.Namespace $teamNs }}
WARNING: the release namespace is {{ $.Release.Namespace }}, not {{ $teamNs }}: the team's queue is a LocalQueue in {{ $teamNs }}, so Kueue will not admit this job and it stays suspended. Install with -n {{ $teamNs }}.
{{- end }}
{{- end }}
{{- end -}}
