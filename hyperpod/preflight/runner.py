"""One preflight run: the caller's identity per region, then every check area of every config concurrently."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from hyperpod.preflight import addons, collisions, eks_cluster, identity, keys, network, placement, quotas
from hyperpod.preflight.aws import Aws
from hyperpod.preflight.context import Context, Identity, caller_identity
from hyperpod.preflight.deployment import Deployment
from hyperpod.preflight.verdicts import FAIL, SKIPPED, WARN, Check, guarded, skipped
from hyperpod.commands.errors import StatusError

# In report order. Each area makes its own calls; answers several need (DescribeCluster, DescribeSubnets) are shared.
AREAS = (("identity", identity.checks), ("eks", eks_cluster.checks), ("quotas", quotas.checks),
         ("subnets", placement.checks), ("network", network.checks), ("addons", addons.checks),
         ("collisions", collisions.checks), ("kms", keys.checks))
_WORKERS = 8  # areas at once: each waits on the network, not the CPU


@dataclass(frozen=True)
class ConfigReport:
    deployment: Deployment
    identity: Identity
    checks: tuple[Check, ...]

    def count(self, verdict: str) -> int:
        return sum(c.verdict == verdict for c in self.checks)

    @property
    def failed(self) -> bool:
        return self.count(FAIL) > 0

    def summary(self) -> str:
        parts = [f"{self.count(v)} {label}" for v, label in ((FAIL, "failed"), (WARN, "warning(s)"),
                                                             (SKIPPED, "skipped")) if self.count(v)]
        return ("NOT READY" if self.failed else "READY") + (f" ({', '.join(parts)})" if parts else "")


def _area(name: str, checks, context: Context) -> list[Check]:
    """One area's checks; a missing permission skips it, and so does an answer this tool cannot read (reported in one
    line instead of a traceback). Unreachable and refused credentials end the run."""
    try:
        return guarded(name, lambda: checks(context))
    except StatusError:
        raise
    except Exception as error:  # noqa: BLE001 - one line for the user, not a traceback
        return [skipped(name, f"could not evaluate: {type(error).__name__}: {error} (an AWS answer this tool did "
                              "not expect; please report it)")]


def run_preflight(deployments: list[Deployment]) -> list[ConfigReport]:
    """Every check of every config; Unreachable/UsageError end the run (the caller maps them to exit codes)."""
    clients = {d.region: Aws(d.region) for d in deployments}
    identities = {region: caller_identity(aws) for region, aws in clients.items()}
    contexts = [Context(d, clients[d.region], identities[d.region],
                        tuple(n for n in deployments if n is not d and n.region == d.region)) for d in deployments]
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        futures = [[pool.submit(_area, area, checks, context) for area, checks in AREAS]
                   for context in contexts]
        try:
            results = [[check for future in row for check in future.result()] for row in futures]
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return [ConfigReport(c.deployment, c.identity, tuple(found)) for c, found in zip(contexts, results)]
