"""One preflight run: the caller's identity per region, then every check area of every config concurrently."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from hyperpod.preflight import addons, collisions, eks_cluster, identity, keys, network, placement, quotas
from hyperpod.preflight.aws import Aws
from hyperpod.preflight.context import Context, Identity, caller_identity
from hyperpod.preflight.deployment import Deployment
from hyperpod.preflight.verdicts import FAIL, SKIPPED, WARN, Check, guarded

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


def run_preflight(deployments: list[Deployment]) -> list[ConfigReport]:
    """Every check of every config; Unreachable/UsageError end the run (the caller maps them to exit codes)."""
    clients = {d.region: Aws(d.region) for d in deployments}
    identities = {region: caller_identity(aws) for region, aws in clients.items()}
    contexts = [Context(d, clients[d.region], identities[d.region],
                        tuple(n for n in deployments if n is not d and n.region == d.region)) for d in deployments]
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        futures = [[pool.submit(guarded, area, lambda f=checks, c=context: f(c)) for area, checks in AREAS]
                   for context in contexts]
        try:
            results = [[check for future in row for check in future.result()] for row in futures]
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return [ConfigReport(c.deployment, c.identity, tuple(found)) for c, found in zip(contexts, results)]
