"""The reviewed list of checkov failures the project accepts: one per (check id, resource address), with a reason."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hyperpod.config.errors import JsonFileError, load_json

_CHECK_ID = re.compile(r"^CKV2?_[A-Z0-9]+_[0-9]+$")
_ADDRESS = re.compile(r"^(data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+$|^provider\.[a-z0-9_]+$")
# A reason short enough to be "n/a" or "false positive" does not tell a reviewer why the risk is acceptable.
MIN_REASON_CHARS = 40


class AcknowledgementError(Exception):
    """The acknowledgements file is malformed; the message names the entry, the field and what is allowed."""


@dataclass(frozen=True)
class Acknowledgement:
    check_id: str
    resource: str
    reason: str


def load_acknowledgements(path: Path) -> list[Acknowledgement]:
    try:
        data = load_json(path, "acknowledgements file")
    except JsonFileError as error:
        raise AcknowledgementError(str(error)) from None
    entries = data.get("acknowledgements") if isinstance(data, dict) else None
    unknown = sorted(set(data) - {"//", "acknowledgements"}) if isinstance(data, dict) else []
    if unknown:
        raise AcknowledgementError(f"{path}: unknown top-level key(s) {', '.join(unknown)} (allowed: //, acknowledgements)")
    if not isinstance(entries, list):
        raise AcknowledgementError(f'{path}: expected {{"acknowledgements": [...]}} at the top level')
    problems, result, seen = [], [], set()
    for index, entry in enumerate(entries):
        where = f"{path.name}: acknowledgements[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be an object with check_id, resource, reason")
            continue
        extra = sorted(set(entry) - {"check_id", "resource", "reason"})
        if extra:
            problems.append(f"{where}: unknown field(s) {', '.join(extra)} (allowed: check_id, resource, reason)")
        check_id, resource, reason = entry.get("check_id"), entry.get("resource"), entry.get("reason")
        if not isinstance(check_id, str) or not _CHECK_ID.match(check_id):
            problems.append(f"{where}.check_id: got {check_id!r}, expected a checkov id like CKV_AWS_18 or CKV2_AWS_62")
        if not isinstance(resource, str) or not _ADDRESS.match(resource) or "*" in resource:
            problems.append(f"{where}.resource: got {resource!r}, expected one Terraform address like "
                            f"aws_s3_bucket.NAME or data.aws_iam_policy_document.NAME (no wildcards)")
        if not isinstance(reason, str) or len(reason.strip()) < MIN_REASON_CHARS:
            problems.append(f"{where}.reason: got {reason!r}, expected a reason a reviewer would accept "
                            f"(at least {MIN_REASON_CHARS} characters)")
        if (check_id, resource) in seen:
            problems.append(f"{where}: duplicate acknowledgement of {check_id} on {resource}")
        seen.add((check_id, resource))
        result.append(Acknowledgement(str(check_id), str(resource), str(reason)))
    if problems:
        raise AcknowledgementError("\n".join(problems))
    return result
