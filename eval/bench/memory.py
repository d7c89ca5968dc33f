"""Resident memory of each process of a running stack (the supervisor and its three children)."""

from __future__ import annotations

import psutil

# How `bot.supervisor.run` starts each child, told apart by its command line.
_ROLES = (("actions", "rasa_sdk"), ("gateway", "uvicorn"), ("rasa", "rasa"))


def role_of(cmdline: list[str]) -> str:
    joined = " ".join(cmdline)
    return next((role for role, marker in _ROLES if marker in joined), "other")


def resident_mb(supervisor_pid: int) -> dict[str, float]:
    """RSS in MB of each process by role; a child's own children (if any) count towards it.

    With several Rasa workers (RASA_WORKERS) they are told apart by process id: rasa, rasa#2...
    """
    supervisor = psutil.Process(supervisor_pid)
    sizes = {"supervisor": supervisor.memory_info().rss}
    for child in sorted(supervisor.children(), key=lambda p: p.pid):
        try:
            family = [child, *child.children(recursive=True)]
            role = role_of(child.cmdline())
            size = sum(p.memory_info().rss for p in family)
        except psutil.NoSuchProcess:
            continue  # gone between listing and measuring: nothing to report for it
        seen = sum(1 for name in sizes if name.split("#")[0] == role)
        sizes[f"{role}#{seen + 1}" if seen else role] = size
    return {role: round(size / 2**20, 1) for role, size in sizes.items()}
