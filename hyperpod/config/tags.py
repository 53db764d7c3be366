"""Tags: the ones the stack adds itself, and the rules AWS enforces on every tagged resource."""

from __future__ import annotations

import unicodedata

from hyperpod.config.errors import Problem, value_repr
from hyperpod.config.tokens import is_token, tokens_allowed

# On every resource of the aws provider (its default_tags), next to the user's tags.
DEFAULT_TAGS = {"managed-by": "hyperpod-cdktf"}
# The instance security group also carries a Name tag (what the EC2 console shows).
SECURITY_GROUP_NAME_TAG = "Name"

# AWS tagging rules (Tagging AWS resources user guide, "Tag naming limits and requirements", and the Tag type of the
# EC2/IAM/S3/SageMaker APIs): at most 50 user tags per resource; key 1-128 and value 0-256 Unicode characters;
# letters, numbers and spaces representable in UTF-8 plus _ . : / = + - @ (API pattern ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$);
# the aws: prefix, in any case, is reserved for AWS.
MAX_TAGS_PER_RESOURCE = 50
MAX_KEY_LENGTH, MAX_VALUE_LENGTH = 128, 256
_SYMBOLS = set("_.:/=+-@")
ALLOWED = "letters, digits, spaces and _ . : / = + - @"


def _allowed_character(character: str) -> bool:
    # \p{L}, \p{N} and \p{Z} of the AWS pattern are these Unicode general categories.
    return character in _SYMBOLS or unicodedata.category(character)[0] in "LNZ"


def _text_problem(text: str, what: str, maximum: int, minimum: int) -> str | None:
    if not minimum <= len(text) <= maximum:
        return (f"got {value_repr(text)} ({len(text)} characters); allowed: a tag {what} of {minimum}-{maximum} "
                "characters")
    bad = sorted({c for c in text if not _allowed_character(c)})
    if bad:
        shown = " ".join(value_repr(c) for c in bad[:10])
        return f"got {value_repr(text)}, which contains {shown}; allowed in a tag {what}: {ALLOWED}"
    return None


def tag_problems(tags: object, *, security_group: bool, context: object = None, path: str = "tags") -> list[Problem]:
    """Problems of the user's `tags` (raw data: also runs next to other field errors). `security_group`: the stack
    creates the instance security group, which carries one more tag."""
    if not isinstance(tags, dict):
        return []
    problems: list[Problem] = []
    for key, value in tags.items():
        where = f"{path}.{key}"
        if not isinstance(key, str):
            continue
        if is_token(key) and tokens_allowed(context):
            pass
        elif key.lower().startswith("aws:"):
            problems.append(Problem(where, f"got the key {value_repr(key)}; allowed: a key not starting with aws: "
                                           "(in any case: AWS reserves that prefix)"))
        elif (message := _text_problem(key, "key", MAX_KEY_LENGTH, 1)) is not None:
            problems.append(Problem(where, message.replace("got ", "got the key ", 1)))
        if isinstance(value, str) and not (is_token(value) and tokens_allowed(context)):
            if (message := _text_problem(value, "value", MAX_VALUE_LENGTH, 0)) is not None:
                problems.append(Problem(where, message))
    # Every aws resource carries the defaults and the user's tags; the instance security group its Name tag too.
    added = set(DEFAULT_TAGS) | ({SECURITY_GROUP_NAME_TAG} if security_group else set())
    keys = added | set(tags)
    if len(keys) > MAX_TAGS_PER_RESOURCE:
        problems.append(Problem(path, f"got {len(tags)} tags; with the {len(added)} the stack adds "
                                      f"({', '.join(sorted(added))}) a resource would carry {len(keys)}; allowed: "
                                      f"at most {MAX_TAGS_PER_RESOURCE} tags per resource in all"))
    return problems
