"""Read the TypeScript that generated a prebuilt CDKTF provider binding, offline.

Each binding's jsii tarball ships `lib/<module>/index.js` with an inline source map whose `sourcesContent` is the
generated TypeScript. That text carries everything the provider schema said (see schema_generator.py), so the
provider schema can be rebuilt without the registry.
"""

from __future__ import annotations

import base64
import json
import re
import tarfile
from dataclasses import dataclass
from pathlib import Path

SITE_PACKAGES = Path(__file__).resolve().parents[2] / ".venv" / "lib" / "python3.11" / "site-packages"
SOURCE_MAP = re.compile(r"sourceMappingURL=data:application/json;base64,(\S+)")


@dataclass(frozen=True)
class Binding:
    """One prebuilt CDKTF binding package and the provider it was generated from."""

    provider: str  # Terraform provider type, e.g. "aws"
    python_package: str  # e.g. "cdktf_cdktf_provider_aws"
    site_packages: Path = SITE_PACKAGES

    def tarball(self) -> Path:
        found = sorted((self.site_packages / self.python_package / "_jsii").glob("*.jsii.tgz"))
        if not found:
            raise FileNotFoundError(
                f"no jsii tarball for {self.python_package} under {self.site_packages}: run scripts/bootstrap.sh "
                "--test first"
            )
        return found[0]


BINDINGS = {
    "aws": Binding("aws", "cdktf_cdktf_provider_aws"),
    "helm": Binding("helm", "cdktf_cdktf_provider_helm"),
    "kubernetes": Binding("kubernetes", "cdktf_cdktf_provider_kubernetes"),
}
# CDK Terrain's bindings (.venv-terrain), for the provider versions its stacks pin (tests/terrain/).
TERRAIN_SITE_PACKAGES = SITE_PACKAGES.parents[3] / ".venv-terrain" / "lib" / "python3.11" / "site-packages"
TERRAIN_BINDINGS = {
    "aws": Binding("aws", "cdktn_provider_aws", TERRAIN_SITE_PACKAGES),
    "helm": Binding("helm", "cdktn_provider_helm", TERRAIN_SITE_PACKAGES),
}


def module_for(provider: str, kind: str, type_name: str) -> str:
    """The binding's module directory for a Terraform type: aws_iam_role -> iam-role, data aws_region -> data-aws-region."""
    if kind == "provider":
        return "provider"
    prefix = provider + "_"
    if not type_name.startswith(prefix):
        raise ValueError(f"type {type_name!r} does not belong to provider {provider!r}")
    kebab = type_name[len(prefix):].replace("_", "-")
    return f"data-{provider}-{kebab}" if kind == "data" else kebab


def embedded_typescript(index_js: str) -> str:
    match = SOURCE_MAP.search(index_js)
    if match is None:
        raise ValueError("index.js carries no inline source map")
    source_map = json.loads(base64.b64decode(match.group(1)))
    return source_map["sourcesContent"][0]


def read_modules(binding: Binding, modules: set[str]) -> dict[str, str]:
    """TypeScript source of each requested module, read in one pass over the (large, gzip) tarball."""
    wanted = {f"package/lib/{module}/index.js": module for module in modules}
    sources: dict[str, str] = {}
    with tarfile.open(binding.tarball()) as tarball:
        for member in tarball:
            module = wanted.get(member.name)
            if module is not None:
                # CDK Terrain generates the same TypeScript, with its core imported as `cdktn`.
                typescript = embedded_typescript(tarball.extractfile(member).read().decode())
                sources[module] = re.sub(r"\bcdktn\.", "cdktf.", typescript)
    missing = sorted(modules - sources.keys())
    if missing:
        raise KeyError(f"{binding.python_package} has no module(s) {missing}")
    return sources


def package_version(binding: Binding) -> str:
    return binding.tarball().name.split("@")[1].removesuffix(".jsii.tgz")
