"""The S3 bucket HyperPod reads node bootstrap scripts from, and the scripts in it.

What is uploaded is an allow-list: the entry script, `lib/` and `on_create.d/`, without hidden files, editor
backups or caches (HyperPod copies the whole prefix onto every node, so anything else would ship there too).

Scripts live under a prefix named by their content hash, so a script change gives every object a new key, which
Terraform can only do by replacing the object. Replaced the default way (delete, then create) the old keys are gone
before UpdateCluster runs; if that update fails (AWS refuses updates while deep health checks run), the cluster still
points at the old prefix and every replacement node fails on missing scripts. So the objects are
`create_before_destroy`: Terraform creates the new keys, updates the cluster (which depends on them), and deletes
the old keys only after the update succeeded. A failed update leaves the old keys (Terraform keeps them as deposed
objects) until an apply updates the cluster. The bucket inherits create_before_destroy from the objects
(Terraform propagates it to dependencies); a replaced bucket always gets a new name, so that cannot collide.
"""

from __future__ import annotations

import fnmatch
import hashlib
from pathlib import Path, PurePosixPath
from typing import Mapping

from hyperpod.runtime.core import TerraformResourceLifecycle
from hyperpod.runtime.aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from hyperpod.runtime.aws.s3_bucket import S3Bucket
from hyperpod.runtime.aws.s3_bucket_ownership_controls import (
    S3BucketOwnershipControls,
    S3BucketOwnershipControlsRule,
)
from hyperpod.runtime.aws.s3_bucket_policy import S3BucketPolicy
from hyperpod.runtime.aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from hyperpod.runtime.aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from hyperpod.runtime.aws.s3_bucket_versioning import (
    S3BucketVersioningA,
    S3BucketVersioningVersioningConfiguration,
)
from hyperpod.runtime.aws.s3_object import S3Object
from hyperpod.runtime.constructs import Construct

from hyperpod.config.tokens import terraform_literal  # noqa: F401  (also imported from here)

ON_CREATE = "on_create.sh"


