"""Field types and patterns the config areas share. Every pattern is applied with `re.fullmatch`: `$` alone would
accept a trailing newline. Digits are written [0-9] in every pattern of the project: Python's digit class also
matches other scripts' digits ("١٢٣" as an account id or version), which AWS refuses and int() reads as numbers."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationInfo

from hyperpod.config.errors import value_repr
from hyperpod.config.tokens import is_token, tokens_allowed

# SageMaker CreateCluster: ClusterName and InstanceGroupName share this pattern, 1-63 characters.
NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
# EKS CreateCluster: name is 1-100 characters, pattern ^[0-9A-Za-z][A-Za-z0-9\-_]* (EKS API reference).
EKS_CLUSTER_NAME = re.compile(r"[0-9A-Za-z][A-Za-z0-9_-]{0,99}")
REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}")
SUBNET = re.compile(r"subnet-[0-9a-f]{8,17}")
SECURITY_GROUP = re.compile(r"sg-[0-9a-f]{8,17}")
GIT_SHA = re.compile(r"[0-9a-f]{40}")


def matching(pattern: re.Pattern[str], allowed: str, *, tokens: bool = True):
    """A string that fullmatches `pattern`; with `tokens`, a CDKTF token from a Python caller passes too."""

    def check(value: str, info: ValidationInfo) -> str:
        if is_token(value):
            if tokens and tokens_allowed(info.context):
                return value
            where = ("tokens from other stacks can only be passed from Python (HyperPodConfig(...)), never in a "
                     "config file") if tokens else "this value is used on the machine that plans, so it is a literal"
            raise ValueError(f"got {value_repr(value)}, a CDKTF token: {where}; allowed: {allowed}")
        if not pattern.fullmatch(value):
            raise ValueError(f"got {value_repr(value)}; allowed: {allowed}")
        return value

    return AfterValidator(check)


def choice_of_integers(*choices: int):
    """`Literal[choices]` that refuses `true` and `1.0` (a Literal alone compares by equality, and True == 1.0 == 1)."""

    def exact_integer(value: object) -> object:
        if type(value) is not int:
            raise ValueError(f"got {value_repr(value)}; allowed: {' or '.join(str(c) for c in choices)}")
        return value

    return Annotated[Literal[choices], BeforeValidator(exact_integer)]


# S3 general purpose bucket naming rules (S3 user guide, "General purpose bucket naming rules"), and HyperPod's own:
# the managed instance policy only reads arn:aws:s3:::sagemaker-* buckets.
_BUCKET_CHARACTERS = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP_ADDRESS = re.compile(r"[0-9]{1,3}(\.[0-9]{1,3}){3}")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
BUCKET_PREFIX = "sagemaker-"


def s3_bucket_rule_broken(name: str) -> str | None:
    """The first S3 bucket naming rule `name` breaks, or None."""
    if not _BUCKET_CHARACTERS.fullmatch(name):
        return "3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit"
    if ".." in name:
        return "no two adjacent dots"
    if _IP_ADDRESS.fullmatch(name):
        return "not formatted as an IP address"
    for prefix in _RESERVED_PREFIXES:
        if name.startswith(prefix):
            return f"not starting with {prefix} (reserved by S3)"
    for suffix in _RESERVED_SUFFIXES:
        if name.endswith(suffix):
            return f"not ending with {suffix} (reserved by S3)"
    return None


def bucket_name_rule_broken(name: str) -> str | None:
    """The first S3 or HyperPod bucket naming rule a lifecycle scripts bucket name breaks, or None."""
    broken = s3_bucket_rule_broken(name)
    if broken:
        return broken
    if not name.startswith(BUCKET_PREFIX) or len(name) == len(BUCKET_PREFIX):
        return f"starting with {BUCKET_PREFIX} (HyperPod's instance role can only read sagemaker-* buckets)"
    return None


def _bucket_name(value: str, info: ValidationInfo) -> str:
    if is_token(value) and tokens_allowed(info.context):
        return value
    broken = bucket_name_rule_broken(value)
    if broken:
        raise ValueError(f"got {value_repr(value)}; allowed: an S3 bucket name starting with {BUCKET_PREFIX} "
                         f"(12-63 characters), {broken}")
    return value


def _s3_bucket_name(value: str) -> str:
    # No token bypass: a Terraform backend is read before anything is evaluated, so it takes literals only.
    broken = s3_bucket_rule_broken(value)
    if broken:
        raise ValueError(f"got {value_repr(value)}; allowed: an S3 bucket name, {broken}")
    return value


LifecycleBucketName = Annotated[str, AfterValidator(_bucket_name)]
S3BucketName = Annotated[str, AfterValidator(_s3_bucket_name)]
ResourceName = Annotated[str, matching(NAME, "1-63 letters, digits and hyphens, starting and ending with a letter "
                                             "or digit (AWS pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62})")]
EksClusterName = Annotated[str, matching(EKS_CLUSTER_NAME, "an EKS cluster name: 1-100 letters, digits, hyphens and "
                                                           "underscores, starting with a letter or digit")]
SubnetId = Annotated[str, matching(SUBNET, "a subnet id like subnet-0123456789abcdef0")]
SecurityGroupId = Annotated[str, matching(SECURITY_GROUP, "a security group id like sg-0123456789abcdef0")]


class Strict(BaseModel):
    # strict: "4" is not 4 and "no" is not False; forbid: a typo'd key is an error, not silently ignored.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


# EKS add-on versions look like v1.2.0-eksbuild.1 (EKS API, DescribeAddonVersions); every pinned add-on takes one.
ADDON_VERSION = re.compile(r"^v[0-9]+\.[0-9]+\.[0-9]+-eksbuild\.[0-9]+$")
AddonVersion = Annotated[str, matching(ADDON_VERSION, "an EKS add-on version such as v1.2.0-eksbuild.1 (see aws eks "
                                                      "describe-addon-versions)")]
