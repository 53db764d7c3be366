"""The Kubernetes API rules the rendered objects must meet (apimachinery validation, restated), and the training
operator's own admission rules for PyTorchJobs. Each check returns a list of problems, empty when all is well."""
from __future__ import annotations

import copy
import re

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
IANA_SVC_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
ENV_VAR_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
CONFIGMAP_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")

# The operator names pods and services "<job>-<replica type>-<index>".
REPLICA_TYPES = ("Master", "Worker")


def dns1123_label(value: str, where: str) -> list[str]:
    if len(value) > 63 or not DNS1123_LABEL.match(value):
        return [f"{where}: {value!r} is not a DNS-1123 label (<= 63 chars, [a-z0-9-], alphanumeric at both ends)"]
    return []


def dns1035_label(value: str, where: str) -> list[str]:
    if len(value) > 63 or not DNS1035_LABEL.match(value):
        return [f"{where}: {value!r} is not a DNS-1035 label (<= 63 chars, starts with a letter)"]
    return []


def dns1123_subdomain(value: str, where: str) -> list[str]:
    if len(value) > 253 or not DNS1123_SUBDOMAIN.match(value):
        return [f"{where}: {value!r} is not a DNS-1123 subdomain"]
    return []


def qualified_key(key: str, where: str) -> list[str]:
    """Label and annotation keys: an optional DNS-1123 subdomain prefix and '/', then a name of <= 63 chars."""
    prefix, _, name = key.rpartition("/")
    problems = dns1123_subdomain(prefix, f"{where} prefix") if prefix else []
    if len(name) > 63 or not QUALIFIED_NAME.match(name):
        problems.append(f"{where}: key {key!r} has an invalid name part")
    return problems


def labels(mapping: dict | None, where: str) -> list[str]:
    problems = []
    for key, value in (mapping or {}).items():
        problems += qualified_key(key, f"{where}[{key}]")
        if not isinstance(value, str):
            problems.append(f"{where}[{key}]: value {value!r} is not a string")
        elif value and (len(value) > 63 or not QUALIFIED_NAME.match(value)):
            problems.append(f"{where}[{key}]: value {value!r} is not a valid label value")
    return problems


def annotations(mapping: dict | None, where: str) -> list[str]:
    problems = []
    for key, value in (mapping or {}).items():
        problems += qualified_key(key, f"{where}[{key}]")
        if not isinstance(value, str):
            problems.append(f"{where}[{key}]: value {value!r} is not a string")
    return problems


def object_meta(obj: dict) -> list[str]:
    meta = obj["metadata"]
    where = f"{obj['kind']}/{meta.get('name')}"
    problems = dns1123_subdomain(meta["name"], f"{where} metadata.name")
    problems += labels(meta.get("labels"), f"{where} metadata.labels")
    problems += annotations(meta.get("annotations"), f"{where} metadata.annotations")
    if obj["kind"] == "ConfigMap":
        problems += [f"{where}: data key {k!r} is invalid" for k in obj.get("data", {}) if not CONFIGMAP_KEY.match(k)]
    return problems


def pod_template(template: dict, where: str) -> list[str]:
    meta, spec = template.get("metadata", {}), template["spec"]
    problems = labels(meta.get("labels"), f"{where} labels") + annotations(meta.get("annotations"), where)
    problems += labels(spec.get("nodeSelector"), f"{where} nodeSelector")
    volumes = [v["name"] for v in spec.get("volumes", [])]
    for name in volumes:
        problems += dns1123_label(name, f"{where} volume")
    if len(set(volumes)) != len(volumes):
        problems.append(f"{where}: duplicate volume names {volumes}")
    for container in spec.get("initContainers", []) + spec["containers"]:
        cwhere = f"{where} container {container['name']}"
        problems += dns1123_label(container["name"], cwhere)
        for env in container.get("env", []):
            if not ENV_VAR_NAME.match(env["name"]):
                problems.append(f"{cwhere}: env name {env['name']!r} is invalid")
        for port in container.get("ports", []):
            name = port.get("name", "")
            if name and (len(name) > 15 or not IANA_SVC_NAME.match(name) or not re.search("[a-z]", name)):
                problems.append(f"{cwhere}: port name {name!r} is not an IANA service name")
        for mount in container.get("volumeMounts", []):
            if mount["name"] not in volumes:
                problems.append(f"{cwhere}: mounts undeclared volume {mount['name']!r}")
    return problems


def pytorchjob_admission(job: dict) -> list[str]:
    """What training operator 1.7's validation refuses, and the names it will derive from the job."""
    name = job["metadata"]["name"]
    problems = dns1035_label(name, "PyTorchJob name")
    spec = job["spec"]
    replica_specs = spec["pytorchReplicaSpecs"]
    for rtype, replica in replica_specs.items():
        if rtype not in REPLICA_TYPES:
            problems.append(f"replica type {rtype!r} is not one of {REPLICA_TYPES}")
            continue
        containers = replica["template"]["spec"]["containers"]
        if not any(c["name"] == "pytorch" and c.get("image") for c in containers):
            problems.append(f"{rtype}: no container named 'pytorch' with an image")
        if rtype == "Master" and replica.get("replicas", 1) != 1:
            problems.append("Master: there must be exactly one master replica")
        last_pod = f"{name}-{rtype.lower()}-{replica.get('replicas', 1) - 1}"
        problems += dns1035_label(last_pod, f"{rtype} pod/service name")
    if spec.get("nprocPerNode") is not None and (spec.get("elasticPolicy") or {}).get("nProcPerNode") is not None:
        problems.append("nprocPerNode and elasticPolicy.nProcPerNode are both set")
    return problems


def hyperpodpytorchjob_admission(job: dict) -> list[str]:
    """What a HyperPodPyTorchJob must allow: a DNS-1035 job name, distinct replica names that are DNS-1123 labels, a
    container named "pytorch" with an image in each replica, and pod names within 63 characters should the operator
    name pods as Kubeflow's does (<job>-<replica>-<index>; AWS does not document its scheme)."""
    name = job["metadata"]["name"]
    problems = dns1035_label(name, "HyperPodPyTorchJob name")
    names = [r["name"] for r in job["spec"]["replicaSpecs"]]
    if len(set(names)) != len(names):
        problems.append(f"duplicate replica names {names}")
    for replica in job["spec"]["replicaSpecs"]:
        problems += dns1123_label(replica["name"], "replica name")
        last = max(replica.get("replicas", 1), replica.get("maxReplicas", 0)) - 1
        problems += dns1035_label(f"{name}-{replica['name']}-{last}", f"{replica['name']} pod name")
        containers = replica["template"]["spec"]["containers"]
        if not any(c["name"] == "pytorch" and c.get("image") for c in containers):
            problems.append(f"{replica['name']}: no container named 'pytorch' with an image")
    return problems


def strict_schema(schema: dict) -> dict:
    """A copy of a CRD schema that refuses unknown fields wherever the CRD lists the known ones."""
    schema = copy.deepcopy(schema)

    def visit(node):
        if isinstance(node, dict):
            if ("properties" in node and "additionalProperties" not in node
                    and not node.get("x-kubernetes-preserve-unknown-fields")):
                node["additionalProperties"] = False
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(schema)
    return schema