def _shipped_scripts_folder() -> Path:
    """Where the scripts this package ships are. A wheel carries the project's top-level `lifecycle_scripts/` as
    `hyperpod/lifecycle_scripts/` (pyproject.toml maps it), so an installed package has them as a checkout does; a
    checkout (or an editable install of one) reads them from the project's top level."""
    package = Path(__file__).resolve().parent
    installed = package / "lifecycle_scripts"
    checkout = package.parent / "lifecycle_scripts"
    if not installed.is_dir() and (package.parent / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    return installed


SHIPPED_SCRIPTS = _shipped_scripts_folder()
# Folders beside on_create.sh whose files are uploaded: the sourced steps and the user's hooks.
SCRIPT_FOLDERS = ("lib", "on_create.d")
# Never uploaded, at any depth: editor backups and swap files, Emacs autosaves and lock files, byte-code caches.
# (Hidden files and folders, `.*`, are never uploaded either.)
IGNORED_NAMES = ("*~", "*.swp", "*.swo", "#*#", "*.pyc")
IGNORED_FOLDERS = ("__pycache__",)
# The managed AmazonSageMakerClusterInstanceRolePolicy only reads arn:aws:s3:::sagemaker-* buckets.
BUCKET_PREFIX = "sagemaker-"


def belongs_to_the_scripts(relative: PurePosixPath) -> bool:
    """Whether a file at this path below the scripts folder is uploaded (see SCRIPT_FOLDERS, IGNORED_NAMES)."""
    parts = relative.parts
    if parts == (ON_CREATE,):
        return True
    if len(parts) < 2 or parts[0] not in SCRIPT_FOLDERS:
        return False
    if any(part.startswith(".") or part in IGNORED_FOLDERS for part in parts):
        return False
    return not any(fnmatch.fnmatchcase(parts[-1], pattern) for pattern in IGNORED_NAMES)


def read_scripts(directory: Path) -> dict[str, str]:
    """The files that belong to the scripts (belongs_to_the_scripts), by POSIX path relative to `directory`.
    Called by the app, never by a construct (`LifecycleScripts` checks that on_create.sh is among them, for file and
    Python callers alike)."""
    if not directory.is_dir():  # rglob would quietly find nothing, and the error would come far from the cause
        raise FileNotFoundError(f"lifecycle scripts folder {directory} does not exist")
    root = directory.resolve()
    return {relative.as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(directory.rglob("*"))
            if path.is_file() and belongs_to_the_scripts(relative := PurePosixPath(path.relative_to(directory)))
            # A symlink is followed only to a file inside the folder: a link to ~/.aws/credentials is not uploaded.
            and path.resolve().is_relative_to(root)}


def shipped_scripts() -> dict[str, str]:
    """The lifecycle scripts this package ships, for `LifecycleScripts` (an app reads them; constructs never do)."""
    if not (SHIPPED_SCRIPTS / ON_CREATE).is_file():
        raise FileNotFoundError(f"the lifecycle scripts this package ships are missing: no {ON_CREATE} in "
                                f"{SHIPPED_SCRIPTS}; reinstall hyperpod-cdktf, or pass your own scripts with "
                                "read_scripts(Path('your/scripts'))")
    return read_scripts(SHIPPED_SCRIPTS)


def content_prefix(scripts: Mapping[str, str]) -> str:
    """A key prefix that changes whenever any script changes, so the cluster sees a new source_s3_uri."""
    digest = hashlib.sha256()
    for name in sorted(scripts):
        digest.update(name.encode() + b"\0" + scripts[name].encode() + b"\0")
    return f"lifecycle/{digest.hexdigest()[:16]}"


def bucket_name_prefix(cluster_name: str) -> str:
    """S3 bucket_prefix allows 37 characters; bucket names are lowercase."""
    return f"{BUCKET_PREFIX}{cluster_name.lower()[:20]}-lcs-"


class LifecycleScriptsBucket(Construct):
    """A private bucket: encrypted, versioned, no public access, TLS only, owner-enforced, never force-destroyed.

    SSE-S3 rather than a KMS key: HyperPod's managed instance policy grants no kms:Decrypt, so a customer key would
    stop nodes from reading their bootstrap scripts.
    """

    def __init__(self, scope: Construct, id: str, *, cluster_name: str, bucket_name: str | None,
                 prevent_destroy: bool, bucket_prefix: str | None = None):
        super().__init__(scope, id)
        prefix = bucket_prefix or bucket_name_prefix(cluster_name)  # another bucket of this kind names its own
        self.bucket = S3Bucket(
            self, "bucket", bucket=bucket_name, bucket_prefix=None if bucket_name else prefix,
            force_destroy=False, lifecycle=TerraformResourceLifecycle(prevent_destroy=prevent_destroy),
        )
        S3BucketOwnershipControls(self, "ownership", bucket=self.bucket.id,
                                  rule=S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"))
        S3BucketServerSideEncryptionConfigurationA(self, "encryption", bucket=self.bucket.id, rule=[
            S3BucketServerSideEncryptionConfigurationRuleA(
                apply_server_side_encryption_by_default=(
                    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                        sse_algorithm="AES256")))])
        S3BucketVersioningA(self, "versioning", bucket=self.bucket.id,
                            versioning_configuration=S3BucketVersioningVersioningConfiguration(status="Enabled"))
        self.public_access_block = S3BucketPublicAccessBlock(
            self, "public-access", bucket=self.bucket.id, block_public_acls=True, block_public_policy=True,
            ignore_public_acls=True, restrict_public_buckets=True)
        tls_only = DataAwsIamPolicyDocument(self, "tls-only", statement=[DataAwsIamPolicyDocumentStatement(
            sid="DenyInsecureTransport", effect="Deny", actions=["s3:*"],
            resources=[self.bucket.arn, f"{self.bucket.arn}/*"],
            principals=[DataAwsIamPolicyDocumentStatementPrincipals(type="*", identifiers=["*"])],
            condition=[DataAwsIamPolicyDocumentStatementCondition(
                test="Bool", variable="aws:SecureTransport", values=["false"])],
        )])
        # After the public access block: S3 refuses some policies while the block is being applied.
        self.policy = S3BucketPolicy(self, "policy", bucket=self.bucket.id, policy=tls_only.json,
                                     depends_on=[self.public_access_block])


class LifecycleScripts(Construct):
    """Uploads the scripts under a content-derived prefix; `source_s3_uri` is what instance groups point at."""

    def __init__(self, scope: Construct, id: str, *, bucket: S3Bucket, scripts: Mapping[str, str]):
        super().__init__(scope, id)
        if ON_CREATE not in scripts:
            raise ValueError(f"lifecycle scripts must include {ON_CREATE}; got {sorted(scripts)}")
        self.prefix = content_prefix(scripts)
        # The cluster depends on these: nodes must never boot before their scripts exist. Old keys are deleted only
        # after the cluster points at the new ones (module docstring).
        self.objects = [
            S3Object(self, f"script-{name.replace('/', '__')}", bucket=bucket.id, key=f"{self.prefix}/{name}",
                     content=terraform_literal(scripts[name]),
                     content_type="text/x-shellscript" if name.endswith(".sh") else "text/plain",
                     lifecycle=TerraformResourceLifecycle(create_before_destroy=True))
            for name in sorted(scripts)
        ]
        self.source_s3_uri = f"s3://{bucket.bucket}/{self.prefix}"
        self.on_create = ON_CREATE
