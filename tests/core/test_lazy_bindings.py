"""jsii's Node process loads a provider's resource modules as the stack uses them (hyperpod/bindings/node.py and
lazy_provider_modules.js): the hook itself on fake provider packages in real Node, NODE_OPTIONS, and a real synthesis
whose Node is asked, as it exits, which aws modules it loaded."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hyperpod.bindings import node
from tests.conftest import EXAMPLES, ROOT, main_in_process

NODE = shutil.which("node")

# Node modules that record their loading, and a probe that prints what a program loaded.
RECORDING_MODULE = 'globalThis.loaded = (globalThis.loaded || []).concat([{name!r}]);\nexports.{cls} = class {cls} {{}};\n'
CDKTF_INDEX = 'Object.defineProperty(exports, "__esModule", {{ value: true }});\n' \
              'exports.{b} = exports.{a} = void 0;\n' \
              'exports.{a} = require("./{a_file}");\nexports.{b} = require("./{b_file}");\n'
CDKTN_INDEX = 'var __importStar = (this && this.__importStar) || function (mod) {{ return mod; }};\n' \
              'Object.defineProperty(exports, "__esModule", {{ value: true }});\n' \
              'exports.{b} = exports.{a} = void 0;\n' \
              'exports.{a} = __importStar(require("./{a_file}/index"));\n' \
              'exports.{b} = __importStar(require("./{b_file}/index"));\n'


def fake_provider(root: Path, scope: str, index_template: str, extra: str = "") -> Path:
    """node_modules/@<scope>/provider-fake with two resource modules (s3-bucket and iam-role); returns its index."""
    lib = root / "node_modules" / f"@{scope}" / "provider-fake" / "lib"
    nested = "/index" in index_template
    for file, cls in (("s3-bucket", "S3Bucket"), ("iam-role", "IamRole")):
        path = lib / file / "index.js" if nested else lib / f"{file}.js"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(RECORDING_MODULE.format(name=file, cls=cls))
    index = lib / "index.js"
    index.write_text(index_template.format(a="s3Bucket", a_file="s3-bucket", b="iamRole", b_file="iam-role") + extra)
    return index


def run_node(script: str, *, hook: bool = True) -> dict:
    assert NODE, "node is missing: jsii needs it, and `make install` checks for it"
    options = node.node_options(None) if hook else ""
    result = subprocess.run([NODE, "-e", script], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "NODE_OPTIONS": options})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def use_bucket(index: Path) -> str:
    """A program that does what jsii's kernel does: require the index by its path, then read one namespace."""
    return (f"const m = require({json.dumps(str(index))}); const before = [...(globalThis.loaded || [])];"
            "const Bucket = m.s3Bucket.S3Bucket;"
            f"const direct = require({json.dumps(str(index.parent))} + '/' + "
            "(require('fs').existsSync(" + json.dumps(str(index.parent / "s3-bucket.js")) + ") ? 's3-bucket' : "
            "'s3-bucket/index'));"
            "console.log(JSON.stringify({before, after: globalThis.loaded || [], keys: Object.keys(m),"
            " same: Bucket === direct.S3Bucket}));")


@pytest.mark.parametrize("scope,template", [("cdktf", CDKTF_INDEX), ("cdktn", CDKTN_INDEX)], ids=["cdktf", "cdktn"])
def test_the_hook_loads_a_resource_module_when_it_is_first_used(tmp_path, scope, template):
    index = fake_provider(tmp_path, scope, template)
    lazy = run_node(use_bucket(index))
    assert lazy == {"before": [], "after": ["s3-bucket"], "keys": ["s3Bucket", "iamRole"], "same": True}
    eager = run_node(use_bucket(index), hook=False)
    assert eager["before"] == ["s3-bucket", "iam-role"] and eager["same"]


@pytest.mark.parametrize("extra", [
    'exports.helper = function () { return 1; };\n',  # an export the generator does not write
    'const other = require("./iam-role");\n',  # a require outside the generated form
], ids=["other-export", "other-require"])
def test_an_index_the_generator_did_not_write_loads_as_node_loads_it(tmp_path, extra):
    index = fake_provider(tmp_path, "cdktf", CDKTF_INDEX, extra)
    assert run_node(use_bucket(index))["before"] == ["s3-bucket", "iam-role"]


def test_other_packages_are_not_touched(tmp_path):
    index = fake_provider(tmp_path, "cdktf", CDKTF_INDEX)
    other = tmp_path / "node_modules" / "@acme" / "provider-fake"
    shutil.copytree(index.parent.parent, other)
    assert run_node(use_bucket(other / "lib" / "index.js"))["before"] == ["s3-bucket", "iam-role"]


