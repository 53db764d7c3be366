"""The floor for synthesis: a minimal CDKTF app that loads only the binding modules it uses.

It loads the aws, helm and kubernetes provider modules (each a jsii assembly that node must load, as the project
does) and synthesizes one aws resource. Nothing of the project is imported.
"""

import importlib.util
import os
import sys

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

ASSEMBLIES = [a for a in os.environ.get("FLOOR_ASSEMBLIES", "aws,helm,kubernetes").split(",") if a]

for name in ASSEMBLIES:  # skip each package's __init__, which imports every submodule
    package = f"cdktf_cdktf_provider_{name}"
    sys.modules[package] = importlib.util.module_from_spec(importlib.util.find_spec(package))

import cdktf  # noqa: E402
from cdktf_cdktf_provider_aws.iam_role import IamRole  # noqa: E402
from cdktf_cdktf_provider_aws.provider import AwsProvider  # noqa: E402

app = cdktf.App(outdir=sys.argv[1])
stack = cdktf.TerraformStack(app, "floor")
AwsProvider(stack, "aws", region="us-west-2")
if "helm" in ASSEMBLIES:
    from cdktf_cdktf_provider_helm.provider import HelmProvider

    HelmProvider(stack, "helm")
if "kubernetes" in ASSEMBLIES:
    from cdktf_cdktf_provider_kubernetes.provider import KubernetesProvider

    KubernetesProvider(stack, "kubernetes")
IamRole(stack, "role", assume_role_policy="{}")
app.synth()
