{{/*
One entry of spec.pytorchReplicaSpecs. Call with (dict "root" $ "replicas" N).
The container must be called "pytorch" and its port "pytorchjob-port": the training operator looks both up by name
(MASTER_PORT, the c10d rendezvous endpoint). Replicas restart OnFailure, the restart policy HyperPod's job auto-resume
expects and the operator's own default.
*/}}
{{- define "pytorchjob-common.replicaSpec" -}}
replicas: {{ int .replicas }}
restartPolicy: OnFailure
template:
  {{- include "pytorchjob-common.podTemplate" (dict "root" .root "operator" "kubeflow") | nindent 2 }}
{{- end -}}

{{/*
The pod template both job kinds share. Call with (dict "root" $ "operator" "kubeflow"|"hyperpod"), and for the
hyperpod operator also "nnodes" (what PYTORCHJOB_NNODES holds). The two kinds differ only in the launcher's port
(kubeflow: the operator finds "pytorchjob-port" by name; hyperpod: the HyperPod elastic agent, hyperpodrun, serves
the operator on 8080) and in two environment variables the hyperpod kind adds, because the HyperPod operator does
not document the variables it injects: PYTORCHJOB_NNODES and PYTORCHJOB_NPROC_PER_NODE, for $(VAR) use in args.
*/}}
{{- define "pytorchjob-common.podTemplate" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $hyperpodOperator := eq .operator "hyperpod" -}}
{{- $image := $v.image.repository -}}
{{- if $v.image.tag }}{{ $image = printf "%s:%s" $image $v.image.tag }}{{ end -}}
metadata:
  labels:
    {{- include "pytorchjob-common.labels" $root | nindent 4 }}
  {{- with $v.pod_annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- with $v.service_account_name }}
  serviceAccountName: {{ . }}
  {{- end }}
  {{- with $v.image.pull_secrets }}
  imagePullSecrets:
    {{- range . }}
    - name: {{ . }}
    {{- end }}
  {{- end }}
  {{- with include "pytorchjob-common.scheduling" $root | trim }}
  {{- . | nindent 2 }}
  {{- end }}
  {{- if $v.git.repo }}
  initContainers:
    - name: clone-code
      image: {{ $v.git.image | default $image }}
      imagePullPolicy: {{ $v.image.pull_policy }}
      command: ["bash", "/etc/pytorchjob/clone.sh"]
      env:
        - name: GIT_REPO
          value: {{ $v.git.repo | quote }}
        - name: GIT_BRANCH
          value: {{ $v.git.branch | quote }}
        - name: GIT_COMMIT
          value: {{ $v.git.commit | default "" | quote }}
        - name: CODE_DIR
          value: /workspace/code
      volumeMounts:
        - name: scripts
          mountPath: /etc/pytorchjob
        - name: code
          mountPath: /workspace
  {{- end }}
  containers:
    - name: pytorch
      image: {{ $image }}
      imagePullPolicy: {{ $v.image.pull_policy }}
      command: ["bash", "/etc/pytorchjob/entrypoint.sh"]
      args:
        {{- concat $v.command ($v.args | default list) | toYaml | nindent 8 }}
      {{- if $v.git.repo }}
      workingDir: /workspace/code
      {{- else if $v.working_dir }}
      workingDir: {{ $v.working_dir }}
      {{- end }}
      {{- if $hyperpodOperator }}
      env:
        - name: PYTORCHJOB_NNODES
          value: {{ .nnodes | quote }}
        - name: PYTORCHJOB_NPROC_PER_NODE
          value: {{ int $v.resources.nproc_per_node | quote }}
        {{- with $v.env }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      ports:
        - containerPort: 8080
          protocol: TCP
      {{- else }}
      {{- with $v.env }}
      env:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      ports:
        - name: pytorchjob-port
          containerPort: 23456
          protocol: TCP
      {{- end }}
      {{- with $v.resources }}
      {{- if or .requests .limits }}
      resources:
        {{- with .requests }}
        requests:
          {{- toYaml . | nindent 10 }}
        {{- end }}
        {{- with .limits }}
        limits:
          {{- toYaml . | nindent 10 }}
        {{- end }}
      {{- end }}
      {{- end }}
      volumeMounts:
        - name: scripts
          mountPath: /etc/pytorchjob
        {{- if $v.git.repo }}
        - name: code
          mountPath: /workspace
        {{- end }}
        {{- if $v.shm_size }}
        - name: shm
          mountPath: /dev/shm
        {{- end }}
        {{- range $v.volumes }}
        - name: {{ .name }}
          mountPath: {{ .mount_path }}
          {{- if .read_only }}
          readOnly: true
          {{- end }}
          {{- with .sub_path }}
          subPath: {{ . }}
          {{- end }}
        {{- end }}
  volumes:
    - name: scripts
      configMap:
        name: {{ include "pytorchjob-common.scriptsConfigMapName" $root }}
        defaultMode: 0555
    {{- if $v.git.repo }}
    - name: code
      emptyDir: {}
    {{- end }}
    {{- if $v.shm_size }}
    - name: shm
      emptyDir:
        medium: Memory
        sizeLimit: {{ $v.shm_size }}
    {{- end }}
    {{- range $v.volumes }}
    - name: {{ .name }}
      persistentVolumeClaim:
        claimName: {{ .claim_name }}
        {{- if .read_only }}
        readOnly: true
        {{- end }}
    {{- end }}
{{- end -}}
