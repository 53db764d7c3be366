{{/*
One entry of spec.pytorchReplicaSpecs. Call with (dict "root" $ "replicas" N).
The container must be called "pytorch" and its port "pytorchjob-port": the training operator looks both up by name
(MASTER_PORT, the c10d rendezvous endpoint). Replicas restart OnFailure, the restart policy HyperPod's job auto-resume
expects and the operator's own default.
*/}}
{{- define "pytorchjob-common.replicaSpec" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $image := $v.image.repository -}}
{{- if $v.image.tag }}{{ $image = printf "%s:%s" $image $v.image.tag }}{{ end -}}
replicas: {{ int .replicas }}
restartPolicy: OnFailure
template:
  metadata:
    labels:
      {{- include "pytorchjob-common.labels" $root | nindent 6 }}
    {{- with $v.pod_annotations }}
    annotations:
      {{- toYaml . | nindent 6 }}
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
    {{- . | nindent 4 }}
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
          {{- concat $v.command ($v.args | default list) | toYaml | nindent 10 }}
        {{- if $v.git.repo }}
        workingDir: /workspace/code
        {{- else if $v.working_dir }}
        workingDir: {{ $v.working_dir }}
        {{- end }}
        {{- with $v.env }}
        env:
          {{- toYaml . | nindent 10 }}
        {{- end }}
        ports:
          - name: pytorchjob-port
            containerPort: 23456
            protocol: TCP
        {{- with $v.resources }}
        {{- if or .requests .limits }}
        resources:
          {{- with .requests }}
          requests:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- with .limits }}
          limits:
            {{- toYaml . | nindent 12 }}
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
