{{/*
HyperPod mode, per AWS's documented contracts (see examples/hyperpod/README.md):
- pods go to ml.* instances by the node.kubernetes.io/instance-type label;
- they require nodes that HyperPod's health agents mark Schedulable and prefer nodes that passed deep health checks;
- job auto-resume is asked for with two annotations on the PyTorchJob (enable-job-auto-resume, job-max-retry-count);
  replicas restart OnFailure, which is set for every replica in _replica.tpl.
*/}}

{{/* Which operator runs the job: "kubeflow" (a kubeflow.org/v1 PyTorchJob) or "hyperpod" (a HyperPodPyTorchJob). */}}
{{- define "pytorchjob-common.operator" -}}
{{- .Values.hyperpod.operator | default "kubeflow" -}}
{{- end -}}

{{/*
Task governance: HyperPod's task-governance add-on installs Kueue with one LocalQueue per team, named
hyperpod-ns-<team>-localqueue in the team's namespace hyperpod-ns-<team>, and WorkloadPriorityClasses named
<priority>-priority. Kueue admits a job by these two labels on the job object.
*/}}
{{- define "pytorchjob-common.kueueLabels" -}}
{{- with .Values.hyperpod.team }}
kueue.x-k8s.io/queue-name: {{ printf "hyperpod-ns-%s-localqueue" . }}
{{- end }}
{{- with .Values.hyperpod.priority }}
kueue.x-k8s.io/priority-class: {{ printf "%s-priority" . }}
{{- end }}
{{- end -}}

{{- define "pytorchjob-common.teamNamespace" -}}
{{- with .Values.hyperpod.team }}{{ printf "hyperpod-ns-%s" . }}{{ end -}}
{{- end -}}

{{/*
spec.runPolicy of a HyperPodPyTorchJob (AWS: "Using the training operator to run jobs"). With auto_restart the
operator restarts failed processes, and the job, up to jobMaxRetryCount times; restartPolicy limits how often within
evalPeriodSeconds before it escalates to a full job restart. logMonitoringConfiguration rules let the HyperPod elastic
agent declare a job hanging or slow from its stdout and have it restarted.
*/}}
{{- define "pytorchjob-common.hyperpodRunPolicy" -}}
{{- $hp := .Values.hyperpod -}}
cleanPodPolicy: None
{{- if $hp.auto_restart }}
jobMaxRetryCount: {{ int $hp.max_retry_count }}
{{- with $hp.restart_policy }}
{{- if or .eval_period_seconds .num_restart_before_full_job_restart .max_full_job_restarts }}
restartPolicy:
  evalPeriodSeconds: {{ int .eval_period_seconds }}
  {{- if .num_restart_before_full_job_restart }}
  numRestartBeforeFullJobRestart: {{ int .num_restart_before_full_job_restart }}
  {{- end }}
  {{- if .max_full_job_restarts }}
  maxFullJobRestarts: {{ int .max_full_job_restarts }}
  {{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- with $hp.log_monitoring }}
logMonitoringConfiguration:
  {{- range . }}
  - name: {{ .name | toJson }}
    logPattern: {{ .log_pattern | toJson }}
    {{- with .stop_pattern }}
    stopPattern: {{ . | toJson }}
    {{- end }}
    {{- with .expected_start_cut_off_seconds }}
    expectedStartCutOffInSeconds: {{ int . }}
    {{- end }}
    {{- with .expected_recurring_frequency_seconds }}
    expectedRecurringFrequencyInSeconds: {{ int . }}
    {{- end }}
    {{- if hasKey . "metric_threshold" }}
    metricThreshold: {{ .metric_threshold }}
    operator: {{ .operator | quote }}
    {{- end }}
    {{- with .metric_evaluation_data_points }}
    metricEvaluationDataPoints: {{ int . }}
    {{- end }}
    {{- if .fault_on_match }}
    faultOnMatch: true
    {{- end }}
  {{- end }}
{{- end }}
{{- end -}}

{{/* The instance type as the user wrote it, without a leading "ml." (it is added back in HyperPod mode). */}}
{{- define "pytorchjob-common.baseNodeType" -}}
{{- .Values.resources.node_type | default "" | trimPrefix "ml." -}}
{{- end -}}

{{- define "pytorchjob-common.jobAnnotations" -}}
{{- if and .Values.hyperpod.enabled .Values.hyperpod.auto_restart }}
sagemaker.amazonaws.com/enable-job-auto-resume: "true"
sagemaker.amazonaws.com/job-max-retry-count: {{ int .Values.hyperpod.max_retry_count | quote }}
{{- end }}
{{- end -}}

