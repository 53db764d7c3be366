"""One dangerous change: what would happen, why it is dangerous, and the safe way to the same end."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DangerousChange:
    what: str
    why: str
    instead: str

    def __str__(self) -> str:
        return f"{self.what}\n    why: {self.why}\n    instead: {self.instead}"
