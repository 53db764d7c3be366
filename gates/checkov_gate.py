"""Security scan gate: checkov on synthesized cdk.tf.json files, with reviewed acknowledgements instead of skips.

Fails when a check fails without an acknowledgement, when an acknowledgement matches nothing (stale), when checkov
reports a parsing error, when fewer checks ran than expected, or when a resource of a type checkov covers got no
check at all (checkov silently runs 0 checks on some inputs). Run it over every example at once, so that
acknowledgements for resources that only one example creates are not reported stale:

    python -m gates.checkov_gate out/a/stacks/hyperpod/cdk.tf.json out/b/stacks/hyperpod/cdk.tf.json
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from gates.checkov_acknowledgements import Acknowledgement, AcknowledgementError, load_acknowledgements
from gates.checkov_addresses import AddressIndex, render
from gates.terraform_json import DocumentError, load_document

ROOT = Path(__file__).resolve().parent.parent
CHECKOV = Path(os.environ.get("CHECKOV_BIN", ROOT / ".tools" / "checkov" / "bin" / "checkov"))
ACKNOWLEDGEMENTS = Path(__file__).with_name("checkov_acknowledgements.json")
# Resource types checkov 3.3.30 has checks for in this stack: each such block must get at least one result.
COVERED_TYPES = ("aws_s3_bucket", "aws_s3_bucket_public_access_block", "aws_iam_role", "aws_iam_role_policy",
                 "aws_iam_role_policy_attachment", "aws_security_group", "data.aws_iam_policy_document")
CHECKOV_TIMEOUT_S = 300


class GateError(Exception):
    """The gate could not run (tool missing, unreadable input); the message says what to do."""


@dataclass(frozen=True)
class Finding:
    check_id: str
    address: str
    check_name: str


@dataclass
class FileResult:
    file: str
    passed: list[Finding] = field(default_factory=list)
    failed: list[Finding] = field(default_factory=list)
    parsing_errors: int = 0
    unmapped: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)
    dropped_required_version: bool = False


def scan(files: list[str]) -> list[FileResult]:
    """Run checkov once over copies of all files and split its findings per file, by Terraform address."""
    if not CHECKOV.exists():
        raise GateError(f"checkov not found at {CHECKOV}: run scripts/bootstrap.sh --test (or set CHECKOV_BIN)")
    documents = []
    for file in files:
        try:
            documents.append(load_document(file))
        except DocumentError as error:
            raise GateError(str(error)) from None
    with tempfile.TemporaryDirectory(prefix="checkov-gate-") as work:
        results, indexes = [], []
        for number, (file, document) in enumerate(zip(files, documents)):
            result = FileResult(file)
            # checkov 3.3.30 cannot parse terraform.required_version (it reports a parsing error and runs 0 checks,
            # exiting 0); the setting has no security meaning, so the scanned copy goes without it.
            terraform = document.get("terraform")
            if isinstance(terraform, dict) and "required_version" in terraform:
                document = {**document, "terraform": {k: v for k, v in terraform.items() if k != "required_version"}}
                result.dropped_required_version = True
            rendered = render(document)
            copy = Path(work, str(number), "cdk.tf.json")
            copy.parent.mkdir()
            copy.write_text(rendered)
            results.append(result)
            indexes.append(AddressIndex(rendered))
        report = _run_checkov(work, [f"{n}/cdk.tf.json" for n in range(len(files))])
        _distribute(report, results, indexes, documents)
    return results


def _run_checkov(work: str, relative_files: list[str]) -> dict:
    command = [str(CHECKOV), "--framework", "terraform_json", "--skip-download", "--compact", "-o", "json"]
    for relative in relative_files:
        command += ["-f", relative]
    try:
        completed = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=CHECKOV_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise GateError(f"checkov did not finish within {CHECKOV_TIMEOUT_S} s") from None
    try:
        report = json.loads(completed.stdout)
    except json.JSONDecodeError:
        tail = (completed.stderr or completed.stdout).strip().splitlines()[-5:]
        raise GateError(f"checkov exited {completed.returncode} without a JSON report:\n  " + "\n  ".join(tail)) from None
    if isinstance(report, list):  # several check types at once: keep ours
        report = next((r for r in report if r.get("check_type") == "terraform_json"), {})
    if "results" not in report:  # checkov prints a bare summary when it found nothing to scan
        report = {"results": {}, "summary": report}
    return report


def _file_number(path: str) -> int | None:
    parent = Path(path).parent.name
    # ASCII digits only: str.isdigit() is also true for "²" or "١", which int() refuses or reads as a number.
    return int(parent) if parent.isascii() and parent.isdigit() else None


def _distribute(report: dict, results: list[FileResult], indexes: list[AddressIndex], documents: list[dict]) -> None:
    findings = report.get("results", {})
    for path in findings.get("parsing_errors", []):
        number = _file_number(path)
        for result in (results if number is None else [results[number]]):
            result.parsing_errors += 1
    if not findings and report.get("summary", {}).get("parsing_errors"):
        for result in results:
            result.parsing_errors += 1
    checked: list[set[str]] = [set() for _ in results]
    for kind in ("passed_checks", "failed_checks", "skipped_checks"):
        for item in findings.get(kind, []):
            number = _file_number(item["file_path"])
            if number is None or number >= len(results):
                raise GateError(f"checkov reported a file the gate did not give it: {item['file_path']}")
            address = indexes[number].address_at(item["file_line_range"][0])
            result = results[number]
            if address is None:
                result.unmapped.append(f"{item['check_id']} on {item['resource']} (line {item['file_line_range'][0]})")
                continue
            checked[number].add(address)
            finding = Finding(item["check_id"], address, item["check_name"])
            if kind == "failed_checks":
                result.failed.append(finding)
            elif kind == "passed_checks":
                result.passed.append(finding)
    for number, (result, document) in enumerate(zip(results, documents)):
        result.unchecked = [a for a in _covered_addresses(document) if a not in checked[number]]


def _covered_addresses(document: dict) -> list[str]:
    addresses = []
    for covered in COVERED_TYPES:
        section, kind = ("data", covered[5:]) if covered.startswith("data.") else ("resource", covered)
        prefix = "data." if section == "data" else ""
        for name in (document.get(section, {}).get(kind) or {}):
            addresses.append(f"{prefix}{kind}.{name}")
    return addresses


def evaluate(results: list[FileResult], acknowledgements: list[Acknowledgement], min_checks: int) -> list[str]:
    """Every reason the gate fails, in the order a reviewer should read them; empty when it passes."""
    errors = []
    acknowledged = {(a.check_id, a.resource) for a in acknowledgements}
    used = set()
    for result in results:
        if result.parsing_errors:
            errors.append(f"{result.file}: checkov reported {result.parsing_errors} parsing error(s): "
                          f"its checks did not run on this file")
        ran = len(result.passed) + len(result.failed)
        if ran < min_checks:
            errors.append(f"{result.file}: only {ran} checks ran, expected at least {min_checks}")
        for address in result.unchecked:
            errors.append(f"{result.file}: checkov ran no check on {address}")
        for text in result.unmapped:
            errors.append(f"{result.file}: cannot tell which resource this finding is about: {text}")
        for finding in result.failed:
            key = (finding.check_id, finding.address)
            if key in acknowledged:
                used.add(key)
            else:
                errors.append(f"{result.file}: FAILED {finding.check_id} on {finding.address}: {finding.check_name}")
    for ack in acknowledgements:
        if (ack.check_id, ack.resource) not in used:
            errors.append(f"stale acknowledgement {ack.check_id} on {ack.resource}: no failed check matches it in the "
                          f"scanned files; remove it from {ACKNOWLEDGEMENTS.name}")
    return errors


def figures(result: FileResult, acknowledgements: list[Acknowledgement]) -> dict[str, int]:
    acknowledged = {(a.check_id, a.resource) for a in acknowledgements}
    acked = sum((f.check_id, f.address) in acknowledged for f in result.failed)
    return {"passed": len(result.passed), "failed": len(result.failed) - acked, "acknowledged": acked,
            "parsing_errors": result.parsing_errors}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gates.checkov_gate", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", metavar="CDK_TF_JSON")
    parser.add_argument("--acknowledgements", default=str(ACKNOWLEDGEMENTS), metavar="FILE")
    parser.add_argument("--min-checks", type=int, default=1, metavar="N",
                        help="fail a file on which fewer than N checks ran (default 1)")
    args = parser.parse_args(argv)
    try:
        acknowledgements = load_acknowledgements(Path(args.acknowledgements))
        results = scan(args.files)
    except (GateError, AcknowledgementError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for result in results:
        numbers = figures(result, acknowledgements)
        note = " (scanned without terraform.required_version)" if result.dropped_required_version else ""
        print(f"{result.file}: passed {numbers['passed']}, failed {numbers['failed']}, "
              f"acknowledged {numbers['acknowledged']}, parsing errors {numbers['parsing_errors']}{note}")
    errors = evaluate(results, acknowledgements, args.min_checks)
    for error in errors:
        print(error)
    print("checkov gate: " + ("FAILED" if errors else "passed"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
