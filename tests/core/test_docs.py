"""The documentation holds together: every relative link in every Markdown file resolves (file, folder and #anchor,
as GitHub renders them), the configuration reference is the one the config model generates, and the README is a
front door that leads to every guide in docs/ (issue 21 part 3)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from hyperpod.config import reference
from tests.conftest import ROOT, EXAMPLES
from tests.core.markdown_links import anchors, broken_links, links, project_files, slug

FILES = project_files(ROOT)
MARKDOWN = sorted(name for name in FILES if name.endswith(".md"))
CONFIGURATION = ROOT / "docs" / "configuration.md"


def test_every_relative_link_in_every_markdown_file_resolves():
    assert {"README.md", "docs/configuration.md", "charts/README.md", "gates/README.md",
            "lifecycle_scripts/README.md", "examples/hyperpod/README.md"} <= set(MARKDOWN)
    problems = [problem for name in MARKDOWN for problem in broken_links(ROOT, name, FILES)]
    assert problems == [], "\n".join(problems)


def test_the_readme_is_a_front_door_to_every_guide():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 300
    guides = {name for name in MARKDOWN if name.startswith("docs/")}
    linked = {destination.partition("#")[0] for _, destination in links(readme)}
    assert guides <= linked, f"README's 'Where to go next' lacks {sorted(guides - linked)}"


# The checker itself: each way a link breaks is reported, with where and why.

@pytest.fixture
def repository(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "charts" / "demo").mkdir(parents=True)
    (tmp_path / "charts" / "demo" / "Chart.yaml").write_text("name: demo\n")
    (tmp_path / "docs" / "guide.md").write_text("# Guide\n\n## Monitoring: `hyperpod-status`\n\n## Set-up\n\n## Set-up\n")
    return tmp_path


def check(repository, readme: str) -> list[str]:
    (repository / "README.md").write_text(readme)
    files = {path.relative_to(repository).as_posix() for path in repository.rglob("*") if path.is_file()}
    return broken_links(repository, "README.md", files)


def test_links_to_files_folders_and_headings_that_exist_pass(repository):
    readme = ("# Title\n\nSee [the guide](docs/guide.md), [its status part](docs/guide.md#monitoring-hyperpod-status),"
              " [the second set-up](docs/guide.md#set-up-1), [charts](charts/demo/) and [top](#title).\n"
              "[a link that wraps\nover a line](docs/guide.md#set-up), [web](https://example.com/x.md#nowhere),\n"
              "`[code](nowhere.md)` and\n```\n[fenced](nowhere.md)\n```\n")
    assert check(repository, readme) == []


def test_a_link_to_a_missing_file_is_reported(repository):
    assert check(repository, "# T\n\nRead [the guide](docs/gone.md).\n") == [
        "README.md:3: link docs/gone.md: no file or folder docs/gone.md in the repository"]


def test_a_link_to_a_missing_folder_is_reported(repository):
    assert check(repository, "# T\n\n[charts](charts/other/)\n") == [
        "README.md:3: link charts/other/: no file or folder charts/other in the repository"]


def test_a_link_to_a_missing_heading_is_reported(repository):
    assert check(repository, "# T\n\n[wait](docs/guide.md#monitoring)\n[here](#nothing)\n") == [
        "README.md:3: link docs/guide.md#monitoring: docs/guide.md has no heading whose anchor is #monitoring",
        "README.md:4: link #nothing: README.md has no heading whose anchor is #nothing"]


def test_a_link_out_of_the_repository_is_reported(repository):
    assert check(repository, "# T\n\n[up](../elsewhere.md)\n") == [
        "README.md:3: link ../elsewhere.md: points outside the repository"]


@pytest.mark.parametrize("heading, anchor", [
    ("Monitoring: `hyperpod-status`", "monitoring-hyperpod-status"),
    ("Capacity: labels, taints, spot, training plans", "capacity-labels-taints-spot-training-plans"),
    ("Use the construct in your own CDKTF app", "use-the-construct-in-your-own-cdktf-app"),
    ("The `ml.` prefix & hyperpod_helm_chart", "the-ml-prefix--hyperpod_helm_chart"),
    ("See [the guide](docs/guide.md)", "see-the-guide"),
])
def test_anchors_follow_githubs_slugs(heading, anchor):
    assert slug(heading) == anchor
    assert anchor in anchors(f"# {heading}\n")


def test_repeated_headings_are_numbered_and_setext_and_html_anchors_count():
    assert anchors("# A\n\n## A\n\nB\n---\n\n<a name=\"kept\"></a>\n\n```\n# not a heading\n```\n") == {
        "a", "a-1", "b", "kept"}


# The configuration reference in docs/configuration.md is generated from the model (`make docs`).

def test_the_configuration_reference_is_current():
    assert reference.stale(CONFIGURATION.read_text(), "docs/configuration.md") is None


def test_a_stale_configuration_reference_is_reported():
    text = CONFIGURATION.read_text()
    row = "| `hyperpod_instance_groups[].ebs_volume_gb` | number | `500` |"
    assert row in text
    stale = text.replace(row, row.replace("`500`", "`400`"))
    line = stale[:stale.index(row.replace("`500`", "`400`"))].count("\n") + 1
    message = reference.stale(stale, "docs/configuration.md")
    assert message.startswith(f"docs/configuration.md:{line}: the configuration reference is stale (it says "
                              "'| `hyperpod_instance_groups[].ebs_volume_gb` | number | `400` |")
    assert message.endswith("run `make docs`")
    shortened = text.replace("| `ml.t3` |", "| `ml.t3` |\n| `ml.x9` | CPU only | large | no |")
    assert "stale" in reference.stale(shortened, "docs/configuration.md")


def test_the_reference_command_checks_and_rewrites_a_file(tmp_path):
    doc = tmp_path / "configuration.md"
    doc.write_text(f"# Configuration\n\nIntro.\n\n{reference.BEGIN}\nold\n{reference.END}\n\nOutputs:\n")
    command = [sys.executable, "-m", "hyperpod.config.reference"]
    checked = subprocess.run([*command, "--check", str(doc)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert checked.returncode == 1 and f"{doc}:6: the configuration reference is stale" in checked.stderr
    assert subprocess.run([*command, str(doc)], cwd=ROOT, timeout=120).returncode == 0
    assert doc.read_text() == f"# Configuration\n\nIntro.\n\n{reference.markdown()}\n\nOutputs:\n"
    assert subprocess.run([*command, "--check", str(doc)], cwd=ROOT, timeout=120).returncode == 0
    (tmp_path / "plain.md").write_text("# No markers\n")
    refused = subprocess.run([*command, str(tmp_path / "plain.md")], cwd=ROOT, capture_output=True, text=True,
                             timeout=120)
    assert refused.returncode == 2 and refused.stderr.startswith(f"error: {tmp_path / 'plain.md'}: no generated")
    assert (tmp_path / "plain.md").read_text() == "# No markers\n"


def test_every_key_is_documented():
    documented = set(re.findall(r"^\| `([^`]+)` \|", CONFIGURATION.read_text(), flags=re.M))
    keys = reference.documented_keys()
    assert "hyperpod_instance_groups[].instance_type" in keys and "hyperpod_helm_chart.git_revision" in keys
    assert keys <= documented, keys - documented


def test_outputs_table_matches_the_stack(synth_json):
    text = CONFIGURATION.read_text()
    outputs = set(synth_json(EXAMPLES / "terraform.tfvars.json")["output"])
    table = text[text.index("\nOutputs:"):]
    assert set(re.findall(r"^\| `([^`]+)` \|", table, flags=re.M)) == outputs
