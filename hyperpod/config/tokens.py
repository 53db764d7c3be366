"""CDKTF tokens (values from other stacks) versus literal text, and how literal text reaches Terraform verbatim.

Only a string that *is* one CDKTF token skips a field's rules, and only in a config built in Python: `parse_config`
(every file the app reads) validates with `LITERALS_ONLY`, so a token typed into a file is an error like any other
value that breaks the field's rules.
"""

from __future__ import annotations

import re

# CDKTF encodes a string token as ${TfToken[TOKEN.n]}, a list token as #{TfToken[TOKEN.n]} (inside a one-element
# list) and a map token as &{TfToken[TOKEN.n]} (a map key); the key characters are cdktf's VALID_KEY_CHARS.
# (Number tokens are special float values: no integer field accepts a float, so none can be one.)
_TOKEN = re.compile(r"[$#&]\{TfToken\[[a-zA-Z0-9:._-]+\]\}")

# Validation context of configs read from files: no value may be a token there.
LITERALS_ONLY = {"literals_only": True}


def is_token(value: object) -> bool:
    """True when `value` is exactly one unresolved CDKTF token (not text that merely contains `${`)."""
    return isinstance(value, str) and _TOKEN.fullmatch(value) is not None


def tokens_allowed(context: object) -> bool:
    """Whether a validation context (pydantic's `info.context`) lets tokens from other stacks through."""
    return not (isinstance(context, dict) and context.get("literals_only"))


def terraform_literal(text: str) -> str:
    """Escape text so Terraform stores it verbatim: in Terraform JSON strings `${` and `%{` start templates (shell
    scripts and paths can be full of them), `$${` and `%%{` are their literal forms."""
    return text.replace("${", "$${").replace("%{", "%%{")
