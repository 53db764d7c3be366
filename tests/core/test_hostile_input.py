"""Hostile and careless input (issue 12): the chart source is held to its shape, only real CDKTF tokens from Python
skip a rule, literal text reaches Terraform verbatim, and the limits AWS and Kubernetes enforce are checked before
anything is synthesized."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from hyperpod.config import HyperPodConfig, is_token, parse_config
from hyperpod.config.tokens import terraform_literal
from tests.conftest import ROOT, minimal_config
from tests.core.test_config import assert_problem, errors_of, group

STRING_TOKEN, LIST_TOKEN = "${TfToken[TOKEN.12]}", "#{TfToken[TOKEN.13]}"


def chart(**fields) -> dict:
    return minimal_config(hyperpod_helm_chart=fields)


# --- 1. the chart source: every value reaches git or helm on the machine that plans ------------------------------

HOSTILE_CHART = [
    ("git_repository", "--upload-pack=touch /tmp/x", "an https:// URL"),
    ("git_repository", "ext::sh -c touch% /tmp/x", "an https:// URL"),
    ("git_repository", "file:///etc", "an https:// URL"),
    ("git_repository", "/srv/git/chart.git", "an https:// URL"),
    ("git_repository", "http://github.com/aws/sagemaker-hyperpod-cli.git", "an https:// URL"),
    ("git_repository", "git://github.com/aws/sagemaker-hyperpod-cli.git", "an https:// URL"),
    ("git_repository", "ssh://-oProxyCommand=touch%20x/repo", "an ssh remote"),
    ("git_repository", "-oProxyCommand=x@host:repo", "an ssh remote"),
    ("git_repository", "https://github.com/aws/repo.git\n", "an https:// URL"),
    ("git_repository", "https://github.com/aws/my repo.git", "an https:// URL"),
    ("git_repository", "https://github.com/${file(\"/etc/hostname\")}", "an https:// URL"),
    ("chart_path", "../../../etc", "no .. segment"),
    ("chart_path", "helm_chart/../../x", "no .. segment"),
    ("chart_path", "/etc/passwd", "not absolute"),
    ("chart_path", "--help", "not starting with -"),
    ("chart_path", "chart\",\"chart_path\":\"/x", "letters, digits"),
    ("chart_path", "helm_chart/X\n", "a relative folder"),
    ("local_path", "--set=x", "not starting with -"),
    ("local_path", "charts/\nhyperpod", "without control characters"),
    ("local_path", "charts/\x1b[2Jhyperpod", "without control characters"),
    ("repository", "http://charts.example.com", "an https:// or oci://"),
    ("repository", "file:///srv/charts", "an https:// or oci://"),
    ("repository", "--repo=x", "an https:// or oci://"),
    ("version", "latest", "semantic version"),
    ("version", "1.2", "semantic version"),
    ("version", "0.1.0\n", "semantic version"),
    ("version", "--devel", "semantic version"),
    ("release_name", "Hyperpod", "a Helm release name"),
    ("release_name", "a" * 54, "1-53"),
    ("release_name", "-x", "a Helm release name"),
    ("release_name", "hyperpod-dependencies\n", "a Helm release name"),
    ("namespace", "kube_system", "a Kubernetes namespace name"),
    ("namespace", "a" * 64, "1-63"),
    ("namespace", "kube-system\n", "a Kubernetes namespace name"),
    ("git_revision", "a" * 40 + "\n", "40-character commit SHA"),
]


@pytest.mark.parametrize("field,value,fragment", HOSTILE_CHART,
                         ids=[f"{f}={v[:30]!r}" for f, v, _ in HOSTILE_CHART])
def test_hostile_chart_value_is_refused_with_its_field(field, value, fragment):
    raw = chart(**{field: value}, **({"version": "0.1.0"} if field == "repository" else {}),
                **({"repository": "oci://registry.example/charts"} if field == "version" else {}))
    assert_problem(raw, f"hyperpod_helm_chart.{field}", "got ", fragment)


@pytest.mark.parametrize("fields", [
    {"git_repository": "https://github.com/aws/sagemaker-hyperpod-cli.git"},
    {"git_repository": "https://git.example.com:8443/mirrors/sagemaker-hyperpod-cli"},
    {"git_repository": "ssh://git@git.example.com/mirrors/sagemaker-hyperpod-cli.git"},
    {"git_repository": "git@github.com:aws/sagemaker-hyperpod-cli.git"},
    {"chart_path": "helm_chart/HyperPodHelmChart"},
    {"chart_path": "charts/hyper_pod-1.0"},
    {"local_path": "/srv/charts/hyperpod"},
    {"local_path": "./charts/HyperPod Chart ${old}%{x}"},
    {"repository": "https://charts.example.com/hyperpod", "version": "0.1.0"},
    {"repository": "oci://123456789012.dkr.ecr.us-west-2.amazonaws.com/charts", "version": "1.2.3-rc.1+build.5"},
    {"release_name": "a" * 53, "namespace": "a" * 63},
], ids=lambda fields: ",".join(f"{k}={v[:40]}" for k, v in fields.items()))
def test_chart_values_of_the_expected_shape_pass(fields):
    parse_config(chart(**fields))


def test_chart_fields_take_no_token_even_from_python():
    # These values run git and helm at plan time: nothing from another stack may stand in for them.
    with pytest.raises(ValueError, match="(?s)hyperpod_helm_chart.git_repository.*CDKTF token.*a literal"):
        HyperPodConfig(**chart(git_repository=STRING_TOKEN))


# --- 2. tokens and template injection ----------------------------------------------------------------------------

@pytest.mark.parametrize("value", [STRING_TOKEN, LIST_TOKEN, "&{TfToken[TOKEN.7]}"])
def test_a_real_cdktf_token_is_a_token(value):
    assert is_token(value)


@pytest.mark.parametrize("value", ["bad name #{x}", "${file(\"/etc/hostname\")}", "%{if true}x%{endif}",
                                   "${TfToken[TOKEN.1]}x", "x${TfToken[TOKEN.1]}", "${TfToken[TOKEN.1]}\n",
                                   "${TfToken[TOKEN 1]}", "${var.x}", "#{x}", 12])
def test_text_that_merely_looks_like_a_token_is_not_one(value):
    assert not is_token(value)


TEMPLATES = ["bad name #{x}", "${file(\"/etc/hostname\")}", "%{if true}x%{endif}", "a${b}"]


@pytest.mark.parametrize("template", TEMPLATES)
def test_templates_in_names_are_refused(template):
    assert_problem(minimal_config(hyperpod_cluster_name=template), "hyperpod_cluster_name", "got ")
    assert_problem(minimal_config(eks_cluster_name=template), "eks_cluster_name", "got ")
    assert_problem(minimal_config(hyperpod_instance_groups=[group(name=template)]),
                   "hyperpod_instance_groups[0].name", "got ")
    assert_problem(minimal_config(hyperpod_subnet_ids=[template]), "hyperpod_subnet_ids[0]", "got ")


@pytest.mark.parametrize("template", TEMPLATES)
def test_templates_in_tags_are_refused(template):
    assert_problem(minimal_config(tags={"team": template}), "tags.team", "letters, digits, spaces")
    assert_problem(minimal_config(tags={template: "x"}), f"tags.{template}", "letters, digits, spaces")


def test_a_token_typed_into_a_config_file_is_refused():
    for raw, path in [(minimal_config(hyperpod_subnet_ids=[STRING_TOKEN]), "hyperpod_subnet_ids[0]"),
                      (minimal_config(hyperpod_cluster_name=STRING_TOKEN), "hyperpod_cluster_name"),
                      (minimal_config(eks_cluster_name=STRING_TOKEN), "eks_cluster_name"),
                      (minimal_config(region=STRING_TOKEN), "region")]:
        assert_problem(raw, path, "a CDKTF token", "never in a config file")
    assert_problem(minimal_config(lifecycle_scripts_bucket_name=STRING_TOKEN), "lifecycle_scripts_bucket_name",
                   "an S3 bucket name")
    assert_problem(minimal_config(tags={"team": STRING_TOKEN}), "tags.team", "letters, digits, spaces")


def test_python_callers_may_pass_real_tokens_from_other_stacks():
    config = HyperPodConfig(**minimal_config(
        eks_cluster_name=STRING_TOKEN, hyperpod_subnet_ids=[LIST_TOKEN],
        hyperpod_security_group_ids=[STRING_TOKEN], lifecycle_scripts_bucket_name=STRING_TOKEN,
        tags={"team": STRING_TOKEN}))
    assert config.hyperpod_subnet_ids == [LIST_TOKEN] and config.tags == {"team": STRING_TOKEN}


def test_python_callers_get_no_bypass_for_text_around_a_token():
    with pytest.raises(ValueError, match="hyperpod_cluster_name"):
        HyperPodConfig(**minimal_config(hyperpod_cluster_name="bad name #{x}"))
    with pytest.raises(ValueError, match="hyperpod_cluster_name"):
        HyperPodConfig(**minimal_config(hyperpod_cluster_name=f"x {STRING_TOKEN}"))
    with pytest.raises(ValueError, match="tags.team"):
        HyperPodConfig(**minimal_config(tags={"team": "${file(\"/etc/hostname\")}"}))


def test_terraform_literal_escapes_both_template_introductions_once():
    assert terraform_literal("a ${b} %{c} $${d} %%{e} $x %y {z}") == "a $${b} %%{c} $$${d} %%%{e} $x %y {z}"


def test_local_chart_path_reaches_terraform_escaped(synth_json):
    path = "./charts/${file(\"/etc/hostname\")}/%{if true}x%{endif}"
    stack = synth_json(chart(local_path=path))
    (release,) = stack["resource"]["helm_release"].values()
    assert release["chart"] == terraform_literal(path)
    assert "data" not in stack or "external" not in stack["data"]


# --- 3. limits AWS and Kubernetes enforce ------------------------------------------------------------------------

def test_security_groups_count_the_created_and_the_eks_cluster_group():
    three = [f"sg-0123456789abcdef{i}" for i in range(3)]
    parse_config(minimal_config(hyperpod_security_group_ids=three))  # 3 + created + EKS = 5
    parse_config(minimal_config(hyperpod_security_group_ids=[*three, "sg-0123456789abcdeff"],
                                hyperpod_create_security_group=False))  # 4 + EKS = 5
    assert_problem(minimal_config(hyperpod_security_group_ids=[*three, "sg-0123456789abcdeff"]),
                   "hyperpod_security_group_ids", "got 4 security groups", "would carry 6", "at most 5 in all",
                   "at most 3 here")


def test_security_group_count_is_checked_next_to_other_field_errors():
    four = [f"sg-0123456789abcde{i}0" for i in range(4)]
    messages = errors_of(minimal_config(region="nowhere", hyperpod_security_group_ids=four))
    assert any(m.startswith("error: region:") for m in messages)
    assert any("would carry 6" in m for m in messages)


def many_tags(count: int) -> dict:
    return {f"tag{i}": "x" for i in range(count)}


def test_at_most_50_tags_per_resource_counting_the_stacks_own():
    parse_config(minimal_config(tags=many_tags(48)))  # + managed-by + Name = 50
    parse_config(minimal_config(tags={**many_tags(47), "Name": "mine", "managed-by": "me"}))  # same keys
    assert_problem(minimal_config(tags=many_tags(49)), "tags", "got 49 tags", "(Name, managed-by)",
                   "would carry 51", "at most 50")
    parse_config(minimal_config(tags=many_tags(49), hyperpod_create_security_group=False))


@pytest.mark.parametrize("tags,path,fragments", [
    ({"k" * 129: "v"}, "tags." + "k" * 129, ["129 characters", "1-128"]),
    ({"": "v"}, "tags.", ["0 characters", "1-128"]),
    ({"team": "v" * 257}, "tags.team", ["257 characters", "0-256"]),
    ({"aws:team": "v"}, "tags.aws:team", ["not starting with aws:"]),
    ({"AWS:team": "v"}, "tags.AWS:team", ["not starting with aws:"]),
    ({"Aws:Team": "v"}, "tags.Aws:Team", ["not starting with aws:"]),
    ({"team": "a;b"}, "tags.team", ['contains ";"', "letters, digits, spaces and _ . : / = + - @"]),
    ({"team": "line\nbreak"}, "tags.team", ['contains "\\n"']),
    ({"team": "a\tb"}, "tags.team", ['contains "\\t"']),
    ({"cost*center": "v"}, "tags.cost*center", ['contains "*"']),
], ids=["key-129", "empty-key", "value-257", "aws-prefix", "AWS-prefix", "Aws-prefix", "semicolon", "newline",
        "tab", "star-in-key"])
def test_tag_rules(tags, path, fragments):
    assert_problem(minimal_config(tags=tags), path, *fragments)


def test_tags_within_the_rules_pass():
    parse_config(minimal_config(tags={"k" * 128: "v" * 256, "team": "", "Équipe ML": "données/été: a+b=c @x_y.z-1",
                                      "awsome": "aws:value is fine", "名前": "値 ２"}))


@pytest.mark.parametrize("field,good", [
    ("hyperpod_cluster_name", "test-cluster"), ("eks_cluster_name", "ml-platform"), ("region", "us-west-2"),
    ("lifecycle_scripts_bucket_name", "sagemaker-my-lifecycle"),
])
def test_a_trailing_newline_is_not_part_of_a_valid_name(field, good):
    parse_config(minimal_config(**{field: good}))
    assert_problem(minimal_config(**{field: good + "\n"}), field, "got ")


@pytest.mark.parametrize("field,good", [("hyperpod_subnet_ids", "subnet-0123456789abcdef0"),
                                        ("hyperpod_security_group_ids", "sg-0123456789abcdef0")])
def test_a_trailing_newline_is_not_part_of_a_valid_id(field, good):
    parse_config(minimal_config(**{field: [good]}))
    assert_problem(minimal_config(**{field: [good + "\n"]}), f"{field}[0]", "got ")


def test_group_name_with_trailing_newline_is_refused():
    assert_problem(minimal_config(hyperpod_instance_groups=[group(name="gpu\n")]), "hyperpod_instance_groups[0].name",
                   "got ")


@pytest.mark.parametrize("name", ["ml-platform", "ML_Platform_2", "a", "9" + "x" * 99])
def test_eks_cluster_names_aws_accepts(name):
    parse_config(minimal_config(eks_cluster_name=name))


@pytest.mark.parametrize("name", ["-ml", "_ml", "ml platform", "ml.platform", "x" * 101, ""])
def test_eks_cluster_names_aws_refuses(name):
    assert_problem(minimal_config(eks_cluster_name=name), "eks_cluster_name", "an EKS cluster name", "1-100")


@pytest.mark.parametrize("bucket,rule", [
    ("sagemaker-a..b", "no two adjacent dots"),
    ("sagemaker-scripts-s3alias", "not ending with -s3alias"),
    ("sagemaker-scripts--ol-s3", "not ending with --ol-s3"),
    ("sagemaker-scripts.mrap", "not ending with .mrap"),
    ("sagemaker-scripts--x-s3", "not ending with --x-s3"),
    ("sagemaker-scripts--table-s3", "not ending with --table-s3"),
    ("sagemaker-Scripts", "lowercase"),
    ("sagemaker-scripts-", "starting and ending with a letter or digit"),
    ("sagemaker-" + "a" * 54, "3-63"),
    ("xn--sagemaker-scripts", "not starting with xn--"),
    ("sthree-sagemaker", "not starting with sthree-"),
    ("amzn-s3-demo-sagemaker", "not starting with amzn-s3-demo-"),
    ("192.168.5.4", "not formatted as an IP address"),
    ("my-lifecycle-scripts", "starting with sagemaker-"),
])
def test_s3_bucket_naming_rules(bucket, rule):
    assert_problem(minimal_config(lifecycle_scripts_bucket_name=bucket), "lifecycle_scripts_bucket_name",
                   f'got "{bucket}"', rule)


@pytest.mark.parametrize("bucket", ["sagemaker-my-lifecycle", "sagemaker-a.b-c", "sagemaker-" + "a" * 53,
                                    "sagemaker-s3alias-x"])
def test_s3_bucket_names_within_the_rules(bucket):
    parse_config(minimal_config(lifecycle_scripts_bucket_name=bucket))


@pytest.mark.parametrize("field,value", [("threads_per_core", True), ("threads_per_core", 1.0),
                                         ("threads_per_core", False), ("instance_count", True),
                                         ("ebs_volume_gb", True), ("instance_count", 2.0)])
def test_a_boolean_or_a_float_is_not_an_integer(field, value):
    assert_problem(minimal_config(hyperpod_instance_groups=[group(**{field: value})]),
                   f"hyperpod_instance_groups[0].{field}", f"got {json.dumps(value)}")


def test_threads_per_core_still_takes_1_and_2():
    for threads in (1, 2):
        config, _ = parse_config(minimal_config(hyperpod_instance_groups=[group(threads_per_core=threads)]))
        assert config.hyperpod_instance_groups[0].threads_per_core == threads
    assert_problem(minimal_config(hyperpod_instance_groups=[group(threads_per_core=True)]),
                   "hyperpod_instance_groups[0].threads_per_core", "got true; allowed: 1 or 2")


# --- 3. the config file, read by `python main.py` as a process ---------------------------------------------------

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
