{{/* How to follow the job. Call with (dict "root" $ "firstPod" "<job>-master-0"). */}}
{{- define "pytorchjob-common.notes" -}}
{{- $root := .root -}}
{{- $job := include "pytorchjob-common.jobName" $root -}}
{{- $ns := $root.Release.Namespace -}}
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

Delete it (the job and its pods) with: helm uninstall {{ $root.Release.Name }} -n {{ $ns }}
{{- end -}}
