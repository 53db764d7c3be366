"""hyperpod.runtime chooses the CDK runtime once and is the only way into it: no module under hyperpod/ imports cdktf,
cdktn, constructs or a prebuilt provider package itself."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hyperpod import runtime as runtime_module
from tests.conftest import EXAMPLES, ROOT
from tests.terrain.synthesize import imported_through_runtime, missing_classes

CDK_PACKAGES = ("cdktf", "cdktn", "constructs")
PROVIDER_PREFIXES = ("cdktf_cdktf_provider_", "cdktn_provider_")


def direct_cdk_imports(source: str) -> list[str]:
    """The CDK or provider modules `source` imports itself (not through hyperpod.runtime)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
        found += [name for name in names
                  if name.split(".")[0] in CDK_PACKAGES or name.startswith(PROVIDER_PREFIXES)]
    return found


def test_no_module_under_hyperpod_imports_a_cdk_runtime_or_provider_package_directly():
    offenders = {str(path.relative_to(ROOT)): imports for path in sorted((ROOT / "hyperpod").rglob("*.py"))
                 if (imports := direct_cdk_imports(path.read_text(encoding="utf-8")))}
    assert offenders == {}, "import these through hyperpod.runtime (core, constructs, aws.<module>, ...)"


def test_the_import_check_sees_each_form_of_direct_import():
    source = ("import cdktf\nfrom cdktn import App\nfrom constructs import Construct\n"
              "from cdktf_cdktf_provider_aws.iam_role import IamRole\nimport cdktn_provider_helm.release as r\n"
              "def f():\n    from cdktf import Fn\n"
              "from hyperpod.runtime.core import Fn\nfrom hyperpod.runtime.aws.iam_role import IamRole\n")
    assert direct_cdk_imports(source) == ["cdktf", "cdktn", "constructs", "cdktf_cdktf_provider_aws.iam_role",
                                          "cdktn_provider_helm.release", "cdktf"]


@pytest.fixture
def installed(monkeypatch):
    """Pretend which CDK cores are installed and none is imported yet."""
    def pretend(*cores: str) -> None:
        monkeypatch.setattr(runtime_module, "_installed", lambda package: package in cores)
        for core in ("cdktf", "cdktn"):
            monkeypatch.delitem(sys.modules, core, raising=False)
    return pretend


def test_the_variable_chooses_the_runtime(installed):
    installed("cdktf", "cdktn")
    assert runtime_module.choose({"HYPERPOD_CDK": "terrain"}).core == "cdktn"
    assert runtime_module.choose({"HYPERPOD_CDK": "cdktf"}).core == "cdktf"


def test_a_variable_naming_no_runtime_is_refused(installed):
    installed("cdktf", "cdktn")
    with pytest.raises(runtime_module.RuntimeUnavailable,
                       match=r"^HYPERPOD_CDK='cdktn' is not a CDK runtime; allowed: 'cdktf', 'terrain'$"):
        runtime_module.choose({"HYPERPOD_CDK": "cdktn"})


def test_a_variable_naming_a_runtime_that_is_not_installed_says_how_to_install_it(installed):
    installed("cdktf")
    with pytest.raises(runtime_module.RuntimeUnavailable,
                       match=r"HYPERPOD_CDK='terrain' asks for CDK Terrain, but its package 'cdktn' is not "
                             r"installed: pip install 'hyperpod-cdktf\[terrain\]'"):
        runtime_module.choose({"HYPERPOD_CDK": "terrain"})


def test_without_the_variable_the_installed_runtime_is_used_and_cdktf_when_both_are(installed):
    installed("cdktn")
    assert runtime_module.choose({}).name == "terrain"
    installed("cdktf")
    assert runtime_module.choose({}).name == "cdktf"
    installed("cdktf", "cdktn")
    assert runtime_module.choose({}).name == "cdktf"


def test_an_app_that_imported_cdk_terrain_gets_cdk_terrain(installed, monkeypatch):
    installed("cdktf", "cdktn")
    monkeypatch.setitem(sys.modules, "cdktn", object())  # `import cdktn` in the app, before the first construct
    assert runtime_module.choose({}).name == "terrain"


def test_no_runtime_installed_names_both_extras(installed):
    installed()
    with pytest.raises(runtime_module.RuntimeUnavailable,
                       match=r"^no CDK runtime is installed: pip install 'hyperpod-cdktf\[cdktf\]' \(CDKTF\) or "
                             r"'hyperpod-cdktf\[terrain\]' \(CDK Terrain\)$"):
        runtime_module.choose({})


def test_the_aliases_are_the_runtime_s_own_modules():
    import cdktf
    import constructs

    import hyperpod.runtime.aws.iam_role
    import hyperpod.runtime.constructs
    import hyperpod.runtime.core

    assert runtime_module.runtime().name == "cdktf"  # the test environment's runtime (.venv)
    assert hyperpod.runtime.core is cdktf and hyperpod.runtime.constructs is constructs
    assert hyperpod.runtime.aws.iam_role is sys.modules["cdktf_cdktf_provider_aws.iam_role"]
    assert not hasattr(sys.modules["cdktf_cdktf_provider_aws"], "__all__")  # the package's __init__ did not run
    with pytest.raises(ModuleNotFoundError):
        import hyperpod.runtime.aws.no_such_module  # noqa: F401
    with pytest.raises(ModuleNotFoundError):
        import hyperpod.runtime.no_such_provider  # noqa: F401


def test_every_class_the_project_imports_exists_under_cdktf():
    names = imported_through_runtime()
    assert {"core.TerraformStack", "constructs.Construct", "aws.s3_bucket.S3Bucket", "helm.release.Release"} <= names
    assert missing_classes(names) == []  # CDK Terrain's side: tests/terrain/test_synthesis.py


def test_main_refuses_an_unknown_runtime_without_a_traceback_and_writes_nothing(tmp_path):
    env = {**os.environ, "HYPERPOD_CDK": "pulumi", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--config", str(EXAMPLES / "terraform.tfvars.json"),
                             "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == ("error: HYPERPOD_CDK='pulumi' is not a CDK runtime; allowed: 'cdktf', "
                                              "'terrain'")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "stacks").exists()
    assert not list(Path(tmp_path).glob(".out.*"))  # no scratch folder left behind
