"""Prometheus collector over the latest snapshot, and the HTTP endpoint.

Nothing here probes: a scrape only reads ``MetricsStore``, so a slow device
never slows Prometheus. The registry is private to the daemon.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import platform
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import bcrypt
from prometheus_client import CollectorRegistry, make_wsgi_app
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    InfoMetricFamily,
    Metric,
)
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

import monitor
from monitor import state as status
from monitor.config import WebConfig, load_tls_context
from monitor.service_metrics import service_metric_families
from monitor.snapshot import (
    RTT_BUCKETS,
    SCHEDULER_LAG_BUCKETS,
    MetricsStore,
    TargetMetrics,
)
from monitor.snmp_view import snmp_metric_families

if TYPE_CHECKING:
    from monitor.alerts.sender import ChannelStats
    from monitor.storage import StorageStats

log = logging.getLogger(__name__)

TARGET_LABELS = ("target", "group", "network")
RTT_STATISTICS = ("min", "median", "mean", "max", "stddev")


class PantauCollector(Collector):
    """Build every pantau_* metric family fresh from the store at each scrape."""

    def __init__(
        self,
        store: MetricsStore,
        extra: Iterable[Callable[[], Iterable[Metric]]] = (),
    ) -> None:
        self._store = store
        self._extra = tuple(extra)

    def collect(self) -> Iterator[Metric]:
        targets = self._store.targets()
        yield from _target_families(targets)
        yield from _icmp_families(targets)
        yield from snmp_metric_families(
            (_labels(metrics), metrics.snmp)
            for metrics in targets.values()
            if metrics.snmp is not None
        )
        yield from service_metric_families(
            [(_labels(metrics), metrics.last) for metrics in targets.values()]
        )
        yield from _health_families(self._store)
        for source in self._extra:
            yield from source()


def _labels(metrics: TargetMetrics) -> list[str]:
    target = metrics.target
    return [target.name, target.group, target.network]


def _target_families(targets: dict[str, TargetMetrics]) -> Iterator[Metric]:
    info = InfoMetricFamily(
        "pantau_target",
        'Configured target; expect is "unreachable" for an isolation check.',
        labels=[*TARGET_LABELS, "address", "parent", "expect"],
    )
    reason = GaugeMetricFamily(
        "pantau_target_status_reason",
        "Reason of the target's current status (a probe reason, parent_down, "
        "isolation_breached, or the degraded limit crossed); always 1.",
        labels=[*TARGET_LABELS, "reason"],
    )
    flapping = GaugeMetricFamily(
        "pantau_target_flapping",
        "1 while the target's status changes too often to alert on each change.",
        labels=list(TARGET_LABELS),
    )
    state = GaugeMetricFamily(
        "pantau_target_status",
        "Status of the target: 1 for the current status, 0 for the others.",
        labels=[*TARGET_LABELS, "status"],
    )
    since = GaugeMetricFamily(
        "pantau_target_status_since_timestamp_seconds",
        "Unix time at which the target entered its current status.",
        labels=list(TARGET_LABELS),
    )
    success = GaugeMetricFamily(
        "pantau_probe_success",
        "1 if the last run of the probe succeeded, else 0.",
        labels=[*TARGET_LABELS, "probe"],
    )
    duration = GaugeMetricFamily(
        "pantau_probe_duration_seconds",
        "How long the last run of the probe took.",
        labels=[*TARGET_LABELS, "probe"],
    )
    last_run = GaugeMetricFamily(
        "pantau_probe_last_run_timestamp_seconds",
        "Unix time at which the last run of the probe started.",
        labels=[*TARGET_LABELS, "probe"],
    )
    for metrics in targets.values():
        labels = _labels(metrics)
        target = metrics.target
        info.add_metric([*labels, target.address, target.parent or "", target.expect], {})
        view = metrics.state
        if view.status is not None:
            for name in status.STATUSES:
                state.add_metric([*labels, name], 1.0 if view.status == name else 0.0)
            reason.add_metric([*labels, view.reason], 1.0)
            flapping.add_metric(labels, 1.0 if view.flapping else 0.0)
        if view.since is not None:
            since.add_metric(labels, view.since)
        for probe, result in metrics.last.items():
            success.add_metric([*labels, probe], 1.0 if result.success else 0.0)
            duration.add_metric([*labels, probe], result.duration)
            last_run.add_metric([*labels, probe], result.started)
    yield from (info, state, reason, flapping, since, success, duration, last_run)


def _icmp_families(targets: dict[str, TargetMetrics]) -> Iterator[Metric]:
    labels = [*TARGET_LABELS, "ip_version"]
    sent = CounterMetricFamily(
        "pantau_icmp_packets_sent", "ICMP echo requests sent.", labels=labels
    )
    received = CounterMetricFamily(
        "pantau_icmp_packets_received",
        "ICMP echo replies received in time, duplicates excluded.",
        labels=labels,
    )
    duplicates = CounterMetricFamily(
        "pantau_icmp_duplicate_replies", "Duplicate ICMP echo replies received.", labels=labels
    )
    late = CounterMetricFamily(
        "pantau_icmp_late_replies",
        "ICMP echo replies that arrived after their timeout, counted as lost.",
        labels=labels,
    )
    rtt = HistogramMetricFamily(
        "pantau_icmp_rtt_seconds", "Round-trip time of each ICMP echo.", labels=labels
    )
    last_rtt = GaugeMetricFamily(
        "pantau_icmp_last_rtt_seconds",
        "Round-trip time statistic over the last burst; absent when nothing answered.",
        labels=[*labels, "stat"],
    )
    last_loss = GaugeMetricFamily(
        "pantau_icmp_last_loss_ratio",
        "Share of echo requests of the last burst that got no reply in time (0 to 1).",
        labels=labels,
    )
    for metrics in targets.values():
        base_labels = _labels(metrics)
        for version, totals in metrics.icmp.items():
            row = [*base_labels, str(version)]
            sent.add_metric(row, totals.sent)
            received.add_metric(row, totals.received)
            duplicates.add_metric(row, totals.duplicates)
            late.add_metric(row, totals.late)
            rtt.add_metric(row, _cumulative(totals.rtt_buckets, RTT_BUCKETS), totals.rtt_sum)
        result = metrics.last.get("icmp")
        if result is None or "ip_version" not in result.values:
            continue
        row = [*base_labels, str(int(result.values["ip_version"]))]
        last_loss.add_metric(row, result.values["loss_ratio"])
        for statistic in RTT_STATISTICS:
            value = result.values.get(f"rtt_{statistic}_seconds")
            if value is not None:
                last_rtt.add_metric([*row, statistic], value)
    yield from (sent, received, duplicates, late, rtt, last_rtt, last_loss)


def _cumulative(counts: tuple[int, ...], bounds: tuple[float, ...]) -> list[tuple[str, float]]:
    buckets = []
    running = 0
    for bound, count in zip((*map(str, bounds), "+Inf"), counts, strict=True):
        running += count
        buckets.append((bound, float(running)))
    return buckets


def _health_families(store: MetricsStore) -> Iterator[Metric]:
    health = store.health()
    build = InfoMetricFamily(
        "pantau_build", "Version of Pantau and of the Python running it.", labels=[]
    )
    build.add_metric(
        [], {"version": monitor.__version__, "python_version": platform.python_version()}
    )
    yield build

    yield GaugeMetricFamily(
        "pantau_config_last_reload_successful",
        "1 if the last configuration load or reload succeeded, else 0.",
        value=1.0 if health.config_reload_successful else 0.0,
    )
    yield GaugeMetricFamily(
        "pantau_config_last_reload_success_timestamp_seconds",
        "Unix time of the last successful configuration load or reload.",
        value=health.config_reload_timestamp,
    )
    skipped = CounterMetricFamily(
        "pantau_scheduler_skipped_runs",
        "Probe runs not started on time: missed (late beyond grace) or max_instances "
        "(the previous run still going).",
        labels=["reason"],
    )
    for reason in ("missed", "max_instances"):
        skipped.add_metric([reason], health.skipped_runs.get(reason, 0))
    yield skipped
    yield CounterMetricFamily(
        "pantau_probe_timeouts",
        "Probe runs cut off because they exceeded their run timeout.",
        value=health.probe_timeouts,
    )
    lag = HistogramMetricFamily(
        "pantau_scheduler_lag_seconds",
        "Delay between the time a probe run was scheduled and the time it started.",
    )
    lag.add_metric([], _cumulative(health.lag_buckets, SCHEDULER_LAG_BUCKETS), health.lag_sum)
    yield lag
    if health.icmp_mode:
        mode = InfoMetricFamily("pantau_icmp_socket", "Kind of ICMP socket in use.", labels=[])
        mode.add_metric([], {"mode": health.icmp_mode})
        yield mode


def build_registry(
    store: MetricsStore, extra: Iterable[Callable[[], Iterable[Metric]]] = ()
) -> CollectorRegistry:
    """Create the daemon's private registry: pantau_* plus process_* metrics."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(PantauCollector(store, extra))
    ProcessCollector(registry=registry)
    return registry


