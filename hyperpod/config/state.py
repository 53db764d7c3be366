"""Where Terraform keeps a stack's state (config key `state`), and the stack's name (`stack_name`).

`local` (the default) keeps today's file beside the stack; `s3` is the team setup: one object per stack in a
versioned bucket, locked with Terraform's native S3 lock file (`use_lockfile`, Terraform 1.11+; DynamoDB locking
is deprecated and not offered). One flat model with the S3 keys optional, plus rules on raw data, so every problem
is reported with a plain path such as `state.bucket` (a tagged union would put the tag into the path).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from hyperpod.config.errors import Problem, value_repr
from hyperpod.config.fields import REGION, S3BucketName, Strict, matching

BACKENDS = ("local", "s3")
S3_REQUIRED = ("bucket", "key", "region")
S3_ONLY = ("bucket", "key", "region", "kms_key_id", "role_arn")

# Terraform's S3 backend refuses a key that starts or ends with "/" or contains "//" (validateStringS3Path and
# validateStringDoesNotContain in internal/backend/remote-state/s3). An S3 object key is at most 1024 bytes (S3 User
# Guide, "Naming Amazon S3 objects"); the lock object is the key plus ".tflock", so the key keeps 7 bytes spare.
MAX_KEY_BYTES = 1024 - len(".tflock")
# S3 User Guide, "Naming Amazon S3 objects": the characters safe in every key. Nothing else: a backend is read
# before Terraform evaluates anything, and `${`/`%{` would be read as templates.
_SAFE_KEY = re.compile(r"[A-Za-z0-9!_.*'()/-]+")
# IAM User Guide, "IAM identifiers": role names are 1-64 of [A-Za-z0-9_+=,.@-], paths are /.../ of printable ASCII.
ROLE_ARN = re.compile(r"^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/([\x21-\x7e]*/)?[A-Za-z0-9_+=,.@-]{1,64}$")
# The S3 backend's kms_key_id is the ARN of a KMS key (or of an alias of one); key ids are UUIDs or, for multi-Region
# keys, "mrk-" and 32 hex digits (AWS KMS Developer Guide, "Key identifiers").
KMS_KEY_ARN = re.compile(r"^arn:aws(-[a-z]+)*:kms:[a-z0-9-]+:[0-9]{12}:"
                         r"(key/([0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}|mrk-[0-9a-f]{32})|alias/[A-Za-z0-9/_-]{1,250})$")
# Stack names become a directory (cdktf.out/stacks/<name>), a local state file name and the argument of
# `cdktf deploy <name>`: a letter, then letters, digits, hyphens and underscores.
STACK_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_-]{0,63}$")
DEFAULT_STACK_NAME = "hyperpod"


def key_problem(key: str) -> str | None:
    """Why Terraform or S3 would refuse `key` as a state object key, or None."""
    segments = key.split("/")
    if not key:
        return "must not be empty"
    if key.startswith("/") or key.endswith("/"):
        return "must not start or end with '/' (Terraform's S3 backend refuses it)"
    if not _SAFE_KEY.fullmatch(key):
        return "may hold only letters, digits, '/' and ! - _ . * ' ( ) (S3's safe key characters)"
    if "//" in key:
        return "must not contain '//' (Terraform's S3 backend refuses it)"
    if any(segment in (".", "..") for segment in segments):
        return "must not contain '.' or '..' segments (the state would land outside the intended prefix)"
    if len(key.encode()) > MAX_KEY_BYTES:
        return f"is {len(key.encode())} bytes; at most {MAX_KEY_BYTES} (S3's 1024-byte key limit less '.tflock')"
    return None


def _key(value: str) -> str:
    problem = key_problem(value)  # no token bypass: backends take literals only
    if problem:
        raise ValueError(f"got {value_repr(value)}; allowed: a relative object key such as "
                         f"hyperpod/prod/terraform.tfstate; the key {problem}")
    return value


StateKey = Annotated[str, AfterValidator(_key)]
StackName = Annotated[str, matching(STACK_NAME, "a letter, then up to 63 letters, digits, hyphens and underscores "
                                                "(it names the stack's directory and `cdktf deploy <name>`)",
                                    tokens=False)]


class StateConfig(Strict):
    """Where Terraform keeps this stack's state: a local file, or an S3 object locked with a lock file."""

    backend: Literal["local", "s3"] = Field(
        "local", description="`local`: `terraform.<stack_name>.tfstate` beside the stack JSON. `s3`: an S3 object "
                             "with Terraform's native lock file (`use_lockfile`, Terraform 1.11+).")
    bucket: S3BucketName | None = Field(None, description="s3: the state bucket (required).")
    key: StateKey | None = Field(None, description="s3: the state object's key, e.g. `hyperpod/prod/terraform.tfstate` "
                                                   "(required; one per stack). The lock object is `<key>.tflock`.")
    region: Annotated[str, matching(REGION, "an AWS region such as us-west-2", tokens=False)] | None = Field(
        None, description="s3: the bucket's region (required).")
    encrypt: bool = Field(True, description="s3: server-side encryption of the state object.")
    kms_key_id: Annotated[str, matching(KMS_KEY_ARN, "the ARN of a KMS key or alias, like arn:aws:kms:us-west-2:"
                                                     "123456789012:key/<uuid>", tokens=False)] | None = Field(
        None, description="s3: ARN of the KMS key (or alias) that encrypts the state. Default: S3-managed keys.")
    role_arn: Annotated[str, matching(ROLE_ARN, "an IAM role ARN like arn:aws:iam::123456789012:role/terraform-state",
                                                tokens=False)] | None = Field(
        None, description="s3: IAM role Terraform assumes to read and write the state. Default: your credentials.")


def state_problems(raw: object, path: str = "state") -> list[Problem]:
    """Rules that span the state keys; works on raw (possibly invalid) data so it runs next to field errors."""
    if not isinstance(raw, dict):
        return []
    backend = raw.get("backend", "local")
    problems: list[Problem] = []
    if backend == "s3":
        for key in S3_REQUIRED:
            if raw.get(key) is None:
                problems.append(Problem(f"{path}.{key}", "required when backend is \"s3\""))
        if raw.get("kms_key_id") is not None and raw.get("encrypt") is False:
            problems.append(Problem(f"{path}.kms_key_id", "got a KMS key with encrypt false; allowed: encrypt true "
                                                          "(the key is only used to encrypt) or no kms_key_id"))
    elif backend == "local":
        for key in S3_ONLY:
            if raw.get(key) is not None:
                problems.append(Problem(f"{path}.{key}", f"got {value_repr(raw[key])} with backend \"local\"; "
                                                         "allowed: only with backend \"s3\""))
    return problems


def local_state_file(stack_name: str) -> str:
    """The local backend's path for a stack (relative, so output does not depend on the checkout's location)."""
    return f"terraform.{stack_name}.tfstate"


def state_object(stack_name: str, state: StateConfig) -> tuple[str, ...]:
    """What identifies a stack's state: two stacks with the same object would overwrite each other's state."""
    if state.backend == "s3":
        return ("s3", state.bucket or "", state.key or "")
    return ("local", local_state_file(stack_name))
