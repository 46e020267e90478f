"""Tests of the host probe and its metric families against what /proc shows.

Tests that mount file systems run in a forked child with a private mount
namespace, so their mounts are invisible to the rest of the machine and
vanish with the child even when a test fails. They need root.
"""

from __future__ import annotations

import asyncio
import ctypes
import dataclasses
import os
import pickle
import re
import select
import signal
import subprocess
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import psutil
import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import Metric

from monitor.host_metrics import PREFIX, host_metric_families
from probes import base
from probes.host import (
    SKIP_PERMISSION_DENIED,
    SKIP_TIMEOUT,
    FilesystemStats,
    HostSettings,
    HostStats,
    Mount,
    SkippedFilesystem,
    parse_meminfo,
    probe,
    select_mounts,
)

T = TypeVar("T")

MIB = 1024 * 1024
TARGET = "localhost-daemon"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Leaving out the CPU sample window keeps each probe run short. The tests
# that pass no settings cover the default window.
NO_CPU_SAMPLE = HostSettings(cpu_sample_interval=0)

needs_root = pytest.mark.usefixtures("_root")
needs_fuse = pytest.mark.usefixtures("_fuse")


@pytest.fixture
def _root() -> None:
    if os.geteuid() != 0:
        pytest.fail("mounting file systems needs root: run the tests as root", pytrace=False)


@pytest.fixture
def _fuse() -> None:
    if not Path("/dev/fuse").exists():
        pytest.fail("/dev/fuse is missing: load the fuse module (modprobe fuse)", pytrace=False)


_libc = ctypes.CDLL(None, use_errno=True)
_CLONE_NEWNS = 0x00020000
_MS_RDONLY = 0x1
_MS_REC = 0x4000
_MS_PRIVATE = 1 << 18
_PR_SET_DUMPABLE = 4
_NOBODY = 65534


# --- helpers: /proc readers, mounts in a private namespace ---


def run_probe(settings: HostSettings | None = None) -> tuple[HostStats, dict[str, float]]:
    result = asyncio.run(probe(TARGET, settings))
    assert result.success, result.message
    assert isinstance(result.detail, HostStats)
    return result.detail, dict(result.values)


def meminfo_bytes(field: str) -> int:
    return parse_meminfo(Path("/proc/meminfo").read_text())[field]


def proc_stat() -> tuple[list[list[int]], int]:
    """Return the tick counts of each CPU line and the boot time from /proc/stat."""
    per_cpu: list[list[int]] = []
    boot_time = -1
    for line in Path("/proc/stat").read_text().splitlines():
        words = line.split()
        if re.fullmatch(r"cpu[0-9]+", words[0]):
            per_cpu.append([int(word) for word in words[1:]])
        elif words[0] == "btime":
            boot_time = int(words[1])
    return per_cpu, boot_time


def proc_net_dev(device: str) -> list[int]:
    for line in Path("/proc/net/dev").read_text().splitlines()[2:]:
        name, _, counters = line.partition(":")
        if name.strip() == device:
            return [int(word) for word in counters.split()]
    raise LookupError(device)


def proc_loadavg() -> list[float]:
    return [float(word) for word in Path("/proc/loadavg").read_text().split()[:3]]


def proc_self_status_bytes(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)


def proc_self_cpu_seconds() -> float:
    # Fields 14 and 15 (utime, stime) of /proc/self/stat, counted after the
    # command name, which may contain spaces.
    fields = Path("/proc/self/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _check(return_code: int) -> None:
    if return_code != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))


def mount(source: str, target: Path, fstype: str, options: str = "", flags: int = 0) -> None:
    _check(
        _libc.mount(source.encode(), str(target).encode(), fstype.encode(), flags, options.encode())
    )


