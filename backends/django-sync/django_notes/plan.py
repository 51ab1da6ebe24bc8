"""How WORKERS and DB_POOL_SIZE map onto gunicorn worker processes and their connection pools.

A Python process runs one request's Python code at a time (the GIL), so WORKERS is the number
of gunicorn worker processes, as people deploy Django. A database connection cannot be shared
across processes, so DB_POOL_SIZE is split: each process gets a pool of its own and the pool
sizes add up to DB_POOL_SIZE (the first `DB_POOL_SIZE % processes` get one connection more),
the way the actix-web backend splits its pools across workers. A process with no connection
could never serve `/notes/`, so there are never more processes than connections: with
WORKERS > DB_POOL_SIZE the backend runs DB_POOL_SIZE processes of one connection each.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    """The processes and the pool size of each, by slot (slot `i` is the `i`-th process)."""

    pool_sizes: tuple[int, ...]

    @classmethod
    def split(cls, pool_size: int, workers: int) -> Plan:
        processes = max(1, min(workers, pool_size))
        each, extra = divmod(pool_size, processes)
        return cls(tuple(each + (1 if slot < extra else 0) for slot in range(processes)))

    @property
    def processes(self) -> int:
        return len(self.pool_sizes)

    def free_slot(self, taken: set[int]) -> int:
        """The lowest slot no running process holds (a restarted process takes its place)."""
        return next(slot for slot in range(self.processes) if slot not in taken)
