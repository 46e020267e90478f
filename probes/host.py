"""Host probe: resource usage of the machine that runs the daemon, read with psutil.

The probe reads CPU times, load average, memory, swap, mounted file systems,
network interfaces and the daemon's own process, and returns them as one
frozen ``HostStats`` in ``ProbeResult.detail``. ``monitor.host_metrics``
turns that record into metric families named like node_exporter's.

Every blocking read runs off the event loop. ``statvfs`` on a network file
system whose server is gone can block in the kernel for as long as the mount
exists, so each file system is read in a thread of its own with a timeout.
A mount whose earlier ``statvfs`` call has not returned yet is skipped
without starting another thread, so a hung mount blocks one thread in
total rather than one more per run. Skipped mounts are listed in ``HostStats.skipped_filesystems``
and counted in the value ``"filesystems_skipped"``; they do not fail the
probe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import psutil

from probes import base

log = logging.getLogger(__name__)

PROBE = "host"

# File system types that are skipped unless their mount point is included
# explicitly: kernel interfaces that hold no user data, ramfs (statvfs reports
# no size for it) and read-only images (squashfs for snaps, iso9660), which
# are always full and would dominate "filesystem_max_used_ratio".
PSEUDO_FSTYPES = frozenset(
    {
        "autofs",
        "binfmt_misc",
        "bpf",
        "cgroup",
        "cgroup2",
        "configfs",
        "debugfs",
        "devpts",
        "devtmpfs",
        "efivarfs",
        "fusectl",
        "hugetlbfs",
        "iso9660",
        "mqueue",
        "nsfs",
        "proc",
        "pstore",
        "ramfs",
        "rpc_pipefs",
        "securityfs",
        "selinuxfs",
        "squashfs",
        "sysfs",
        "tracefs",
    }
)

# Reasons for a skipped file system (SkippedFilesystem.reason).
SKIP_PERMISSION_DENIED = "permission_denied"
SKIP_TIMEOUT = "timeout"
SKIP_ERROR = "error"

_UNSIGNED = re.compile(r"[0-9]+")


@dataclass(frozen=True, slots=True)
class HostSettings:
    """Settings of the host probe: the file systems it reports and how long it waits.

    A mount is reported unless its type is in ``exclude_fstypes``, its mount
    point is at or below an entry of ``exclude_mountpoints``, or it is a
    tmpfs at or below an entry of ``exclude_tmpfs_mountpoints``. A mount
    point listed in ``include_mountpoints`` is reported even when those rules
    exclude it. ``statfs_timeout`` is the time in seconds that a ``statvfs``
    call on one mount may take. ``cpu_sample_interval`` is the window in
    seconds over which "cpu_busy_ratio" is measured, and 0 leaves that value
    out.

    >>> settings = HostSettings(include_mountpoints=frozenset({"/run"}))
    >>> settings.statfs_timeout, "tmpfs" in settings.exclude_fstypes
    (1.0, False)
    """

    exclude_fstypes: frozenset[str] = PSEUDO_FSTYPES
    exclude_mountpoints: tuple[str, ...] = ("/dev", "/proc", "/sys")
    exclude_tmpfs_mountpoints: tuple[str, ...] = ("/dev", "/run")
    include_mountpoints: frozenset[str] = frozenset()
    statfs_timeout: float = 1.0
    cpu_sample_interval: float = 0.5

    def __post_init__(self) -> None:
        if not self.statfs_timeout > 0:
            raise ValueError(f"statfs_timeout must be more than 0 s, got {self.statfs_timeout!r}")
        if not self.cpu_sample_interval >= 0:
            raise ValueError(
                f"cpu_sample_interval must be 0 s or more, got {self.cpu_sample_interval!r}"
            )
        object.__setattr__(self, "exclude_fstypes", frozenset(self.exclude_fstypes))
        object.__setattr__(self, "exclude_mountpoints", tuple(self.exclude_mountpoints))
        object.__setattr__(self, "exclude_tmpfs_mountpoints", tuple(self.exclude_tmpfs_mountpoints))
        included = frozenset(_normalise_mountpoint(path) for path in self.include_mountpoints)
        object.__setattr__(self, "include_mountpoints", included)


@dataclass(frozen=True, slots=True)
class CpuTimes:
    """Seconds that one CPU has spent in each mode since boot, from /proc/stat.

    ``guest`` and ``guest_nice`` are already counted in ``user`` and ``nice``.
    """

    cpu: int
    user: float
    nice: float
    system: float
    idle: float
    iowait: float
    irq: float
    softirq: float
    steal: float
    guest: float
    guest_nice: float


@dataclass(frozen=True, slots=True)
class MemoryStats:
    """Physical memory in bytes, with /proc/meminfo's meaning of each field.

    ``cached`` is the page cache ("Cached:"), as node_exporter reports it,
    not psutil's ``cached``, which adds the reclaimable slab.
    """

    total: int
    available: int
    free: int
    buffers: int
    cached: int


@dataclass(frozen=True, slots=True)
class SwapStats:
    """Swap space in bytes, and bytes swapped in and out since boot."""

    total: int
    free: int
    swapped_in: int
    swapped_out: int


@dataclass(frozen=True, slots=True)
class FilesystemStats:
    """Space and inodes of one mounted file system, from statvfs.

    ``free`` counts every free block, ``avail`` only those that unprivileged
    users may fill, as node_exporter's ``free`` and ``avail`` do.
    """

    device: str
    mountpoint: str
    fstype: str
    readonly: bool
    size: int
    free: int
    avail: int
    files: int
    files_free: int

    @property
    def used_ratio(self) -> float | None:
        """Share of the space that unprivileged users can fill that is used, as ``df`` shows it."""
        used = self.size - self.free
        usable = used + self.avail
        if usable <= 0:
            return None
        return used / usable


@dataclass(frozen=True, slots=True)
class SkippedFilesystem:
    """A mounted file system whose statvfs call failed or did not return in time."""

    device: str
    mountpoint: str
    fstype: str
    reason: str
    error: str


@dataclass(frozen=True, slots=True)
class InterfaceStats:
    """Counters of one network interface since it was created, from /proc/net/dev."""

    device: str
    receive_bytes: int
    receive_packets: int
    receive_errs: int
    receive_drop: int
    transmit_bytes: int
    transmit_packets: int
    transmit_errs: int
    transmit_drop: int


@dataclass(frozen=True, slots=True)
class HostStats:
    """One reading of the machine that runs the daemon, and of the daemon's process.

    Times are seconds (``time`` and ``boot_time`` since the Unix epoch),
    sizes are bytes. ``cpu_busy_ratio`` is the share of CPU time spent
    outside idle and iowait over the probe's sample window, or None when
    no window was sampled.

    >>> result = asyncio.run(probe("localhost-daemon"))  # doctest: +SKIP
    >>> result.detail.memory.total == result.values["memory_total_bytes"]  # doctest: +SKIP
    True
    """

    time: float
    boot_time: float
    cpu_count: int
    cpu_times: tuple[CpuTimes, ...]
    cpu_busy_ratio: float | None
    load1: float
    load5: float
    load15: float
    memory: MemoryStats
    swap: SwapStats
    filesystems: tuple[FilesystemStats, ...]
    skipped_filesystems: tuple[SkippedFilesystem, ...]
    interfaces: tuple[InterfaceStats, ...]
    process_resident_memory_bytes: int
    process_cpu_seconds: float


class Mount(NamedTuple):
    """One line of the mount table, as psutil.disk_partitions returns it."""

    device: str
    mountpoint: str
    fstype: str
    opts: str


async def probe(target: str, settings: HostSettings | None = None) -> base.ProbeResult:
    """Read the resource usage of this machine and of the daemon's own process."""
    settings = settings or HostSettings()
    started = time.time()
    clock = time.monotonic()

    try:
        # The file systems are read during the CPU sample window, so the
        # window adds nothing to the probe's duration unless a mount is slow.
        cpu_before = None
        if settings.cpu_sample_interval > 0:
            cpu_before = await asyncio.to_thread(_read_cpu_times)
        (filesystems, skipped), _ = await asyncio.gather(
            _collect_filesystems(settings), asyncio.sleep(settings.cpu_sample_interval)
        )

        stats = await asyncio.to_thread(_read_host, cpu_before, filesystems, skipped)
    except (OSError, psutil.Error) as exc:
        log.error(
            "reading host statistics failed. Check that /proc is mounted and readable "
            "by the service user: target=%s probe=%s error=%r",
            target,
            PROBE,
            exc,
        )
        return base.ProbeResult(
            target,
            PROBE,
            False,
            base.INTERNAL_ERROR,
            started,
            time.monotonic() - clock,
            message=f"{type(exc).__name__}: {exc}",
        )

    duration = time.monotonic() - clock
    return base.ProbeResult(
        target, PROBE, True, base.OK, started, duration, _headline_values(stats), stats
    )


