"""The house stays readable as it grows (issue 21 part 4): no Python or shell file of the project is longer than 300
lines unless a line near its top says why, starting `Longer than 300 lines:` (in the module docstring or a comment
among its first 10 lines). Data files (JSON, YAML, locks, golden files) and Markdown are exempt. The convention is
documented in docs/checks-and-tests.md."""

from __future__ import annotations

import re

from tests.conftest import ROOT
from tests.core.markdown_links import project_files

LIMIT = 300
CHECKED = (".py", ".sh")
HEAD = 10
# The marker, then a reason of at least three words.
REASON = re.compile(r"^[\s#\"']*Longer than 300 lines: *(\S+(?: +\S+){2,})")


def oversized(files: dict[str, str]) -> list[str]:
    """One message per file (name -> text) over the limit whose first lines give no reason."""
    problems = []
    for name, text in sorted(files.items()):
        lines = text.splitlines()
        if not name.endswith(CHECKED) or len(lines) <= LIMIT:
            continue
        if not any(REASON.match(line) for line in lines[:HEAD]):
            problems.append(f"{name}: {len(lines)} lines; split it by concern, or say why in its first {HEAD} lines "
                            f"with a line starting 'Longer than {LIMIT} lines: <the reason>'")
    return problems


def test_no_project_file_is_over_300_lines_without_a_reason():
    files = {name: (ROOT / name).read_text() for name in project_files(ROOT) if name.endswith(CHECKED)}
    assert {"main.py", "hyperpod/stack.py", "scripts/bootstrap.sh", "tests/core/test_file_sizes.py"} <= set(files)
    assert oversized(files) == []


def test_a_long_file_without_a_reason_is_reported():
    long = "x = 1\n" * (LIMIT + 1)
    assert oversized({"hyperpod/big.py": long, "scripts/big.sh": "#!/bin/sh\n" + long}) == [
        f"hyperpod/big.py: {LIMIT + 1} lines; split it by concern, or say why in its first {HEAD} lines with a line "
        f"starting 'Longer than {LIMIT} lines: <the reason>'",
        f"scripts/big.sh: {LIMIT + 2} lines; split it by concern, or say why in its first {HEAD} lines with a line "
        f"starting 'Longer than {LIMIT} lines: <the reason>'"]


def test_a_reason_at_the_top_lets_a_long_file_pass():
    body = "x = 1\n" * LIMIT
    docstring = '"""Tables.\n\nLonger than 300 lines: one table of every instance type, split it and it reads worse."""\n'
    comment = "#!/usr/bin/env bash\n# Longer than 300 lines: one installer, read top to bottom.\n"
    assert oversized({"hyperpod/table.py": docstring + body, "scripts/install.sh": comment + body}) == []


def test_the_limit_is_300_lines_and_a_reason_must_say_something():
    assert oversized({"a.py": "x = 1\n" * LIMIT}) == []
    empty_reason = "# Longer than 300 lines:\n" + "x = 1\n" * LIMIT
    buried_reason = "x = 1\n" * HEAD + "# Longer than 300 lines: it is a long module anyway\n" + "x = 1\n" * LIMIT
    assert [problem.split(":")[0] for problem in oversized({"a.py": empty_reason, "b.py": buried_reason})] == [
        "a.py", "b.py"]


def test_data_and_documents_are_exempt():
    assert oversized({"tests/core/golden/x.cdk.tf.json": "{}\n" * 1000, "uv.lock": "x\n" * 1000,
                      "docs/configuration.md": "|\n" * 1000, "charts/c/values.yaml": "a: 1\n" * 1000}) == []
