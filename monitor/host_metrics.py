"""Prometheus metric families for the host probe, named like node_exporter's.

Each name is node_exporter's with the prefix ``pantau_node_`` in place of
``node_``, with node_exporter's labels and units, except the memory names
(see below). A dashboard built for
node_exporter therefore works after swapping the prefix, and the metrics do
not collide with a real node_exporter scraped by the same Prometheus. The
daemon's own process metrics come from prometheus_client's ProcessCollector
and are not repeated here.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from probes.host import HostStats

PREFIX = "pantau_node_"

# node_exporter names its memory metrics after /proc/meminfo fields, as in
# node_memory_MemTotal_bytes. promtool check metrics rejects such names as not
# snake_case, so they are lower-cased here. For example
# pantau_node_memory_total_bytes is node_memory_MemTotal_bytes, and
# pantau_node_memory_swap_free_bytes is node_memory_SwapFree_bytes.

# node_exporter's modes of node_cpu_seconds_total. Guest time is a metric of
# its own because user and nice already include it.
_CPU_MODES = ("idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user")

# (metric name after the prefix, MemoryStats or SwapStats field, help text)
_MEMORY = (
    ("memory_total_bytes", "total", "Physical memory, MemTotal in /proc/meminfo."),
    (
        "memory_available_bytes",
        "available",
        "Memory available for new work without swapping, MemAvailable in /proc/meminfo.",
    ),
    ("memory_free_bytes", "free", "Unused physical memory, MemFree in /proc/meminfo."),
    ("memory_buffers_bytes", "buffers", "Block device buffers, Buffers in /proc/meminfo."),
    ("memory_cached_bytes", "cached", "Page cache, Cached in /proc/meminfo."),
)
_SWAP = (
    ("memory_swap_total_bytes", "total", "Swap space, SwapTotal in /proc/meminfo."),
    ("memory_swap_free_bytes", "free", "Unused swap space, SwapFree in /proc/meminfo."),
)

# (metric name after the prefix, FilesystemStats field, help text)
_FILESYSTEM = (
    ("filesystem_size_bytes", "size", "File system size in bytes."),
    ("filesystem_free_bytes", "free", "Free space in bytes, including blocks reserved for root."),
    ("filesystem_avail_bytes", "avail", "Space in bytes that unprivileged users can fill."),
    ("filesystem_files", "files", "Inodes of the file system."),
    ("filesystem_files_free", "files_free", "Free inodes of the file system."),
)

# (metric name after the prefix without "_total", InterfaceStats field, help text)
_NETWORK = (
    ("network_receive_bytes", "receive_bytes", "Bytes received by the interface."),
    ("network_transmit_bytes", "transmit_bytes", "Bytes sent by the interface."),
    ("network_receive_packets", "receive_packets", "Packets received by the interface."),
    ("network_transmit_packets", "transmit_packets", "Packets sent by the interface."),
    ("network_receive_errs", "receive_errs", "Receive errors of the interface."),
    ("network_transmit_errs", "transmit_errs", "Transmit errors of the interface."),
    ("network_receive_drop", "receive_drop", "Received packets dropped by the interface."),
    ("network_transmit_drop", "transmit_drop", "Packets to send dropped by the interface."),
)

_FILESYSTEM_LABELS = ("device", "mountpoint", "fstype")


def host_metric_families(stats: HostStats) -> Iterator[Metric]:
    """Build the metric families of one host reading, for a custom collector."""
    yield from _cpu_families(stats)

    for period, value in (("1", stats.load1), ("5", stats.load5), ("15", stats.load15)):
        yield GaugeMetricFamily(
            f"{PREFIX}load{period}", f"{period}-minute load average.", value=value
        )

    for name, attribute, documentation in _MEMORY:
        yield GaugeMetricFamily(
            PREFIX + name, documentation, value=getattr(stats.memory, attribute)
        )
    for name, attribute, documentation in _SWAP:
        yield GaugeMetricFamily(PREFIX + name, documentation, value=getattr(stats.swap, attribute))

    yield from _filesystem_families(stats)
    yield from _network_families(stats)

    yield GaugeMetricFamily(
        PREFIX + "boot_time_seconds",
        "Time the machine booted, in seconds since the Unix epoch.",
        value=stats.boot_time,
    )
    yield GaugeMetricFamily(
        PREFIX + "time_seconds",
        "System time when the host probe last ran, in seconds since the Unix epoch.",
        value=stats.time,
    )


def _cpu_families(stats: HostStats) -> Iterator[Metric]:
    seconds = CounterMetricFamily(
        PREFIX + "cpu_seconds_total",
        "Seconds the CPUs have spent in each mode since boot.",
        labels=("cpu", "mode"),
    )
    guest = CounterMetricFamily(
        PREFIX + "cpu_guest_seconds_total",
        "Seconds the CPUs have spent running virtual machines, also counted in user and nice.",
        labels=("cpu", "mode"),
    )
    for times in stats.cpu_times:
        cpu = str(times.cpu)
        for mode in _CPU_MODES:
            seconds.add_metric((cpu, mode), getattr(times, mode))
        guest.add_metric((cpu, "user"), times.guest)
        guest.add_metric((cpu, "nice"), times.guest_nice)
    yield seconds
    yield guest


def _filesystem_families(stats: HostStats) -> Iterator[Metric]:
    for name, attribute, documentation in _FILESYSTEM:
        family = GaugeMetricFamily(PREFIX + name, documentation, labels=_FILESYSTEM_LABELS)
        for fs in stats.filesystems:
            family.add_metric((fs.device, fs.mountpoint, fs.fstype), getattr(fs, attribute))
        yield family

    readonly = GaugeMetricFamily(
        PREFIX + "filesystem_readonly",
        "1 if the file system is mounted read-only, else 0.",
        labels=_FILESYSTEM_LABELS,
    )
    for fs in stats.filesystems:
        readonly.add_metric((fs.device, fs.mountpoint, fs.fstype), 1.0 if fs.readonly else 0.0)
    yield readonly

    # A skipped file system appears only here, with the value 1: its size
    # metrics are left out rather than reported as zero.
    device_error = GaugeMetricFamily(
        PREFIX + "filesystem_device_error",
        "1 if statvfs on the file system failed or timed out in the last run, else 0.",
        labels=_FILESYSTEM_LABELS,
    )
    for fs in stats.filesystems:
        device_error.add_metric((fs.device, fs.mountpoint, fs.fstype), 0.0)
    for skipped in stats.skipped_filesystems:
        device_error.add_metric((skipped.device, skipped.mountpoint, skipped.fstype), 1.0)
    yield device_error


def _network_families(stats: HostStats) -> Iterator[Metric]:
    for name, attribute, documentation in _NETWORK:
        family = CounterMetricFamily(PREFIX + name, documentation, labels=("device",))
        for interface in stats.interfaces:
            family.add_metric((interface.device,), getattr(interface, attribute))
        yield family