def select_mounts(mounts: Iterable[Mount], settings: HostSettings) -> tuple[Mount, ...]:
    """Select the visible mount of each mount point that the rules of ``settings`` report.

    When several file systems are mounted on one mount point, only the last
    one mounted is visible, so only that one is kept.
    """
    visible: dict[str, Mount] = {}
    for mount in mounts:
        # Removing first makes the order of the result the order of the last mounts.
        visible.pop(mount.mountpoint, None)
        visible[mount.mountpoint] = mount
    return tuple(mount for mount in visible.values() if _is_reported(mount, settings))


def parse_meminfo(text: str) -> dict[str, int]:
    """Parse /proc/meminfo into a value per field, in bytes where the unit is kB.

    Lines without a field name or an unsigned decimal value are ignored.
    """
    fields: dict[str, int] = {}
    for line in text.splitlines():
        name, colon, rest = line.partition(":")
        words = rest.split()
        if not colon or not name.strip() or not words or not _UNSIGNED.fullmatch(words[0]):
            continue

        value = int(words[0])
        if len(words) > 1 and words[1] == "kB":
            value *= 1024
        fields[name.strip()] = value
    return fields


def _normalise_mountpoint(path: str) -> str:
    return path.rstrip("/") or "/"


def _is_at_or_below(path: str, roots: Iterable[str]) -> bool:
    for root in roots:
        root = _normalise_mountpoint(root)
        if root == "/" or path == root or path.startswith(root + "/"):
            return True
    return False


