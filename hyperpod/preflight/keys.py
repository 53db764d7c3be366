"""Check 8, KMS keys: each key the config names exists in the deployment's region, is enabled, and is a symmetric
encryption key (what EBS and FSx for Lustre accept).

Sources: AWS KMS API reference, DescribeKey (KeyMetadata.KeyState, KeyUsage, KeySpec); Amazon EBS user guide,
"Amazon EBS encryption" (symmetric encryption KMS keys only); Amazon FSx for Lustre user guide, "Encrypting data at
rest" (symmetric customer managed keys).
"""

from __future__ import annotations

from hyperpod.preflight.context import Context
from hyperpod.preflight.deployment import parse_arn
from hyperpod.preflight.verdicts import FAIL, OK, Check, guarded


def key_check(context: Context, where: str, arn: str) -> Check:
    name = f"kms: {where}"
    if parse_arn(arn).get("region") != context.deployment.region:
        return Check(name, FAIL, f"{arn} is in {parse_arn(arn).get('region')}, the deployment in "
                                 f"{context.deployment.region}", "use a key of the deployment's region")
    answer = context.aws.call("kms", "DescribeKey", missing=("NotFoundException",), KeyId=arn)
    if answer is None:
        return Check(name, FAIL, f"no KMS key {arn}", f"fix {where}")
    key = answer["KeyMetadata"]
    state, usage = key.get("KeyState"), key.get("KeyUsage")
    spec = key.get("KeySpec") or key.get("CustomerMasterKeySpec")
    problems = []
    if state != "Enabled":
        problems.append(f"state {state}")
    if usage != "ENCRYPT_DECRYPT" or spec != "SYMMETRIC_DEFAULT":
        problems.append(f"{spec} {usage}, not a symmetric encryption key (SYMMETRIC_DEFAULT ENCRYPT_DECRYPT)")
    if problems:
        fix = f"aws kms enable-key --key-id {arn}" if state == "Disabled" and len(problems) == 1 \
            else "use an enabled symmetric encryption key"
        return Check(name, FAIL, f"{key.get('KeyId')}: {'; '.join(problems)}", fix)
    return Check(name, OK, f"{key.get('KeyId')}: Enabled, SYMMETRIC_DEFAULT, {context.deployment.region}")


def checks(context: Context) -> list[Check]:
    found = []
    for where, arn in context.deployment.kms_keys():
        found += guarded(f"kms: {where}", lambda w=where, a=arn: [key_check(context, w, a)])
    return found
