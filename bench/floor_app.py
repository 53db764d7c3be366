"""The floor for synthesis: a minimal CDK app that loads only the binding modules it uses.

    python bench/floor_app.py OUTDIR [cdktf | terrain]       (the runtime: CDKTF, the default, or CDK Terrain)

It loads the runtime's aws, helm and kubernetes provider modules (each a jsii assembly that node must load, as the
project does) and synthesizes one aws resource. Nothing of the project is imported: the runtime's packages are named
here as hyperpod/runtime names them.
"""

import importlib
import importlib.util
import os
import sys

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

ASSEMBLIES = [a for a in os.environ.get("FLOOR_ASSEMBLIES", "aws,helm,kubernetes").split(",") if a]
RUNTIMES = {"cdktf": ("cdktf", "cdktf_cdktf_provider_"), "terrain": ("cdktn", "cdktn_provider_")}
CORE, PREFIX = RUNTIMES[sys.argv[2] if len(sys.argv) > 2 else "cdktf"]

for name in ASSEMBLIES:  # skip each package's __init__, which imports every submodule
    package = PREFIX + name
    sys.modules[package] = importlib.util.module_from_spec(importlib.util.find_spec(package))


def binding(provider: str, module: str, name: str):
    return getattr(importlib.import_module(f"{PREFIX}{provider}.{module}"), name)


cdk = importlib.import_module(CORE)
app = cdk.App(outdir=sys.argv[1])
stack = cdk.TerraformStack(app, "floor")
binding("aws", "provider", "AwsProvider")(stack, "aws", region="us-west-2")
if "helm" in ASSEMBLIES:
    binding("helm", "provider", "HelmProvider")(stack, "helm")
if "kubernetes" in ASSEMBLIES:
    binding("kubernetes", "provider", "KubernetesProvider")(stack, "kubernetes")
binding("aws", "iam_role", "IamRole")(stack, "role", assume_role_policy="{}")
app.synth()
