"""The limits AWS and Kubernetes enforce (issue 12), checked before anything is synthesized: security groups and tags
per resource, tag rules, names and IDs without a trailing newline, EKS cluster and S3 bucket names, integers that
are not booleans or floats. (Hostile chart values and tokens: test_hostile_input.py; the config file itself:
test_config_file.py.)"""

from __future__ import annotations

import json

import pytest

from hyperpod.config import parse_config
from tests.conftest import minimal_config
from tests.core.test_config import assert_problem, errors_of, group


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