def _is_reported(mount: Mount, settings: HostSettings) -> bool:
    if _normalise_mountpoint(mount.mountpoint) in settings.include_mountpoints:
        return True
    if mount.fstype in settings.exclude_fstypes:
        return False
    if _is_at_or_below(mount.mountpoint, settings.exclude_mountpoints):
        return False
    return not (
        mount.fstype == "tmpfs"
        and _is_at_or_below(mount.mountpoint, settings.exclude_tmpfs_mountpoints)
    )


def _headline_values(stats: HostStats) -> dict[str, float]:
    values = {
        "cpu_count": float(stats.cpu_count),
        "load1": stats.load1,
        "load5": stats.load5,
        "load15": stats.load15,
        "memory_total_bytes": float(stats.memory.total),
        "memory_available_bytes": float(stats.memory.available),
        "filesystems": float(len(stats.filesystems)),
        "filesystems_skipped": float(len(stats.skipped_filesystems)),
        "boot_time_seconds": stats.boot_time,
        "process_resident_memory_bytes": float(stats.process_resident_memory_bytes),
        "process_cpu_seconds_total": stats.process_cpu_seconds,
    }
    if stats.cpu_busy_ratio is not None:
        values["cpu_busy_ratio"] = stats.cpu_busy_ratio
    if stats.memory.total > 0:
        values["memory_available_ratio"] = stats.memory.available / stats.memory.total
    if stats.swap.total > 0:
        values["swap_used_ratio"] = (stats.swap.total - stats.swap.free) / stats.swap.total

    ratios = [fs.used_ratio for fs in stats.filesystems if fs.used_ratio is not None]
    if ratios:
        values["filesystem_max_used_ratio"] = max(ratios)
    return values


# --- CPU, memory, network and process: fast reads of /proc, in one thread ---


def _read_cpu_times() -> tuple[CpuTimes, ...]:
    # NOTE: psutil returns per-CPU times in /proc/stat order without the
    # kernel's CPU ids, so while a CPU is offline the "cpu" of the CPUs after
    # it is their position, not their id.
    return tuple(
        CpuTimes(
            cpu=index,
            user=times.user,
            nice=times.nice,
            system=times.system,
            idle=times.idle,
            iowait=times.iowait,
            irq=times.irq,
            softirq=times.softirq,
            steal=times.steal,
            guest=times.guest,
            guest_nice=times.guest_nice,
        )
        for index, times in enumerate(psutil.cpu_times(percpu=True))
    )