# A client must finish the TLS handshake and send its request within this time.
CLIENT_TIMEOUT = 30.0
# How long a successful password check is remembered: bcrypt is slow by design.
AUTH_CACHE_SECONDS = 60.0
REALM = "pantau"


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True

    def finish_request(self, request: Any, client_address: Any) -> None:
        # Runs in the request's own thread, so a slow TLS handshake delays no other request.
        if isinstance(request, ssl.SSLSocket):
            request.settimeout(CLIENT_TIMEOUT)
            try:
                request.do_handshake()
            except (OSError, ValueError) as error:
                log.debug("http: TLS handshake with %s failed: %s", client_address[0], error)
                return
        super().finish_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("http: request from %s failed", client_address[0], exc_info=True)


class _ThreadingServer6(_ThreadingServer):
    address_family = socket.AF_INET6


class _QuietHandler(WSGIRequestHandler):
    timeout = CLIENT_TIMEOUT

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("http: " + format, *args)


class BasicAuth:
    """Check HTTP basic credentials against bcrypt hashes.

    A successful check is remembered for ``cache_seconds`` (by a SHA-256 of
    the password, compared in constant time), so that Prometheus scraping
    every few seconds does not pay for bcrypt each time. Failed checks are not
    remembered. The password is never logged.
    """

    def __init__(self, users: Mapping[str, str], cache_seconds: float = AUTH_CACHE_SECONDS) -> None:
        self._users = {name: hashed.encode() for name, hashed in users.items()}
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[bytes, float]] = {}
        self._lock = threading.Lock()
        # Checked for an unknown user, so that its check takes as long as a known one's.
        self._dummy = bcrypt.hashpw(b"pantau", bcrypt.gensalt(rounds=10))

    def check(self, header: str | None) -> bool:
        """Return whether the Authorization header carries a valid user and password."""
        credentials = _parse_basic(header)
        if credentials is None:
            return False
        user, password = credentials
        digest = hashlib.sha256(password).digest()
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(user)
        if cached is not None and cached[1] > now and hmac.compare_digest(cached[0], digest):
            return True
        hashed = self._users.get(user)
        valid = bcrypt.checkpw(password, hashed if hashed is not None else self._dummy)
        if not valid or hashed is None:
            return False
        with self._lock:
            self._cache[user] = (digest, now + self._cache_seconds)
        return True


