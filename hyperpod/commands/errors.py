"""The two ways a status run can end without a verdict, each with its exit code."""

USAGE_ERROR = 2
UNREACHABLE = 3


class StatusError(Exception):
    """A one-line reason for the user plus the exit code the CLI returns."""

    exit_code = 1

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class UsageError(StatusError):
    """Bad arguments or configuration (kubeconfig, credentials): waiting will not fix it."""

    exit_code = USAGE_ERROR


class Unreachable(StatusError):
    """AWS or the Kubernetes API could not be reached or refused to answer."""

    exit_code = UNREACHABLE


class AccessDenied(Unreachable):
    """AWS refused a call for want of a permission; `action` names it (e.g. servicequotas:ListServiceQuotas).
    hyperpod-status ends on it like on any refusal (exit 3); hyperpod-preflight reports the check as skipped."""

    def __init__(self, reason: str, action: str):
        super().__init__(reason)
        self.action = action
