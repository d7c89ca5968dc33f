"""Resident memory and processor time of each process of a running stack: the supervisor's
children by role, the datastores (PostgreSQL and Redis, in the scaled mode) and the load
generator itself, which shares the machine's cores with what it measures."""

from __future__ import annotations

import psutil

# How `bot.supervisor.run` starts each child, told apart by its command line.
_ROLES = (("actions", "rasa_sdk"), ("gateway", "uvicorn"), ("rasa", "rasa"))
# Started by `make run-scaled` and the scaled bench, each as a tree of its own processes.
_DATASTORES = ("postgres", "redis-server")


def role_of(cmdline: list[str]) -> str:
    joined = " ".join(cmdline)
    return next((role for role, marker in _ROLES if marker in joined), "other")


def _families(supervisor_pid: int) -> list[tuple[str, list[psutil.Process]]]:
    """Each child of the supervisor with its own children, named by role; several Rasa
    workers (RASA_WORKERS) are told apart by process id: rasa, rasa#2..."""
    found: list[tuple[str, list[psutil.Process]]] = []
    for child in sorted(psutil.Process(supervisor_pid).children(), key=lambda p: p.pid):
        try:
            family = [child, *child.children(recursive=True)]
            role = role_of(child.cmdline())
        except psutil.NoSuchProcess:
            continue  # gone between listing and measuring: nothing to report for it
        seen = sum(1 for name, _ in found if name.split("#")[0] == role)
        found.append((f"{role}#{seen + 1}" if seen else role, family))
    return found


def _sum(processes: list[psutil.Process], measure) -> float:
    total = 0.0
    for process in processes:
        try:
            total += measure(process)
        except psutil.NoSuchProcess:
            continue
    return total


def resident_mb(supervisor_pid: int) -> dict[str, float]:
    """RSS in MB of each process by role; a child's own children (if any) count towards it."""
    sizes = {"supervisor": psutil.Process(supervisor_pid).memory_info().rss}
    for role, family in _families(supervisor_pid):
        sizes[role] = _sum(family, lambda p: p.memory_info().rss)
    return {role: round(size / 2**20, 1) for role, size in sizes.items()}


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def processor_seconds(supervisor_pid: int) -> dict[str, float]:
    """Processor seconds used so far by each role, the datastores and this process (the load
    generator). Two readings apart, divided by the messages between them, say what a message
    costs each part: the sum is what one message costs the machine."""
    used = {role: _sum(family, _cpu_seconds) for role, family in _families(supervisor_pid)}
    datastores = [p for p in psutil.process_iter(["name"]) if p.info["name"] in _DATASTORES]
    if datastores:
        used["datastores"] = _sum(datastores, _cpu_seconds)
    used["load generator"] = _cpu_seconds(psutil.Process())
    return used
