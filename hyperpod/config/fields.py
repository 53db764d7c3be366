"""Field types and patterns the config areas share, and the token check for values from other stacks."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from hyperpod.config.errors import value_repr

# Values from other stacks arrive as unresolved CDKTF tokens ("${TfToken[TOKEN.12]}"): checks skip them.
_TOKEN = re.compile(r"\$\{TfToken\[|\$\{|#\{")

# AWS CreateCluster: ClusterName and InstanceGroupName share this pattern, 1-63 characters.
NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")
SUBNET = re.compile(r"^subnet-[0-9a-f]{8,17}$")
SECURITY_GROUP = re.compile(r"^sg-[0-9a-f]{8,17}$")
BUCKET = re.compile(r"^sagemaker-[a-z0-9][a-z0-9.-]{0,51}[a-z0-9]$")
GIT_SHA = re.compile(r"^[0-9a-f]{40}$")


def is_token(value: object) -> bool:
    return isinstance(value, str) and bool(_TOKEN.search(value))


def matching(pattern: re.Pattern[str], allowed: str):
    def check(value: str) -> str:
        if not is_token(value) and not pattern.match(value):
            raise ValueError(f"got {value_repr(value)}; allowed: {allowed}")
        return value

    return AfterValidator(check)


ResourceName = Annotated[str, matching(NAME, "1-63 letters, digits and hyphens, starting and ending with a letter "
                                             "or digit (AWS pattern ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$)")]
SubnetId = Annotated[str, matching(SUBNET, "a subnet id like subnet-0123456789abcdef0")]
SecurityGroupId = Annotated[str, matching(SECURITY_GROUP, "a security group id like sg-0123456789abcdef0")]


class Strict(BaseModel):
    # strict: "4" is not 4 and "no" is not False; forbid: a typo'd key is an error, not silently ignored.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


# Amazon S3 User Guide, "General purpose bucket naming rules": 3-63 characters of lowercase letters, digits, dots
# and hyphens, starting and ending with a letter or digit, no two adjacent dots, not an IP address, and none of the
# prefixes and suffixes S3 reserves for its own names. One rule for every bucket the config names.
S3_BUCKET_CHARACTERS = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
S3_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
S3_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_IP_ADDRESS = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
S3_BUCKET_ALLOWED = ("an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with "
                     "a letter or digit, no '..', not an IP address, not starting with "
                     f"{'/'.join(S3_RESERVED_PREFIXES)} nor ending with {'/'.join(S3_RESERVED_SUFFIXES)}")


def s3_bucket_name_ok(value: str) -> bool:
    return (bool(S3_BUCKET_CHARACTERS.match(value)) and ".." not in value and not _IP_ADDRESS.match(value)
            and not value.startswith(S3_RESERVED_PREFIXES) and not value.endswith(S3_RESERVED_SUFFIXES))


def _s3_bucket_name(value: str) -> str:
    if not is_token(value) and not s3_bucket_name_ok(value):
        raise ValueError(f"got {value_repr(value)}; allowed: {S3_BUCKET_ALLOWED}")
    return value


S3BucketName = Annotated[str, AfterValidator(_s3_bucket_name)]
