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
