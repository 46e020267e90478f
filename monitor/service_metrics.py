"""Prometheus families of the application-service checks (tcp, http, tls, dns).

Names follow blackbox_exporter where it has an equivalent: HTTP phases as
one family with a ``phase`` label, the certificate's expiry as a unix
timestamp. Every family is built from the last result of each check, so a
check removed from the configuration disappears at the next scrape.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric

from probes.base import ProbeResult

TARGET_LABELS = ("target", "group", "network")
HTTP_PHASES = ("resolve", "connect", "tls", "processing", "transfer")
# Probe kinds whose results may carry a certificate.
_CERT_PROBES = ("http", "tls")

_Row = tuple[list[str], Mapping[str, ProbeResult]]


def service_metric_families(rows: Sequence[_Row], now: float | None = None) -> Iterator[Metric]:
    """Yield the service-check families for (target labels, last results per probe) rows."""
    now = time.time() if now is None else now
    yield from _http_families(rows)
    yield from _tls_families(rows, now)
    yield from _tcp_families(rows)
    yield from _dns_families(rows)


def _gauge(name: str, help_text: str, *extra: str) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, help_text, labels=[*TARGET_LABELS, *extra])


def _http_families(rows: Sequence[_Row]) -> Iterator[Metric]:
    phases = _gauge(
        "pantau_http_duration_seconds",
        "Time of each phase of the last HTTP check, summed over its redirects.",
        "phase",
    )
    status = _gauge("pantau_http_status_code", "HTTP status code of the last answer.")
    redirects = _gauge("pantau_http_redirects", "Redirects followed by the last HTTP check.")
    size = _gauge(
        "pantau_http_response_size_bytes", "Bytes of the last answer's body that were read."
    )
    version = _gauge("pantau_http_version", "HTTP version of the last answer (1.1, 2).")
    match = _gauge(
        "pantau_http_content_match",
        "1 if the last body met every expected and rejected text or pattern, else 0.",
    )
    for labels, last in rows:
        result = last.get("http")
        if result is None:
            continue
        values = result.values
        for phase in HTTP_PHASES:
            _add(phases, [*labels, phase], values.get(f"{phase}_seconds"))
        _add(status, labels, values.get("status_code"))
        _add(redirects, labels, values.get("redirects"))
        _add(size, labels, values.get("response_bytes"))
        _add(version, labels, values.get("http_version"))
        _add(match, labels, values.get("content_match"))
    yield from (phases, status, redirects, size, version, match)


def _tls_families(rows: Sequence[_Row], now: float) -> Iterator[Metric]:
    expiry = _gauge(
        "pantau_tls_cert_expiry_timestamp_seconds",
        "Unix time at which the server's certificate expires (notAfter).",
        "probe",
    )
    days_left = _gauge(
        "pantau_tls_cert_days_left",
        "Days until the server's certificate expires, negative once it has.",
        "probe",
    )
    verified = _gauge(
        "pantau_tls_cert_verified",
        "1 if the certificate chain and name were verified, 0 if not or if verification is off.",
        "probe",
    )
    version = InfoMetricFamily(
        "pantau_tls_version",
        "TLS version and cipher of the last session.",
        labels=[*TARGET_LABELS, "probe", "version", "cipher"],
    )
    cert = InfoMetricFamily(
        "pantau_tls_cert",
        "Subject and issuer of the server's certificate.",
        labels=[*TARGET_LABELS, "probe", "subject", "issuer"],
    )
    for labels, last in rows:
        for probe in _CERT_PROBES:
            result = last.get(probe)
            if result is None:
                continue
            row = [*labels, probe]
            at = result.values.get("cert_expiry_timestamp_seconds")
            _add(expiry, row, at)
            if at is not None and math.isfinite(at):
                days_left.add_metric(row, round((at - now) / 86400, 3))
            _add(verified, row, result.values.get("cert_verified"))
            info = _tls_info(result)
            if info is not None:
                version.add_metric([*row, str(info.version), str(info.cipher)], {})
                cert.add_metric([*row, str(info.subject), str(info.issuer)], {})
    yield from (expiry, days_left, verified, version, cert)


def _tls_info(result: ProbeResult) -> Any:
    """Return the TlsInfo of a tls result or of an https result, or None."""
    detail = result.detail
    if detail is None:
        return None
    if result.probe == "http":
        return getattr(detail, "tls", None)
    return detail if hasattr(detail, "not_after") else None


def _tcp_families(rows: Sequence[_Row]) -> Iterator[Metric]:
    up = _gauge("pantau_tcp_port_up", "1 if the last TCP check of the port passed, else 0.", "port")
    connect = _gauge(
        "pantau_tcp_connect_seconds", "Time to connect to the port in the last TCP check.", "port"
    )
    for labels, last in rows:
        result = last.get("tcp")
        ports = getattr(result.detail, "ports", ()) if result is not None else ()
        for port in ports:
            row = [*labels, str(port.port)]
            up.add_metric(row, 1.0 if port.success else 0.0)
            _add(connect, row, port.connect_seconds)
    yield from (up, connect)


def _dns_families(rows: Sequence[_Row]) -> Iterator[Metric]:
    records = _gauge("pantau_dns_answer_records", "Records of the asked type in the last answer.")
    match = _gauge(
        "pantau_dns_answer_match", "1 if the last answer held every expected record, else 0."
    )
    for labels, last in rows:
        result = last.get("dns")
        if result is None:
            continue
        _add(records, labels, result.values.get("answer_records"))
        _add(match, labels, result.values.get("answer_match"))
    yield from (records, match)


def _add(family: GaugeMetricFamily, labels: list[str], value: float | None) -> None:
    if value is not None and math.isfinite(value):
        family.add_metric(labels, float(value))
