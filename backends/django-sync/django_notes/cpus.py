"""The number of CPUs this process may use: the default of WORKERS.

The same rule as Rust's `std::thread::available_parallelism`, which the Rust backends use: the
CPUs in the affinity mask (`taskset`), capped by a cgroup CPU quota (Docker `--cpus`), rounded
down, at least 1. The quota is read from the process's cgroup and every ancestor, v2 (`cpu.max`)
or v1 (`cpu.cfs_quota_us` / `cpu.cfs_period_us`), at the standard mount points.
"""

from __future__ import annotations

import os
from pathlib import Path

_V2_MOUNT = Path("/sys/fs/cgroup")
_V1_MOUNTS = (Path("/sys/fs/cgroup/cpu"), Path("/sys/fs/cgroup/cpu,cpuacct"))


def available_cpus() -> int:
    """CPUs in the affinity mask, capped by the cgroup quota; at least 1."""
    quota = cgroup_quota()
    count = len(os.sched_getaffinity(0))
    if quota is not None:
        count = min(count, max(quota, 1))
    return max(count, 1)


def cgroup_quota() -> int | None:
    """Whole CPUs allowed by the cgroup quota, or `None` when there is no quota."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    found = None
    for line in lines:
        fields = line.split(":", 2)
        if len(fields) < 3:
            continue
        controllers, path = fields[1], fields[2]
        if controllers == "":
            # A v1 `cpu` line names its controller explicitly and wins over the v2 line.
            if found is None:
                found = (path.lstrip("/"), 2)
        elif "cpu" in controllers.split(","):
            found = (path.lstrip("/"), 1)
    if found is None:
        return None
    path, version = found
    return _quota_v2(path) if version == 2 else _quota_v1(path)


def _quota_v2(group: str) -> int | None:
    directory = _V2_MOUNT / group
    if not (directory / "cgroup.controllers").exists():
        return None
    quota = None
    for level in _up_to(directory, _V2_MOUNT):
        try:
            fields = (level / "cpu.max").read_text().split()
        except OSError:
            continue
        if len(fields) >= 2 and fields[0].isdigit() and fields[1].isdigit() and int(fields[1]) > 0:
            quota = _min(quota, int(fields[0]) // int(fields[1]))
    return quota


def _quota_v1(group: str) -> int | None:
    for mount in _V1_MOUNTS:
        directory = mount / group
        if not directory.is_dir():
            continue
        quota = None
        for level in _up_to(directory, mount):
            limit = _read_number(level / "cpu.cfs_quota_us")
            period = _read_number(level / "cpu.cfs_period_us")
            if limit is not None and period:
                quota = _min(quota, limit // period)
        return quota
    return None


def _up_to(directory: Path, mount: Path):
    """`directory` and each parent down to and including `mount`."""
    while True:
        yield directory
        if directory == mount or directory.parent == directory:
            return
        directory = directory.parent


def _read_number(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _min(current: int | None, value: int) -> int:
    return value if current is None else min(current, value)
