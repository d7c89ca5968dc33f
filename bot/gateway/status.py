"""How one part behind the gateway is doing, as /healthz reports it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PartStatus:
    ok: bool
    detail: str
