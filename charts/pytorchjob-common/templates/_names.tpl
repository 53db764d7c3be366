{{/*
Job name. The operator names pods and services "<job>-worker-<index>" and requires a DNS-1035 label, so the name
is limited to 52 characters: "-worker-" plus a three-digit index still fits in 63.
*/}}
{{- define "pytorchjob-common.jobName" -}}
{{- $name := .Values.job_name | default .Release.Name -}}
{{- if gt (len $name) 52 -}}
{{- fail (printf "job_name: %q is %d characters; at most 52 are allowed (pod names add \"-worker-<index>\" and must stay within 63)" $name (len $name)) -}}
{{- end -}}
{{- if not (regexMatch "^[a-z]([-a-z0-9]*[a-z0-9])?$" $name) -}}
{{- fail (printf "job_name: %q is not a DNS-1035 label; use lower-case letters, digits and '-', starting with a letter and ending with a letter or digit" $name) -}}
{{- end -}}
{{- $name -}}
{{- end -}}

{{- define "pytorchjob-common.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{- define "pytorchjob-common.labels" -}}
{{ include "pytorchjob-common.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | default .Chart.Version | replace "+" "_" | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{- define "pytorchjob-common.scriptsConfigMapName" -}}
{{- include "pytorchjob-common.jobName" . }}-scripts
{{- end -}}
