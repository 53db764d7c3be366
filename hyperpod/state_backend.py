"""The Terraform backend a stack's state lives in, from the validated `state` config."""

from __future__ import annotations

from hyperpod.runtime.core import LocalBackend, S3Backend, S3BackendAssumeRoleConfig, TerraformStack

from hyperpod.config.state import StateConfig, local_state_file


def declare_backend(stack: TerraformStack, stack_name: str, state: StateConfig) -> None:
    """A relative local file (output must not depend on where the checkout lives), or S3 with a lock file."""
    if state.backend == "local":
        LocalBackend(stack, path=local_state_file(stack_name))
        return
    S3Backend(stack, bucket=state.bucket, key=state.key, region=state.region, encrypt=state.encrypt,
              kms_key_id=state.kms_key_id,
              assume_role=S3BackendAssumeRoleConfig(role_arn=state.role_arn) if state.role_arn else None)
    # Terraform 1.11+ locks with a `<key>.tflock` object beside the state (DynamoDB locking is deprecated).
    # CDKTF 0.21's S3Backend predates the argument, so it is set as an override on the synthesized backend block.
    stack.add_override("terraform.backend.s3.use_lockfile", True)