def _busy_ratio(before: Sequence[CpuTimes], after: Sequence[CpuTimes]) -> float | None:
    """Share of CPU time outside idle and iowait between two readings of all CPUs."""
    if len(before) != len(after):
        return None  # a CPU went online or offline during the window

    total = 0.0
    idle = 0.0
    for first, second in zip(before, after, strict=True):
        total += _total_seconds(second) - _total_seconds(first)
        idle += (second.idle + second.iowait) - (first.idle + first.iowait)
    if total <= 0:
        return None
    # The kernel's iowait count can go backwards, so the ratio is clamped.
    return min(1.0, max(0.0, 1.0 - idle / total))


def _total_seconds(times: CpuTimes) -> float:
    # Guest time is left out because user and nice already include it.
    return (
        times.user
        + times.nice
        + times.system
        + times.idle
        + times.iowait
        + times.irq
        + times.softirq
        + times.steal
    )


def _read_memory() -> MemoryStats:
    virtual = psutil.virtual_memory()
    cached = virtual.cached
    meminfo_path = os.path.join(psutil.PROCFS_PATH, "meminfo")
    if os.path.exists(meminfo_path):
        with open(meminfo_path, encoding="ascii", errors="replace") as meminfo:
            cached = parse_meminfo(meminfo.read()).get("Cached", cached)
    return MemoryStats(
        total=virtual.total,
        available=virtual.available,
        free=virtual.free,
        buffers=virtual.buffers,
        cached=cached,
    )


def _read_swap() -> SwapStats:
    swap = psutil.swap_memory()
    return SwapStats(total=swap.total, free=swap.free, swapped_in=swap.sin, swapped_out=swap.sout)


def _read_interfaces() -> tuple[InterfaceStats, ...]:
    # nowrap=False gives the kernel's own counters. psutil's wrap correction
    # would carry the old totals over to an interface that was deleted and
    # created again, whereas Prometheus already handles counter resets.
    counters = psutil.net_io_counters(pernic=True, nowrap=False)
    return tuple(
        InterfaceStats(
            device=name,
            receive_bytes=nic.bytes_recv,
            receive_packets=nic.packets_recv,
            receive_errs=nic.errin,
            receive_drop=nic.dropin,
            transmit_bytes=nic.bytes_sent,
            transmit_packets=nic.packets_sent,
            transmit_errs=nic.errout,
            transmit_drop=nic.dropout,
        )
        for name, nic in sorted(counters.items())
    )


def _read_host(
    cpu_before: tuple[CpuTimes, ...] | None,
    filesystems: tuple[FilesystemStats, ...],
    skipped: tuple[SkippedFilesystem, ...],
) -> HostStats:
    cpu_times = _read_cpu_times()
    load1, load5, load15 = psutil.getloadavg()
    process = psutil.Process()
    with process.oneshot():
        rss = process.memory_info().rss
        process_times = process.cpu_times()

    return HostStats(
        time=time.time(),
        boot_time=psutil.boot_time(),
        cpu_count=psutil.cpu_count(logical=True) or len(cpu_times),
        cpu_times=cpu_times,
        cpu_busy_ratio=None if cpu_before is None else _busy_ratio(cpu_before, cpu_times),
        load1=load1,
        load5=load5,
        load15=load15,
        memory=_read_memory(),
        swap=_read_swap(),
        filesystems=filesystems,
        skipped_filesystems=skipped,
        interfaces=_read_interfaces(),
        process_resident_memory_bytes=rss,
        process_cpu_seconds=process_times.user + process_times.system,
    )


# --- File systems: one thread per statvfs call, with a timeout ---