{{- define "pytorchjob-common.scheduling" -}}
{{- $nodeType := include "pytorchjob-common.baseNodeType" . -}}
{{- $selector := deepCopy (.Values.node_selector | default dict) -}}
{{- if .Values.hyperpod.enabled -}}
{{- $_ := set $selector "node.kubernetes.io/instance-type" (printf "ml.%s" $nodeType) -}}
{{- with .Values.hyperpod.instance_group -}}
{{- $_ := set $selector "sagemaker.amazonaws.com/instance-group-name" . -}}
{{- end -}}
{{- else if $nodeType -}}
{{- $_ := set $selector "node.kubernetes.io/instance-type" $nodeType -}}
{{- end -}}
{{- with $selector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if .Values.hyperpod.enabled }}
affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
        - matchExpressions:
            - key: sagemaker.amazonaws.com/node-health-status
              operator: In
              values: ["Schedulable"]
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        preference:
          matchExpressions:
            - key: sagemaker.amazonaws.com/deep-health-check-status
              operator: In
              values: ["Passed"]
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
Checks that JSON schema cannot express with a readable message. Rendered (to nothing) by every chart's job template.
A toleration of sagemaker.amazonaws.com/node-health-status would let training pods onto nodes HyperPod has marked
unhealthy (only device-plugin DaemonSets may tolerate it), so it is refused in every mode; a wildcard toleration
(operator Exists without a key) tolerates that taint too and is refused in HyperPod mode.
*/}}
{{- define "pytorchjob-common.validate" -}}
{{- $hp := .Values.hyperpod -}}
{{- $operator := include "pytorchjob-common.operator" . -}}
{{- if and $hp.auto_restart (not $hp.enabled) -}}
{{- fail "hyperpod.auto_restart: true needs hyperpod.enabled: true (job auto-resume is a HyperPod feature)" -}}
{{- end -}}
{{- if and (eq $operator "hyperpod") (not $hp.enabled) -}}
{{- fail "hyperpod.operator: \"hyperpod\" needs hyperpod.enabled: true (the HyperPod training operator runs jobs on HyperPod nodes only); use hyperpod.operator: kubeflow elsewhere" -}}
{{- end -}}
{{- if and $hp.instance_group (not $hp.enabled) -}}
{{- fail (printf "hyperpod.instance_group: %q needs hyperpod.enabled: true (only HyperPod nodes carry the instance-group label)" $hp.instance_group) -}}
{{- end -}}
{{- if and $hp.team (not $hp.enabled) -}}
{{- fail (printf "hyperpod.team: %q needs hyperpod.enabled: true (task-governance queues schedule HyperPod nodes)" $hp.team) -}}
{{- end -}}
{{- if and $hp.priority (not $hp.team) -}}
{{- fail (printf "hyperpod.priority: %q needs hyperpod.team: Kueue ignores a priority class on a job that names no queue" $hp.priority) -}}
{{- end -}}
{{- if and $hp.log_monitoring (ne $operator "hyperpod") -}}
{{- fail "hyperpod.log_monitoring: needs hyperpod.operator: \"hyperpod\" (the kubeflow operator has no log monitoring)" -}}
{{- end -}}
{{- range $i, $rule := $hp.log_monitoring -}}
{{- if ne (hasKey $rule "metric_threshold") (hasKey $rule "operator") -}}
{{- fail (printf "hyperpod.log_monitoring[%d]: metric_threshold and operator go together (the operator compares the value the pattern captures with the threshold)" $i) -}}
{{- end -}}
{{- end -}}
{{- with $hp.restart_policy -}}
{{- if or .eval_period_seconds .num_restart_before_full_job_restart .max_full_job_restarts -}}
{{- if ne $operator "hyperpod" -}}
{{- fail "hyperpod.restart_policy: needs hyperpod.operator: \"hyperpod\" (the kubeflow operator has no process-level restarts)" -}}
{{- end -}}
{{- if not $hp.auto_restart -}}
{{- fail "hyperpod.restart_policy: needs hyperpod.auto_restart: true (restarts are limited by hyperpod.max_retry_count, which applies only with auto_restart)" -}}
{{- end -}}
{{- if not .eval_period_seconds -}}
{{- fail "hyperpod.restart_policy.eval_period_seconds: is 0; the operator needs the period over which it counts restarts whenever a restart policy is given" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and $hp.enabled (not (include "pytorchjob-common.baseNodeType" .)) -}}
{{- fail "resources.node_type: is empty; HyperPod mode needs the instance type of the group to run on, e.g. p4d.24xlarge" -}}
{{- end -}}
{{- range $i, $t := .Values.tolerations -}}
{{- if eq ($t.key | default "") "sagemaker.amazonaws.com/node-health-status" -}}
{{- fail (printf "tolerations[%d]: key %q is not allowed: training pods must not run on nodes HyperPod marks unhealthy" $i $t.key) -}}
{{- end -}}
{{- if and $hp.enabled (not $t.key) (eq ($t.operator | default "") "Exists") -}}
{{- fail (printf "tolerations[%d]: a toleration with operator Exists and no key tolerates every taint, including HyperPod's sagemaker.amazonaws.com/node-health-status=Unschedulable; name the taint keys instead" $i) -}}
{{- end -}}
{{- end -}}
{{- end -}}