def _parse_basic(header: str | None) -> tuple[str, bytes] | None:
    if not header:
        return None
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    user, separator, password = decoded.partition(b":")
    if not separator:
        return None
    return user.decode("utf-8", "replace"), password


class MetricsServer:
    """HTTP endpoint: /metrics (Prometheus), /healthz (event loop alive).

    With a ``web`` configuration, the endpoint speaks TLS (1.2 or newer) when
    it names a certificate, and responds 401 to every request without valid
    basic credentials when it names users.
    """

    def __init__(
        self,
        host: str,
        port: int,
        registry: CollectorRegistry,
        is_healthy: Callable[[], tuple[bool, str]],
        web: WebConfig | None = None,
    ) -> None:
        metrics_app = make_wsgi_app(registry)
        auth = BasicAuth(web.users) if web is not None and web.users else None

        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            if auth is not None and not auth.check(environ.get("HTTP_AUTHORIZATION")):
                start_response(
                    "401 Unauthorized",
                    [
                        ("Content-Type", "text/plain; charset=utf-8"),
                        ("WWW-Authenticate", f'Basic realm="{REALM}"'),
                    ],
                )
                return [b"unauthorized\n"]
            path = environ.get("PATH_INFO", "/")
            if path == "/metrics":
                return metrics_app(environ, start_response)
            if path == "/healthz":
                healthy, text = is_healthy()
                code = "200 OK" if healthy else "503 Service Unavailable"
                start_response(code, [("Content-Type", "text/plain; charset=utf-8")])
                return [text.encode() + b"\n"]
            if path == "/":
                start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
                return [_INDEX]
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found: try /metrics or /healthz\n"]

        context = None
        if web is not None and web.cert_file is not None and web.key_file is not None:
            context = load_tls_context(web.cert_file, web.key_file)
        server_class = _ThreadingServer6 if ":" in host else _ThreadingServer
        self._server = make_server(
            host, port, app, server_class=server_class, handler_class=_QuietHandler
        )
        if context is not None:
            self._server.socket = context.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
        self.tls = context is not None
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="metrics-http", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


