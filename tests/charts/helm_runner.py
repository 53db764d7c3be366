"""Runs the real helm binary against the charts: template, lint, client-side install dry runs."""
from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
CHARTS = REPO_ROOT / "charts"
BUNDLED_HELM = REPO_ROOT / ".tools" / "bin" / "helm"


def find_helm() -> Path | None:
    """The helm on PATH, else the one scripts/bootstrap.sh --test installs."""
    on_path = shutil.which("helm")
    if on_path:
        return Path(on_path)
    return BUNDLED_HELM if BUNDLED_HELM.is_file() and os.access(BUNDLED_HELM, os.X_OK) else None


@dataclasses.dataclass
class HelmResult:
    returncode: int
    stdout: str
    stderr: str

    @property
    def docs(self) -> list[dict]:
        return [d for d in yaml.safe_load_all(self.stdout) if d]

    def of_kind(self, kind: str) -> list[dict]:
        return [d for d in self.docs if d.get("kind") == kind]

    @property
    def job(self) -> dict:
        (job,) = self.of_kind("PyTorchJob")
        return job

    @property
    def hyperpod_job(self) -> dict:
        (job,) = self.of_kind("HyperPodPyTorchJob")
        return job

    @property
    def workload(self) -> dict:
        """The one training job rendered, of either kind."""
        (job,) = self.of_kind("PyTorchJob") + self.of_kind("HyperPodPyTorchJob")
        return job


class Helm:
    def __init__(self, binary: Path, home: Path):
        self.binary = binary
        # Private helm state: tests never read or write the user's helm config, cache or repositories.
        self.env = {
            **os.environ,
            "HELM_CACHE_HOME": str(home / "cache"),
            "HELM_CONFIG_HOME": str(home / "config"),
            "HELM_DATA_HOME": str(home / "data"),
        }

    def run(self, *args: str) -> HelmResult:
        proc = subprocess.run(
            [str(self.binary), *args], capture_output=True, text=True, env=self.env, timeout=60, check=False
        )
        return HelmResult(proc.returncode, proc.stdout, proc.stderr)

    def template(self, chart: str, *value_sets: dict, files: tuple[Path, ...] = (), release: str = "job",
                 namespace: str = "training") -> HelmResult:
        """Renders chart with values files, then each dict written as its own -f file (so numbers arrive as
        float64, as they do from users' files, not as --set integers)."""
        with tempfile.TemporaryDirectory() as tmp:
            args = ["template", release, str(CHARTS / chart), "-n", namespace]
            for f in files:
                args += ["-f", str(f)]
            for i, values in enumerate(value_sets):
                path = Path(tmp) / f"values-{i}.yaml"
                path.write_text(yaml.safe_dump(values))
                args += ["-f", str(path)]
            return self.run(*args)
