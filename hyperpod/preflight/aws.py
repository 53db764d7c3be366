"""The AWS calls a preflight run makes: one client per service built the way hyperpod-status builds them (fail-fast
timeouts and retries, endpoints from boto3's standard configuration: AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>),
each answer remembered so checks that need the same fact share one call, and botocore's errors as the status
command's (UsageError, Unreachable, AccessDenied naming the IAM action).

Only read operations are called (Describe*, List*, Get*, Head*); tests/preflight records every operation of a full
run and fails on anything else."""

from __future__ import annotations

import json
import threading
from concurrent.futures import Future

import botocore.exceptions
from botocore import xform_name

from hyperpod.commands import aws as aws_calls

SERVICES = ("sts", "eks", "ec2", "sagemaker", "service-quotas", "s3", "kms", "iam", "cloudwatch")
LABELS = {"sts": "STS", "eks": "EKS", "ec2": "EC2", "sagemaker": "SageMaker", "service-quotas": "Service Quotas",
          "s3": "S3", "kms": "KMS", "iam": "IAM", "cloudwatch": "CloudWatch"}


class Aws:
    """Clients for one region, built up front in the calling thread (boto3 sessions are not thread-safe; clients
    are), and a memo of answers keyed by operation and parameters."""

    def __init__(self, region: str):
        self.region = region
        self.clients = {service: aws_calls.client(service, region) for service in SERVICES}
        self._answers: dict[tuple, Future] = {}
        self._lock = threading.Lock()

    def call(self, service: str, operation: str, *, missing=(), page_key: str | None = None, **params):
        """The response of `operation` (e.g. "DescribeSubnets"), or None when AWS answers one of the error codes in
        `missing` (or `missing` is a predicate on the ClientError that says so). With `page_key`, every page is read
        and that list of the responses is returned."""
        key = (service, operation, page_key, json.dumps(params, sort_keys=True, default=str))
        with self._lock:
            answer = self._answers.get(key)
            owner = answer is None
            if owner:
                answer = self._answers[key] = Future()
        if owner:
            try:
                answer.set_result(self._invoke(service, operation, missing, page_key, params))
            except BaseException as error:  # handed to every check waiting on the same answer
                answer.set_exception(error)
        return answer.result()

    def _invoke(self, service: str, operation: str, missing, page_key: str | None, params: dict):
        client = self.clients[service]
        label = LABELS[service]
        with aws_calls.translated_errors(label, self.region):
            try:
                if page_key is None:
                    return getattr(client, xform_name(operation))(**params)
                items = []
                for page in client.get_paginator(xform_name(operation)).paginate(**params):
                    items += page.get(page_key, [])
                return items
            except botocore.exceptions.ClientError as error:
                code = error.response.get("Error", {}).get("Code", "")
                if (missing(error) if callable(missing) else code in missing):
                    return None
                raise aws_calls.refusal(label, operation, error, aws_calls.iam_action(client, operation)) from None