def test_node_options_keep_the_users_own_and_quote_the_path(tmp_path):
    awkward = tmp_path / 'a dir "with" quotes \\ and spaces'
    awkward.mkdir()
    hook = awkward / "hook.js"
    hook.write_text("process.stdout.write('hooked ' + JSON.stringify(process.execArgv) + '\\n');\n")
    options = node.node_options("--max-old-space-size=3000", hook)
    assert options.startswith("--max-old-space-size=3000 --require ")
    assert node.node_options(options, hook) == options  # not added twice
    result = subprocess.run([NODE, "-e", "console.log(require('v8').getHeapStatistics().heap_size_limit)"],
                            capture_output=True, text=True, timeout=60, env={**os.environ, "NODE_OPTIONS": options})
    assert result.returncode == 0, result.stderr
    hooked, limit = result.stdout.splitlines()
    assert hooked.startswith("hooked ")
    assert 3000 * 2**20 <= int(limit) < 3200 * 2**20  # the user's option still applies


def test_the_switch_and_the_environment_it_leaves(monkeypatch):
    monkeypatch.setattr(node, "node_process", lambda: None)
    environ = {"NODE_OPTIONS": "--no-warnings"}
    with node.lazy_provider_modules(environ) as applied:
        assert applied and environ["NODE_OPTIONS"] == node.node_options("--no-warnings")
    assert environ == {"NODE_OPTIONS": "--no-warnings"}
    environ = {}
    with node.lazy_provider_modules(environ) as applied:
        assert applied and "--require" in environ["NODE_OPTIONS"]
    assert environ == {}
    environ = {node.SWITCH_ENV: "0"}
    with node.lazy_provider_modules(environ) as applied:
        assert not applied and "NODE_OPTIONS" not in environ
    with pytest.raises(node.SwitchError, match=r"HYPERPOD_LAZY_BINDINGS='yes' is not allowed: use 1 .* or 0"):
        with node.lazy_provider_modules({node.SWITCH_ENV: "yes"}):
            pass
    monkeypatch.setattr(node, "HOOK", Path("/nonexistent/lazy_provider_modules.js"))  # a broken installation
    environ = {}
    with node.lazy_provider_modules(environ) as applied:
        assert not applied and environ == {}
    monkeypatch.undo()
    monkeypatch.setattr(node, "node_process", lambda: object())  # jsii's Node runs already: too late, no change
    environ = {}
    with node.lazy_provider_modules(environ) as applied:
        assert not applied and environ == {}


PROBE = """
const fs = require("fs");
process.on("exit", () => {
  const loaded = Object.keys(require("module")._cache).filter((key) => /[\\\\/]provider-aws[\\\\/]lib[\\\\/]/.test(key));
  if (loaded.length) fs.appendFileSync(process.env.PROBE_OUT, JSON.stringify(loaded) + "\\n");
});
"""


def synthesize_with_probe(tmp_path: Path, name: str, python: str, env: dict[str, str]) -> tuple[list[str], Path]:
    """`python main.py` on the quick start; the paths of the aws binding modules its jsii Node loaded."""
    probe = tmp_path / "probe.js"
    probe.write_text(PROBE)
    report, out = tmp_path / f"{name}.jsonl", tmp_path / name
    environ = {**os.environ, "PROBE_OUT": str(report), "NODE_OPTIONS": node.node_options(None, probe),
               "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", "PYTHONPATH": str(ROOT), **env}
    result = subprocess.run([python, str(ROOT / "main.py"), "--config", str(EXAMPLES / "terraform.tfvars.json"),
                             "--out", str(out)], capture_output=True, text=True, timeout=300, env=environ)
    assert result.returncode == 0, result.stderr
    return max((json.loads(line) for line in report.read_text().splitlines()), key=len), out


def module_names(loaded: list[str]) -> list[str]:
    """s3-bucket for .../lib/s3-bucket.js (CDKTF) and .../lib/s3-bucket/index.js (CDK Terrain); lib for the index."""
    return [Path(key).parent.name if key.endswith("index.js") else Path(key).stem for key in loaded]


def synthesized_files(out: Path) -> dict[str, bytes]:
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*"))
            if path.is_file() and path.name != ".hyperpod.lock"}


def test_a_synthesis_loads_only_the_aws_modules_it_uses_and_writes_the_same_files(tmp_path):
    loaded, lazy_out = synthesize_with_probe(tmp_path, "lazy", sys.executable, {})
    eager, eager_out = synthesize_with_probe(tmp_path, "eager", sys.executable, {node.SWITCH_ENV: "0"})
    assert all("/@cdktf/provider-aws/" in key for key in loaded + eager)
    lazy = module_names(loaded)
    assert {"s3-bucket", "iam-role", "provider"} <= set(lazy)
    assert len(lazy) < 40, sorted(lazy)  # the index, the provider, and the quick start's resource types
    assert len(eager) > 2000  # jsii's own way: every resource module of the binding
    assert synthesized_files(lazy_out) == synthesized_files(eager_out)


def test_a_bad_switch_value_is_exit_2_before_anything_is_written(tmp_path):
    out = tmp_path / "out"
    result = main_in_process("--config", str(EXAMPLES / "terraform.tfvars.json"), "--out", str(out),
                             env={node.SWITCH_ENV: "yes"})
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"error: {node.SWITCH_ENV}='yes' is not allowed: use 1 (load provider modules as used, the default) or 0 "
        "(load every module of each provider, as jsii does by default)")
    assert sorted(p.name for p in out.iterdir()) == [".hyperpod.lock"]  # the run's lock (docs/output-folder.md) only
