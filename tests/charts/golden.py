"""Golden renders of the kubeflow PyTorchJob output, captured from main before the HyperPod operator work began.

Every case leaves `hyperpod.operator` at its default (kubeflow), so the new values must not change a byte of them.
Regenerate only for an intended change of the kubeflow output: `python -m tests.charts.golden` (needs helm), then
review the diff of tests/charts/data/golden/ like any other change.
"""
from __future__ import annotations

from pathlib import Path

from .cases import CHARTS, values_for
from .helm_runner import REPO_ROOT, Helm, find_helm

GOLDEN_DIR = Path(__file__).parent / "data" / "golden"
EXAMPLE = REPO_ROOT / "examples" / "training" / "accelerate" / "qwen3-14b-sft"


def cases() -> dict[str, tuple[str, tuple, tuple]]:
    """name -> (chart, value dicts, values files); each renders with release "golden" in namespace "training"."""
    result = {}
    for chart in CHARTS:
        result[f"{chart}-defaults"] = (chart, (), ())
        for mode in ("plain", "hyperpod", "hyperpod-resume"):
            for source in ("image-only", "git-volumes"):
                result[f"{chart}-{mode}-{source}"] = (chart, (values_for(mode, 3, source),), ())
        result[f"{chart}-qwen-example"] = (chart, (), (EXAMPLE / "fine-tune.yaml",))
        result[f"{chart}-qwen-hyperpod-overlay"] = (chart, (), (EXAMPLE / "fine-tune.yaml", EXAMPLE / "hyperpod.yaml"))
    return result


def render(helm: Helm, name: str):
    chart, value_sets, files = cases()[name]
    return helm.template(chart, *value_sets, files=files, release="golden", namespace="training")


def main() -> None:
    import tempfile

    binary = find_helm()
    assert binary, "helm not found"
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as home:
        helm = Helm(binary, Path(home))
        for name in cases():
            result = render(helm, name)
            assert result.returncode == 0, (name, result.stderr)
            (GOLDEN_DIR / f"{name}.yaml").write_text(result.stdout)


if __name__ == "__main__":
    main()
