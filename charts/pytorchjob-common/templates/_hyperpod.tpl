{{/*
HyperPod mode, per AWS's documented contracts (see examples/hyperpod/README.md):
- pods go to ml.* instances by the node.kubernetes.io/instance-type label;
- they require nodes that HyperPod's health agents mark Schedulable and prefer nodes that passed deep health checks;
- job auto-resume is asked for with two annotations on the PyTorchJob (enable-job-auto-resume, job-max-retry-count);
  replicas restart OnFailure, which is set for every replica in _replica.tpl.
*/}}

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
{{- if and $hp.auto_restart (not $hp.enabled) -}}
{{- fail "hyperpod.auto_restart: true needs hyperpod.enabled: true (job auto-resume is a HyperPod feature)" -}}
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