def run_in_mount_namespace(function: Callable[[], T]) -> T:
    """Run ``function`` in a forked child with a private mount namespace and return its result."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        try:
            _check(_libc.unshare(_CLONE_NEWNS))
            # Without this, mounts made below a shared mount would also
            # appear in the parent's namespace.
            _check(_libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None))
            outcome: tuple[str, Any] = ("result", function())
        except BaseException:
            outcome = ("error", traceback.format_exc())
        try:
            with os.fdopen(write_fd, "wb") as pipe:
                pickle.dump(outcome, pipe)
        finally:
            os._exit(0)

    os.close(write_fd)
    chunks = []
    with os.fdopen(read_fd, "rb") as pipe:
        # A safety net against a child stuck in the kernel, not a measurement.
        while select.select([pipe], [], [], 120)[0]:
            chunk = pipe.read1(65536)
            if not chunk:
                break
            chunks.append(chunk)
        else:
            os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)

    kind, value = pickle.loads(b"".join(chunks))
    if kind == "error":
        pytest.fail(f"the child process failed:\n{value}")
    return value


def filesystem_at(stats: HostStats, mountpoint: Path) -> FilesystemStats:
    matches = [fs for fs in stats.filesystems if fs.mountpoint == str(mountpoint)]
    assert len(matches) == 1, [fs.mountpoint for fs in stats.filesystems]
    return matches[0]


def skipped_at(stats: HostStats, mountpoint: Path) -> SkippedFilesystem:
    matches = [fs for fs in stats.skipped_filesystems if fs.mountpoint == str(mountpoint)]
    assert len(matches) == 1, stats.skipped_filesystems
    return matches[0]


def statvfs_threads(mountpoint: Path) -> int:
    name = f"pantau-statvfs {mountpoint}"
    return sum(1 for thread in threading.enumerate() if thread.name == name)


# --- parse_meminfo ---


def test_parse_meminfo_matches_proc_meminfo() -> None:
    text = Path("/proc/meminfo").read_text()
    fields = parse_meminfo(text)

    memtotal_line = next(line for line in text.splitlines() if line.startswith("MemTotal:"))
    assert fields["MemTotal"] == int(memtotal_line.split()[1]) * 1024
    assert "HugePages_Total" in fields
    assert len(fields) == len(text.splitlines())


def test_parse_meminfo_units_and_junk() -> None:
    text = "MemTotal:  2048 kB\nHugePages_Total: 3\nbroken line\nEmpty:\nBad: 12x kB\n: 5 kB\n"

    fields = parse_meminfo(text)

    assert fields == {"MemTotal": 2048 * 1024, "HugePages_Total": 3}


_FIELD_NAMES = st.text(
    alphabet=st.characters(codec="ascii", categories=("L", "N"), include_characters="_()"),
    min_size=1,
    max_size=20,
)


@given(
    st.dictionaries(
        _FIELD_NAMES, st.tuples(st.integers(0, 2**63), st.booleans()), min_size=1, max_size=30
    )
)
def test_parse_meminfo_roundtrip(fields: dict[str, tuple[int, bool]]) -> None:
    text = "".join(
        f"{name}:{' ' * 4}{value}{' kB' if in_kb else ''}\n"
        for name, (value, in_kb) in fields.items()
    )

    parsed = parse_meminfo(text)

    expected = {name: value * 1024 if in_kb else value for name, (value, in_kb) in fields.items()}
    assert parsed == expected


@given(st.text())
def test_parse_meminfo_arbitrary_text(text: str) -> None:
    parsed = parse_meminfo(text)

    assert all(value >= 0 for value in parsed.values())
    assert all(":" not in name for name in parsed)


# --- select_mounts ---


def _mount(mountpoint: str, fstype: str, device: str = "dev", opts: str = "rw") -> Mount:
    return Mount(device, mountpoint, fstype, opts)


@pytest.mark.parametrize(
    ("mountpoint", "fstype", "reported"),
    [
        ("/", "ext4", True),
        ("/srv/data", "xfs", True),
        ("/var/lib/docker/overlay2/abc/merged", "overlay", True),
        ("/mnt/arsip", "nfs4", True),
        ("/tmp", "tmpfs", True),
        ("/run", "tmpfs", False),
        ("/run/user/1000", "tmpfs", False),
        ("/run/media/noc/usb", "vfat", True),
        ("/dev/shm", "tmpfs", False),
        ("/dev", "devtmpfs", False),
        ("/proc", "proc", False),
        ("/sys", "sysfs", False),
        ("/sys/fs/cgroup", "tmpfs", False),
        ("/sys/fs/cgroup/unified", "cgroup2", False),
        ("/snap/core22/1380", "squashfs", False),
        ("/run/netns/opd", "nsfs", False),
        ("/running", "tmpfs", True),
    ],
)
def test_select_mounts_default_rules(mountpoint: str, fstype: str, reported: bool) -> None:
    selected = select_mounts([_mount(mountpoint, fstype)], HostSettings())

    assert (len(selected) == 1) is reported


def test_select_mounts_include_overrides_rules() -> None:
    settings = HostSettings(include_mountpoints=frozenset({"/run/", "/proc"}))
    mounts = [_mount("/run", "tmpfs"), _mount("/proc", "proc"), _mount("/run/lock", "tmpfs")]

    selected = select_mounts(mounts, settings)

    assert [mount.mountpoint for mount in selected] == ["/run", "/proc"]


def test_select_mounts_last_mount_wins() -> None:
    mounts = [
        _mount("/", "ext4", device="/dev/vda1"),
        _mount("/srv", "ext4", device="/dev/vdb1"),
        _mount("/var", "xfs"),
        _mount("/srv", "nfs4", device="nas:/srv"),
    ]

    selected = select_mounts(mounts, HostSettings())

    assert [(m.mountpoint, m.device) for m in selected] == [
        ("/", "/dev/vda1"),
        ("/var", "dev"),
        ("/srv", "nas:/srv"),
    ]


def test_select_mounts_overmount_hides_excluded() -> None:
    # The tmpfs mounted last over /srv is what users see, and it is reported.
    mounts = [_mount("/srv", "squashfs"), _mount("/srv", "tmpfs")]

    selected = select_mounts(mounts, HostSettings())

    assert selected == (_mount("/srv", "tmpfs"),)


_MOUNTPOINTS = st.sampled_from(
    [
        "/",
        "/tmp",
        "/run",
        "/run/user/1000",
        "/run/media/usb",
        "/dev/shm",
        "/proc",
        "/sys/fs/cgroup",
        "/srv/data",
        "/srvx",
        "/var/lib/docker/overlay2/x/merged",
    ]
)
_FSTYPES = st.sampled_from(
    ["ext4", "xfs", "tmpfs", "proc", "sysfs", "cgroup2", "overlay", "nfs4", "squashfs", "devtmpfs"]
)
_MOUNTS = st.lists(
    st.builds(_mount, _MOUNTPOINTS, _FSTYPES, device=st.sampled_from(["a", "b", "c"])),
    max_size=25,
)


def _reported_by_rules(mount: Mount) -> bool:
    """Restate the default rules with path components, independently of the module."""
    parts = Path(mount.mountpoint).parts
    top = parts[1] if len(parts) > 1 else ""
    if mount.fstype in {"proc", "sysfs", "cgroup2", "squashfs", "devtmpfs"}:
        return False
    if top in {"dev", "proc", "sys"}:
        return False
    return not (mount.fstype == "tmpfs" and top in {"dev", "run"})


@given(_MOUNTS, st.frozensets(_MOUNTPOINTS, max_size=3))
def test_select_mounts_properties(mounts: list[Mount], included: frozenset[str]) -> None:
    selected = select_mounts(mounts, HostSettings(include_mountpoints=included))

    last = {mount.mountpoint: mount for mount in mounts}
    selected_points = [mount.mountpoint for mount in selected]
    assert len(selected_points) == len(set(selected_points))
    for mount in selected:
        assert mount == last[mount.mountpoint]
    for mountpoint, mount in last.items():
        expected = mountpoint in included or _reported_by_rules(mount)
        assert (mountpoint in selected_points) is expected


# --- HostSettings ---


def test_settings_reject_zero_statfs_timeout() -> None:
    with pytest.raises(ValueError, match="statfs_timeout must be more than 0 s, got 0"):
        HostSettings(statfs_timeout=0)


def test_settings_reject_negative_sample_interval() -> None:
    with pytest.raises(ValueError, match="cpu_sample_interval must be 0 s or more, got -1"):
        HostSettings(cpu_sample_interval=-1)


def test_settings_normalise_collections() -> None:
    settings = HostSettings(
        exclude_fstypes={"proc"},  # type: ignore[arg-type]
        exclude_mountpoints=["/dev"],  # type: ignore[arg-type]
        include_mountpoints=frozenset({"/run/", "/"}),
    )

    assert settings.exclude_fstypes == frozenset({"proc"})
    assert settings.exclude_mountpoints == ("/dev",)
    assert settings.include_mountpoints == frozenset({"/run", "/"})


# --- probe against /proc ---


def test_probe_result_shape() -> None:
    result = asyncio.run(probe(TARGET))

    assert result.target == TARGET
    assert result.probe == "host"
    assert result.success is True
    assert result.reason == base.OK
    assert result.duration >= 0
    assert all(isinstance(value, float) for value in result.values.values())
    for key in ("cpu_busy_ratio", "memory_available_bytes", "filesystem_max_used_ratio"):
        assert key in result.values


def _assert_no_lists(value: object, path: str) -> None:
    assert not isinstance(value, list | dict | set), path
    if dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            _assert_no_lists(getattr(value, field.name), f"{path}.{field.name}")
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            _assert_no_lists(item, f"{path}[{index}]")


def test_stats_frozen_with_tuples() -> None:
    stats, _ = run_probe(NO_CPU_SAMPLE)

    _assert_no_lists(stats, "stats")
    with pytest.raises(dataclasses.FrozenInstanceError):
        stats.load1 = 0.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        stats.memory.total = 0  # type: ignore[misc]


def test_memory_matches_meminfo() -> None:
    cached_before = meminfo_bytes("Cached")

    stats, values = run_probe(NO_CPU_SAMPLE)

    cached_after = meminfo_bytes("Cached")
    assert stats.memory.total == meminfo_bytes("MemTotal")
    assert values["memory_total_bytes"] == float(meminfo_bytes("MemTotal"))
    assert 0 < stats.memory.available <= stats.memory.total
    assert 0 < stats.memory.free <= stats.memory.total
    assert values["memory_available_bytes"] == float(stats.memory.available)
    # The page cache moves while other work runs, hence the slack around
    # the readings taken before and after the probe.
    slack = 32 * MIB
    assert min(cached_before, cached_after) - slack <= stats.memory.cached
    assert stats.memory.cached <= max(cached_before, cached_after) + slack


def test_swap_matches_meminfo() -> None:
    stats, values = run_probe(NO_CPU_SAMPLE)

    assert stats.swap.total == meminfo_bytes("SwapTotal")
    assert 0 <= stats.swap.free <= stats.swap.total
    assert stats.swap.swapped_in >= 0
    assert stats.swap.swapped_out >= 0
    assert ("swap_used_ratio" in values) is (stats.swap.total > 0)


def test_cpu_count_matches_proc_stat() -> None:
    per_cpu, _ = proc_stat()

    stats, values = run_probe(NO_CPU_SAMPLE)

    assert stats.cpu_count == len(per_cpu)
    assert values["cpu_count"] == float(len(per_cpu))
    assert [times.cpu for times in stats.cpu_times] == list(range(len(per_cpu)))


def test_cpu_seconds_between_proc_readings() -> None:
    before, _ = proc_stat()

    stats, _ = run_probe(NO_CPU_SAMPLE)

    after, _ = proc_stat()
    # /proc/stat columns: user nice system idle iowait irq softirq steal guest guest_nice.
    modes = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
    for times, ticks_before, ticks_after in zip(stats.cpu_times, before, after, strict=True):
        for column, mode in enumerate(modes):
            if mode == "iowait":
                continue  # the kernel's iowait count may go backwards
            low = ticks_before[column] / CLOCK_TICKS
            high = ticks_after[column] / CLOCK_TICKS
            assert low <= getattr(times, mode) <= high, (times.cpu, mode)


def test_cpu_busy_ratio_sampled() -> None:
    _, values = run_probe(HostSettings(cpu_sample_interval=0.2))

    assert 0.0 <= values["cpu_busy_ratio"] <= 1.0


def test_cpu_busy_ratio_absent_without_sample() -> None:
    stats, values = run_probe(NO_CPU_SAMPLE)

    assert stats.cpu_busy_ratio is None
    assert "cpu_busy_ratio" not in values


def test_boot_time_matches_btime() -> None:
    _, btime = proc_stat()

    stats, values = run_probe(NO_CPU_SAMPLE)

    assert stats.boot_time == float(btime)
    assert values["boot_time_seconds"] == float(btime)
    assert stats.time > stats.boot_time


def test_load_average_between_readings() -> None:
    before = proc_loadavg()

    stats, values = run_probe(NO_CPU_SAMPLE)

    after = proc_loadavg()
    # /proc/loadavg rounds to two decimals, but psutil reads the unrounded value.
    for index, ours in enumerate((stats.load1, stats.load5, stats.load15)):
        low = min(before[index], after[index]) - 0.01
        high = max(before[index], after[index]) + 0.01
        assert low <= ours <= high, index
    assert values["load1"] == stats.load1


def test_loopback_counters_between_readings() -> None:
    before = proc_net_dev("lo")

    stats, _ = run_probe(NO_CPU_SAMPLE)

    after = proc_net_dev("lo")
    loopback = next(interface for interface in stats.interfaces if interface.device == "lo")
    # /proc/net/dev columns: rx bytes packets errs drop fifo frame compressed
    # multicast, then tx bytes packets errs drop ...
    columns = {
        "receive_bytes": 0,
        "receive_packets": 1,
        "receive_errs": 2,
        "receive_drop": 3,
        "transmit_bytes": 8,
        "transmit_packets": 9,
        "transmit_errs": 10,
        "transmit_drop": 11,
    }
    for attribute, column in columns.items():
        assert before[column] <= getattr(loopback, attribute) <= after[column], attribute


def test_interfaces_match_proc_net_dev() -> None:
    stats, _ = run_probe(NO_CPU_SAMPLE)

    lines = Path("/proc/net/dev").read_text().splitlines()[2:]
    names = sorted(line.partition(":")[0].strip() for line in lines)
    assert [interface.device for interface in stats.interfaces] == names


def test_process_memory_and_cpu() -> None:
    rss_before = proc_self_status_bytes("VmRSS")
    cpu_before = proc_self_cpu_seconds()

    stats, values = run_probe(NO_CPU_SAMPLE)

    rss_after = proc_self_status_bytes("VmRSS")
    cpu_after = proc_self_cpu_seconds()
    slack = 16 * MIB
    assert min(rss_before, rss_after) - slack <= stats.process_resident_memory_bytes
    assert stats.process_resident_memory_bytes <= max(rss_before, rss_after) + slack
    # psutil adds user and system seconds after dividing each by the clock
    # rate, so the sum may differ from the readings in the last float bit.
    rounding = 1e-9
    assert cpu_before - rounding <= stats.process_cpu_seconds <= cpu_after + rounding
    assert values["process_cpu_seconds_total"] == stats.process_cpu_seconds


def test_root_filesystem_matches_statvfs() -> None:
    stats, values = run_probe(NO_CPU_SAMPLE)

    root = filesystem_at(stats, Path("/"))
    expected = os.statvfs("/")
    assert root.size == expected.f_blocks * expected.f_frsize
    assert root.files == expected.f_files
    assert values["filesystems"] == float(len(stats.filesystems))
    assert 0.0 <= values["filesystem_max_used_ratio"] <= 1.0


def test_unreadable_procfs_fails_probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # psutil reads every file under PROCFS_PATH, so an empty folder there
    # makes its first read fail the way a missing /proc would.
    monkeypatch.setattr(psutil, "PROCFS_PATH", str(tmp_path))

    result = asyncio.run(probe(TARGET, NO_CPU_SAMPLE))

    assert result.success is False
    assert result.reason == base.INTERNAL_ERROR
    assert result.detail is None
    assert dict(result.values) == {}
    assert "FileNotFoundError" in result.message
    assert str(tmp_path) in result.message


# --- file systems mounted by the tests ---


def _tmpfs_stats(folder: Path) -> tuple[HostStats, dict[str, float]]:
    """Mount a 4 MiB tmpfs holding 1 MiB and a read-only tmpfs, then probe."""
    mountpoint = folder / "data"
    mountpoint.mkdir()
    mount("pantau-test", mountpoint, "tmpfs", "size=4m")
    (mountpoint / "payload").write_bytes(os.urandom(MIB))

    readonly = folder / "readonly"
    readonly.mkdir()
    mount("pantau-readonly", readonly, "tmpfs", "size=1m", flags=_MS_RDONLY)

    return run_probe(NO_CPU_SAMPLE)


@pytest.fixture(scope="module")
def tmpfs_probe(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, HostStats, dict]:
    if os.geteuid() != 0:
        pytest.fail("mounting file systems needs root: run the tests as root", pytrace=False)
    folder = tmp_path_factory.mktemp("mounts")
    stats, values = run_in_mount_namespace(lambda: _tmpfs_stats(folder))
    return folder, stats, values


@needs_root
def test_tmpfs_size_and_avail(tmpfs_probe: tuple[Path, HostStats, dict]) -> None:
    folder, stats, values = tmpfs_probe

    data = filesystem_at(stats, folder / "data")

    tolerance = 64 * 1024  # tmpfs rounds usage up to whole pages
    assert data.device == "pantau-test"
    assert data.fstype == "tmpfs"
    assert data.readonly is False
    assert abs(data.size - 4 * MIB) <= tolerance
    assert abs(data.avail - 3 * MIB) <= tolerance
    assert abs(data.free - 3 * MIB) <= tolerance
    assert data.files > data.files_free > 0
    assert data.used_ratio == pytest.approx(0.25, abs=0.02)
    assert values["filesystem_max_used_ratio"] >= data.used_ratio


@needs_root
def test_tmpfs_readonly_flag(tmpfs_probe: tuple[Path, HostStats, dict]) -> None:
    folder, stats, _ = tmpfs_probe

    readonly = filesystem_at(stats, folder / "readonly")

    assert readonly.readonly is True
    assert readonly.device == "pantau-readonly"


@needs_root
def test_tmpfs_mounts_leave_no_trace(tmpfs_probe: tuple[Path, HostStats, dict]) -> None:
    folder, _, _ = tmpfs_probe

    mounts = Path("/proc/self/mounts").read_text()

    assert str(folder) not in mounts


def _excluded_then_included(folder: Path) -> tuple[HostStats, HostStats]:
    mountpoint = folder / "volatile"
    mountpoint.mkdir()
    mount("pantau-volatile", mountpoint, "tmpfs", "size=1m")

    excluded = HostSettings(cpu_sample_interval=0, exclude_tmpfs_mountpoints=(str(folder),))
    included = dataclasses.replace(excluded, include_mountpoints=frozenset({str(mountpoint)}))
    return run_probe(excluded)[0], run_probe(included)[0]


@needs_root
def test_tmpfs_exclusion_and_inclusion(tmp_path: Path) -> None:
    excluded, included = run_in_mount_namespace(lambda: _excluded_then_included(tmp_path))

    mountpoint = str(tmp_path / "volatile")
    assert mountpoint not in [fs.mountpoint for fs in excluded.filesystems]
    assert mountpoint not in [fs.mountpoint for fs in excluded.skipped_filesystems]
    assert filesystem_at(included, tmp_path / "volatile").device == "pantau-volatile"


def _probe_as_nobody(folder: Path) -> tuple[HostStats, dict[str, float]]:
    locked = folder / "locked"
    mountpoint = locked / "data"
    mountpoint.mkdir(parents=True)
    mount("pantau-locked", mountpoint, "tmpfs", "size=1m")
    locked.chmod(0o700)
    # The user "nobody" cannot read Python under /root, so a first run as root
    # imports every module that the probe loads on first use.
    run_probe(NO_CPU_SAMPLE)

    os.setgroups([])
    os.setgid(_NOBODY)
    os.setuid(_NOBODY)
    # Changing the user makes the process non-dumpable, which would make its
    # own /proc entries unreadable. A daemon started as its user has no such
    # problem.
    _check(_libc.prctl(_PR_SET_DUMPABLE, 1, 0, 0, 0))
    return run_probe(NO_CPU_SAMPLE)


@needs_root
def test_permission_denied_mount_skipped(tmp_path: Path) -> None:
    stats, values = run_in_mount_namespace(lambda: _probe_as_nobody(tmp_path))

    skipped = skipped_at(stats, tmp_path / "locked" / "data")
    assert skipped.reason == SKIP_PERMISSION_DENIED
    assert skipped.device == "pantau-locked"
    assert skipped.fstype == "tmpfs"
    assert "Permission denied" in skipped.error
    assert values["filesystems_skipped"] == float(len(stats.skipped_filesystems))
    assert values["filesystems_skipped"] >= 1.0
    assert filesystem_at(stats, Path("/")).fstype


def _probe_with_hung_mount(folder: Path) -> dict[str, Any]:
    hung = folder / "hung"
    hung.mkdir()
    # A FUSE mount whose server never reads /dev/fuse: every statvfs on it
    # blocks until the device is closed, as on an NFS mount whose server is gone.
    fuse_device = os.open("/dev/fuse", os.O_RDWR)
    mount("pantau-hung", hung, "fuse", f"fd={fuse_device},rootmode=40000,user_id=0,group_id=0")
    healthy = folder / "healthy"
    healthy.mkdir()
    mount("pantau-healthy", healthy, "tmpfs", "size=1m")
    settings = HostSettings(cpu_sample_interval=0, statfs_timeout=0.3)

    first, first_values = run_probe(settings)
    threads_after_first = statvfs_threads(hung)
    second, _ = run_probe(settings)
    threads_after_second = statvfs_threads(hung)

    os.close(fuse_device)  # aborts the connection, so the blocked call returns
    return {
        "first": first,
        "first_values": first_values,
        "second": second,
        "threads_after_first": threads_after_first,
        "threads_after_second": threads_after_second,
    }


@needs_root
@needs_fuse
def test_hung_mount_skipped_one_thread(tmp_path: Path) -> None:
    outcome = run_in_mount_namespace(lambda: _probe_with_hung_mount(tmp_path))

    first = skipped_at(outcome["first"], tmp_path / "hung")
    assert first.reason == SKIP_TIMEOUT
    assert first.device == "pantau-hung"
    assert "statvfs timed out after 0.3 s" in first.error
    assert outcome["first_values"]["filesystems_skipped"] >= 1.0
    assert filesystem_at(outcome["first"], tmp_path / "healthy").device == "pantau-healthy"

    second = skipped_at(outcome["second"], tmp_path / "hung")
    assert second.reason == SKIP_TIMEOUT
    assert "earlier statvfs call has not returned yet" in second.error
    assert outcome["threads_after_first"] == 1
    assert outcome["threads_after_second"] == 1


# --- exposition ---


class HostCollector:
    """Custom collector over one fixed reading, as the exporter uses a snapshot."""

    def __init__(self, stats: HostStats) -> None:
        self._stats = stats

    def collect(self) -> Iterator[Metric]:
        return host_metric_families(self._stats)


def _registry(stats: HostStats) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=True)
    registry.register(HostCollector(stats))
    return registry


@pytest.fixture
def exposed(tmpfs_probe: tuple[Path, HostStats, dict]) -> tuple[Path, HostStats]:
    folder, stats, _ = tmpfs_probe
    skipped = SkippedFilesystem("nas:/arsip", "/mnt/arsip", "nfs4", SKIP_TIMEOUT, "timed out")
    return folder, dataclasses.replace(stats, skipped_filesystems=(skipped,))


@needs_root
def test_exposition_memory_and_load(exposed: tuple[Path, HostStats]) -> None:
    _, stats = exposed
    registry = _registry(stats)

    assert registry.get_sample_value("pantau_node_memory_total_bytes") == float(
        meminfo_bytes("MemTotal")
    )
    assert registry.get_sample_value("pantau_node_memory_available_bytes") == float(
        stats.memory.available
    )
    assert registry.get_sample_value("pantau_node_memory_free_bytes") == stats.memory.free
    assert registry.get_sample_value("pantau_node_memory_buffers_bytes") == stats.memory.buffers
    assert registry.get_sample_value("pantau_node_memory_cached_bytes") == stats.memory.cached
    assert registry.get_sample_value("pantau_node_memory_swap_total_bytes") == float(
        meminfo_bytes("SwapTotal")
    )
    assert registry.get_sample_value("pantau_node_memory_swap_free_bytes") == stats.swap.free
    assert registry.get_sample_value("pantau_node_load1") == stats.load1
    assert registry.get_sample_value("pantau_node_load5") == stats.load5
    assert registry.get_sample_value("pantau_node_load15") == stats.load15
    assert registry.get_sample_value("pantau_node_boot_time_seconds") == float(proc_stat()[1])
    assert registry.get_sample_value("pantau_node_time_seconds") == stats.time


@needs_root
def test_exposition_cpu(exposed: tuple[Path, HostStats]) -> None:
    _, stats = exposed
    registry = _registry(stats)

    for times in stats.cpu_times:
        for mode in ("idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"):
            labels = {"cpu": str(times.cpu), "mode": mode}
            value = registry.get_sample_value("pantau_node_cpu_seconds_total", labels)
            assert value == getattr(times, mode), labels
        labels = {"cpu": str(times.cpu), "mode": "user"}
        assert registry.get_sample_value("pantau_node_cpu_guest_seconds_total", labels) == (
            times.guest
        )
    guest_modes = {"cpu": "0", "mode": "guest"}
    assert registry.get_sample_value("pantau_node_cpu_seconds_total", guest_modes) is None


@needs_root
def test_exposition_filesystems(exposed: tuple[Path, HostStats]) -> None:
    folder, stats = exposed
    registry = _registry(stats)
    data = filesystem_at(stats, folder / "data")
    labels = {"device": "pantau-test", "mountpoint": str(folder / "data"), "fstype": "tmpfs"}
    skipped = {"device": "nas:/arsip", "mountpoint": "/mnt/arsip", "fstype": "nfs4"}

    assert registry.get_sample_value("pantau_node_filesystem_size_bytes", labels) == data.size
    assert registry.get_sample_value("pantau_node_filesystem_free_bytes", labels) == data.free
    assert registry.get_sample_value("pantau_node_filesystem_avail_bytes", labels) == data.avail
    assert registry.get_sample_value("pantau_node_filesystem_files", labels) == data.files
    assert registry.get_sample_value("pantau_node_filesystem_readonly", labels) == 0.0
    assert registry.get_sample_value("pantau_node_filesystem_device_error", labels) == 0.0
    assert registry.get_sample_value("pantau_node_filesystem_device_error", skipped) == 1.0
    assert registry.get_sample_value("pantau_node_filesystem_size_bytes", skipped) is None
    size = registry.get_sample_value("pantau_node_filesystem_size_bytes", labels)
    assert size is not None
    assert abs(size - 4 * MIB) <= 64 * 1024


@needs_root
def test_exposition_network(exposed: tuple[Path, HostStats]) -> None:
    _, stats = exposed
    registry = _registry(stats)
    loopback = next(interface for interface in stats.interfaces if interface.device == "lo")
    labels = {"device": "lo"}

    for name, attribute in [
        ("receive_bytes", "receive_bytes"),
        ("transmit_bytes", "transmit_bytes"),
        ("receive_packets", "receive_packets"),
        ("transmit_packets", "transmit_packets"),
        ("receive_errs", "receive_errs"),
        ("transmit_errs", "transmit_errs"),
        ("receive_drop", "receive_drop"),
        ("transmit_drop", "transmit_drop"),
    ]:
        value = registry.get_sample_value(f"pantau_node_network_{name}_total", labels)
        assert value == getattr(loopback, attribute), name


@needs_root
def test_exposition_names_prefixed(exposed: tuple[Path, HostStats]) -> None:
    _, stats = exposed

    names = [family.name for family in host_metric_families(stats)]

    assert len(names) == len(set(names))
    assert all(name.startswith(PREFIX) for name in names)
    assert not any(name.startswith(PREFIX + "process") for name in names)


@needs_root
def test_exposition_promtool_clean(exposed: tuple[Path, HostStats]) -> None:
    _, stats = exposed
    text = generate_latest(_registry(stats))

    checked = subprocess.run(
        ["promtool", "check", "metrics"], input=text, capture_output=True, check=False
    )

    assert (checked.stdout + checked.stderr).decode() == ""
    assert checked.returncode == 0
