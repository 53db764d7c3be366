"""What the status checks share for AWS: a fail-fast client, and botocore's errors as the CLI's own.

Credential and configuration problems are the caller's to fix (UsageError, exit 2); an endpoint that does not answer
or a call that breaks is Unreachable (exit 3)."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import boto3
import botocore.exceptions
import botocore.session
from botocore.config import Config

from hyperpod.commands.errors import AccessDenied, StatusError, Unreachable, UsageError

# Fail fast on a dead endpoint instead of botocore's default of 60 s timeouts and 5 attempts:
# a status check that hangs for minutes is worse than one that says "unreachable".
CLIENT_CONFIG = Config(
    connect_timeout=5,
    read_timeout=30,
    retries={"max_attempts": 3, "mode": "standard"},
)
UNREACHABLE_ERRORS = (
    botocore.exceptions.EndpointConnectionError,
    botocore.exceptions.ConnectTimeoutError,
    botocore.exceptions.ReadTimeoutError,
    botocore.exceptions.ConnectionClosedError,
)
CREDENTIAL_ERRORS = (
    botocore.exceptions.NoCredentialsError,
    botocore.exceptions.PartialCredentialsError,
    botocore.exceptions.ProfileNotFound,
)


_shared = threading.local()


def _session(region: str) -> boto3.session.Session:
    """A fresh session (sessions are not thread-safe) that shares one data loader with the others built in this
    thread: each session would otherwise parse botocore's service models and endpoint data again (about 0.4 s per
    client; a preflight run builds seven)."""
    core = botocore.session.get_session()
    loader = getattr(_shared, "loader", None)
    if loader is None:
        _shared.loader = core.get_component("data_loader")
    else:
        core.register_component("data_loader", loader)
    return boto3.session.Session(botocore_session=core, region_name=region)


def client(service: str, region: str, endpoint_url: str | None = None, config: Config = CLIENT_CONFIG):
    """One client per run: building it costs more than a poll, and `wait` polls many times. endpoint_url=None lets
    botocore honour AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> itself. `config` replaces the read-only default
    (hyperpod-nodes turns botocore's retries off for calls that change the cluster and retries throttling itself)."""
    try:
        return _session(region).client(service, endpoint_url=endpoint_url, config=config)
    except (*CREDENTIAL_ERRORS, ValueError) as error:  # ValueError: e.g. a malformed AWS_ENDPOINT_URL
        raise UsageError(f"AWS configuration: {error}") from None


@contextmanager
def translated_errors(service: str, region: str):
    """botocore's credential, connection and other client-side errors as UsageError or Unreachable."""
    try:
        yield
    except CREDENTIAL_ERRORS as error:
        raise UsageError(f"AWS credentials: {error}") from None
    except UNREACHABLE_ERRORS as error:
        raise Unreachable(f"could not reach {service} in {region}: {error}") from None
    except botocore.exceptions.BotoCoreError as error:
        raise Unreachable(f"{service} call failed in {region}: {error}") from None


# Error codes AWS services answer when the caller lacks a permission (IAM, EC2's UnauthorizedOperation, the REST
# services' AccessDeniedException) and when they refuse the credentials themselves (expired or unknown keys).
ACCESS_DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
                                 "UnauthorizedException", "Forbidden", "403"})
REFUSED_CREDENTIAL_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId",
                                      "UnrecognizedClientException", "InvalidSignatureException",
                                      "SignatureDoesNotMatch", "RequestExpired", "AuthFailure",
                                      "InvalidAccessKeyId"})
# IAM actions whose names differ from the API operation (Amazon S3 API reference, HeadBucket: "you must have the
# s3:ListBucket action"), and services whose IAM prefix is not their signing name (Service Authorization Reference:
# CloudWatch's actions are cloudwatch:*, its requests are signed as "monitoring").
_IAM_ACTIONS = {("s3", "HeadBucket"): "s3:ListBucket"}
_IAM_PREFIXES = {"monitoring": "cloudwatch"}


def iam_action(client, operation: str) -> str:
    """The IAM action an operation needs, e.g. servicequotas:ListServiceQuotas (the service's signing name)."""
    signing = client.meta.service_model.signing_name
    prefix = _IAM_PREFIXES.get(signing, signing)
    return _IAM_ACTIONS.get((prefix, operation), f"{prefix}:{operation}")


def refusal(service: str, operation: str, error: botocore.exceptions.ClientError, action: str) -> StatusError:
    """A ClientError the caller cannot handle as one StatusError: AccessDenied naming the missing permission,
    Unreachable for refused credentials or anything else."""
    details = error.response.get("Error", {})
    code = str(details.get("Code", "Error"))
    message = str(details.get("Message", "")).strip()
    if code in ACCESS_DENIED_CODES:
        return AccessDenied(f"{service} refused {operation}: AccessDenied (missing permission {action})", action)
    if code in REFUSED_CREDENTIAL_CODES:
        return Unreachable(f"AWS credentials refused by {service} ({operation}): {code}: {message}".rstrip(": "))
    return Unreachable(f"{service} refused {operation}: {code}: {message}".rstrip(": "))