_INDEX = (
    b"<!doctype html><html><head><title>Pantau</title></head><body>"
    b"<h1>Pantau</h1><p><a href='/metrics'>/metrics</a> &middot; "
    b"<a href='/healthz'>/healthz</a></p></body></html>\n"
)


def heartbeat_checker(
    last_beat: Callable[[], float], max_age: float
) -> Callable[[], tuple[bool, str]]:
    """Return a health check that fails when the loop's heartbeat is older than max_age."""

    def check() -> tuple[bool, str]:
        age = time.monotonic() - last_beat()
        if age > max_age:
            return False, f"event loop stalled: last heartbeat {age:.1f} s ago"
        return True, "ok"

    return check


def notification_families(stats: Mapping[str, ChannelStats]) -> Iterator[Metric]:
    """Build the delivery metrics of every chat channel from the sender's figures."""
    sent = CounterMetricFamily(
        "pantau_notifications_sent",
        "Message parts that the chat service accepted, since the daemon started.",
        labels=["channel"],
    )
    failed = CounterMetricFamily(
        "pantau_notifications_failed",
        "Failed attempts to send a message part, since the daemon started.",
        labels=["channel"],
    )
    pending = GaugeMetricFamily(
        "pantau_notifications_pending",
        "Events queued for the channel and not yet delivered.",
        labels=["channel"],
    )
    oldest = GaugeMetricFamily(
        "pantau_notifications_oldest_pending_age_seconds",
        "Seconds the oldest undelivered event of the channel has waited; 0 when none waits.",
        labels=["channel"],
    )
    for channel, figures in sorted(stats.items()):
        sent.add_metric([channel], figures.sent)
        failed.add_metric([channel], figures.failed)
        pending.add_metric([channel], figures.pending)
        oldest.add_metric([channel], figures.oldest_pending_age)
    yield from (sent, failed, pending, oldest)


def storage_families(stats: StorageStats) -> Iterator[Metric]:
    """Build the metrics of the database writer, so a full disk shows on dashboards."""
    yield CounterMetricFamily(
        "pantau_storage_rows_written",
        "Rows and operations committed to the database since the daemon started.",
        value=stats.rows_written,
    )
    yield CounterMetricFamily(
        "pantau_storage_write_errors",
        "Failed attempts to commit a batch (disk full, database locked, I/O error).",
        value=stats.write_errors,
    )
    yield CounterMetricFamily(
        "pantau_storage_dropped",
        "Probe results dropped because the write queue was full.",
        value=stats.dropped,
    )
    yield GaugeMetricFamily(
        "pantau_storage_queue_depth",
        "Rows and operations waiting for the database writer.",
        value=stats.queue_depth,
    )
    if stats.last_commit_time is not None:
        yield GaugeMetricFamily(
            "pantau_storage_last_commit_timestamp_seconds",
            "Unix time of the last successful commit.",
            value=stats.last_commit_time,
        )
