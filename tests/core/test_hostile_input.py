"""Hostile input (issue 12): the chart source is held to its shape, only real CDKTF tokens from Python skip a rule, and
literal text reaches Terraform verbatim. (The limits AWS and Kubernetes enforce: test_aws_limits.py; the config file
as main.py reads it: test_config_file.py.)"""

from __future__ import annotations

import pytest

from hyperpod.config import ConfigError, HyperPodConfig, is_token, parse_config
from hyperpod.config.tokens import terraform_literal
from tests.conftest import minimal_config
from tests.core.test_config import assert_problem, group

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


# --- 3. values of an existing file system reach Terraform and the PersistentVolume ------------------------------

@pytest.mark.parametrize("key,value", [
    ("dns_name", '${file("/etc/hostname")}'),
    ("dns_name", "fs-0123456789abcdef0.fsx.us-west-2.amazonaws.com\n"),
    ("mount_name", "%{if true}x%{endif}"),
    ("mount_name", "abc def"),
])
def test_existing_file_system_values_are_held_to_their_shape(key, value):
    fsx = {"enabled": True, "file_system_id": "fs-0123456789abcdef0",
           "dns_name": "fs-0123456789abcdef0.fsx.us-west-2.amazonaws.com", "mount_name": "abcdefgh", key: value}
    with pytest.raises(ConfigError) as error:
        parse_config(minimal_config(hyperpod_fsx_lustre=fsx))
    assert any(p.path == f"hyperpod_fsx_lustre.{key}" for p in error.value.problems), error.value.problems


def test_existing_file_system_values_that_aws_gives_pass():
    fsx = {"enabled": True, "file_system_id": "fs-0123456789abcdef0",
           "dns_name": "fs-0123456789abcdef0.fsx.us-west-2.amazonaws.com", "mount_name": "abcdefgh"}
    config, _ = parse_config(minimal_config(hyperpod_fsx_lustre=fsx))
    assert config.hyperpod_fsx_lustre.mount_name == "abcdefgh"
