"""The config file as `python main.py` reads it (issue 12): duplicate keys, a byte order mark, HCL instead of JSON,
text that is not UTF-8, absurd nesting or numbers: one line, exit code 2, nothing written."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, minimal_config


def run_main(tmp_path, content: bytes, *args: str) -> subprocess.CompletedProcess:
    config = tmp_path / "config.json"
    config.write_bytes(content)
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--config", str(config),
                           "--out", str(tmp_path / "out"), *args],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)


def assert_one_line_usage_error(result: subprocess.CompletedProcess, tmp_path, *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert result.stdout == ""
    assert not (tmp_path / "out").exists()


MINIMAL = json.dumps(minimal_config())


def test_duplicate_keys_name_their_paths(tmp_path):
    text = MINIMAL[:-1] + ', "hyperpod_cluster_name": "other", "tags": {"team": "a", "team": "b"}}'
    result = run_main(tmp_path, text.encode())
    assert_one_line_usage_error(result, tmp_path, "repeats key(s) hyperpod_cluster_name, tags.team")


def test_duplicate_keys_inside_a_group_name_the_group(tmp_path):
    text = MINIMAL.replace('"instance_count": 2', '"instance_count": 2, "instance_count": 200')
    result = run_main(tmp_path, text.encode())
    assert_one_line_usage_error(result, tmp_path, "hyperpod_instance_groups[0].instance_count")


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    result = run_main(tmp_path, b"\xef\xbb\xbf" + MINIMAL.encode(), "--check")
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout


def test_hcl_tfvars_is_recognised_with_how_to_convert(tmp_path):
    hcl = b'eks_cluster_name = "ml-platform"\nhyperpod_enabled = true\n'
    assert_one_line_usage_error(run_main(tmp_path, hcl), tmp_path, "looks like HCL (terraform.tfvars), not JSON",
                                '{"name": "value"}', "*.tfvars.json")
    commented = b'# HyperPod\n\nregion = "us-west-2"\n'
    assert_one_line_usage_error(run_main(tmp_path, commented), tmp_path, "looks like HCL")


def test_invalid_json_that_is_not_hcl_keeps_the_json_message(tmp_path):
    assert_one_line_usage_error(run_main(tmp_path, b'{"region": }'), tmp_path, "is not valid JSON")


@pytest.mark.parametrize("content,fragment", [
    (b'{"eks_cluster_name": "ml-\xff"}', "is not UTF-8 text (byte 25 is 0xff)"),
    (b"\xff\xfe{\x00}\x00", "is not UTF-8 text"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"eks_cluster_name": "ml", "tags": {"a": ' + b"1" * 5000 + b"}}", "a number of more than 4300 digits"),
], ids=["latin-1", "utf-16", "deep-nesting", "huge-integer"])
def test_unreadable_config_files_are_one_line_and_exit_2(tmp_path, content, fragment):
    assert_one_line_usage_error(run_main(tmp_path, content), tmp_path, fragment)


def test_deep_nesting_python_can_parse_is_still_a_config_error(tmp_path):
    # Shallow enough for the JSON parser, far deeper than any configuration: a problem report, not a traceback.
    content = b'{"eks_cluster_name": "ml", "tags": {"a": ' + b"[" * 900 + b"]" * 900 + b"}}"
    result = run_main(tmp_path, content)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "tags.a" in result.stderr and not (tmp_path / "out").exists()