class _StatvfsTracker:
    """Mount points with a statvfs call still running, and problems already logged.

    This state lives at module level because it mirrors threads that are
    blocked in the kernel, which outlive any one probe run.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[str] = set()
        self._logged: set[tuple[str, str]] = set()

    def start(self, mountpoint: str) -> bool:
        """Mark a statvfs call on ``mountpoint`` as running, or return False if one already is."""
        with self._lock:
            if mountpoint in self._running:
                return False
            self._running.add(mountpoint)
            return True

    def finish(self, mountpoint: str) -> None:
        """Mark the statvfs call on ``mountpoint`` as returned."""
        with self._lock:
            self._running.discard(mountpoint)

    def first_report(self, mountpoint: str, reason: str) -> bool:
        """Record a skip of ``mountpoint``, returning True for the first since it last worked."""
        with self._lock:
            if (mountpoint, reason) in self._logged:
                return False
            self._logged.add((mountpoint, reason))
            return True

    def recovered(self, mountpoint: str) -> bool:
        """Forget the logged problems of ``mountpoint`` and return True if there were any."""
        with self._lock:
            problems = {entry for entry in self._logged if entry[0] == mountpoint}
            self._logged -= problems
            return bool(problems)


_tracker = _StatvfsTracker()


async def _collect_filesystems(
    settings: HostSettings,
) -> tuple[tuple[FilesystemStats, ...], tuple[SkippedFilesystem, ...]]:
    partitions = await asyncio.to_thread(psutil.disk_partitions, True)
    mounts = select_mounts(
        (Mount(p.device, p.mountpoint, p.fstype, p.opts) for p in partitions), settings
    )
    outcomes = await asyncio.gather(
        *(_stat_filesystem(mount, settings.statfs_timeout) for mount in mounts)
    )

    filesystems = tuple(item for item in outcomes if isinstance(item, FilesystemStats))
    skipped = tuple(item for item in outcomes if isinstance(item, SkippedFilesystem))
    return filesystems, skipped


async def _stat_filesystem(mount: Mount, timeout: float) -> FilesystemStats | SkippedFilesystem:
    if not _tracker.start(mount.mountpoint):
        return _skip(mount, SKIP_TIMEOUT, "an earlier statvfs call has not returned yet")

    loop = asyncio.get_running_loop()
    future: asyncio.Future[os.statvfs_result] = loop.create_future()
    # Each call gets its own thread instead of asyncio.to_thread, because a
    # call that never returns would block a worker of the default executor,
    # which the daemon's other blocking work shares.
    thread = threading.Thread(
        target=_statvfs_in_thread,
        args=(mount.mountpoint, loop, future),
        name=f"pantau-statvfs {mount.mountpoint}",
        daemon=True,
    )
    thread.start()

    try:
        async with asyncio.timeout(timeout):
            result = await future
    except TimeoutError:
        return _skip(mount, SKIP_TIMEOUT, f"statvfs timed out after {timeout:g} s")
    except PermissionError as exc:
        return _skip(mount, SKIP_PERMISSION_DENIED, str(exc))
    except OSError as exc:
        return _skip(mount, SKIP_ERROR, str(exc))

    if _tracker.recovered(mount.mountpoint):
        log.info("file system readable again: probe=%s mountpoint=%s", PROBE, mount.mountpoint)
    return FilesystemStats(
        device=mount.device,
        mountpoint=mount.mountpoint,
        fstype=mount.fstype,
        readonly="ro" in mount.opts.split(","),
        # f_frsize is the unit of the block counts. psutil.disk_usage is not
        # used because it reports f_bavail as "free" and has no inode counts.
        size=result.f_blocks * result.f_frsize,
        free=result.f_bfree * result.f_frsize,
        avail=result.f_bavail * result.f_frsize,
        files=result.f_files,
        files_free=result.f_ffree,
    )


def _statvfs_in_thread(
    mountpoint: str,
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[os.statvfs_result],
) -> None:
    outcome: os.statvfs_result | OSError
    try:
        outcome = os.statvfs(mountpoint)
    except OSError as exc:
        outcome = exc
    finally:
        _tracker.finish(mountpoint)

    # The loop may have closed while statvfs was blocked, and then no coroutine
    # awaits the future any more.
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(_settle, future, outcome)


def _settle(
    future: asyncio.Future[os.statvfs_result], outcome: os.statvfs_result | OSError
) -> None:
    if future.done():
        return  # the caller timed out and cancelled the future
    if isinstance(outcome, OSError):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


def _skip(mount: Mount, reason: str, error: str) -> SkippedFilesystem:
    if _tracker.first_report(mount.mountpoint, reason):
        log.warning(
            "file system skipped until statvfs succeeds on it again: "
            "probe=%s mountpoint=%s fstype=%s reason=%s error=%s",
            PROBE,
            mount.mountpoint,
            mount.fstype,
            reason,
            error,
        )
    else:
        log.debug(
            "file system skipped again: probe=%s mountpoint=%s reason=%s",
            PROBE,
            mount.mountpoint,
            reason,
        )
    return SkippedFilesystem(mount.device, mount.mountpoint, mount.fstype, reason, error)
