"""Application-service checks of a configured target: the probe requests and their runs.

The scheduler and ``pantau probe`` call :func:`run_check`. The settings of
each check come from the target's ``tcp``, ``http``, ``tls`` and ``dns``
tables (monitor/config_services.py), and the probes are under probes/.
"""

from __future__ import annotations

from collections.abc import Coroutine

from monitor.config import Target
from monitor.state import SERVICE_PROBES
from probes import base, dns, http, tcp, tls

__all__ = ["SERVICE_PROBES", "check_timeout", "run_check"]


def tcp_request(target: Target) -> tcp.TcpRequest:
    """Build the TCP check of ``target`` from its ``tcp`` tables."""
    checks = tuple(
        tcp.TcpCheck(
            ports=settings.ports,
            send=settings.send.encode(),
            expect=settings.expect.encode() if settings.expect is not None else None,
            expect_regex=settings.expect_regex,
        )
        for settings in target.tcp
    )
    timeout = max(settings.timeout for settings in target.tcp)
    return tcp.TcpRequest(
        target=target.name,
        address=target.address,
        family=target.settings.family,
        checks=checks,
        timeout=timeout,
    )


def http_request(target: Target) -> http.HttpRequest:
    """Build the HTTP check of ``target`` from its ``http`` table."""
    settings = target.http
    assert settings is not None
    auth = None
    if settings.username is not None:
        password = settings.password.reveal() if settings.password is not None else ""
        auth = (settings.username, password)
    return http.HttpRequest(
        target=target.name,
        url=settings.url,
        address=target.address if settings.connect == "address" else None,
        family=target.settings.family,
        method=settings.method,
        headers=tuple(settings.headers),
        body=settings.body.encode(),
        basic_auth=auth,
        expect_status=settings.expect_status,
        expect_text=settings.expect_text,
        expect_regex=settings.expect_regex,
        reject_text=settings.reject_text,
        reject_regex=settings.reject_regex,
        max_redirects=settings.max_redirects,
        ca_file=str(settings.ca_file) if settings.ca_file is not None else None,
        insecure=settings.insecure,
        timeout=settings.timeout,
    )


def tls_request(target: Target) -> tls.TlsRequest:
    """Build the TLS check of ``target`` from its ``tls`` table."""
    settings = target.tls
    assert settings is not None
    return tls.TlsRequest(
        target=target.name,
        address=target.address,
        port=settings.port,
        server_name=settings.server_name,
        family=target.settings.family,
        ca_file=str(settings.ca_file) if settings.ca_file is not None else None,
        insecure=settings.insecure,
        timeout=settings.timeout,
    )


def dns_request(target: Target) -> dns.DnsRequest:
    """Build the DNS check of ``target`` from its ``dns`` table."""
    settings = target.dns
    assert settings is not None
    return dns.DnsRequest(
        target=target.name,
        server=settings.server,
        name=settings.name,
        record_type=settings.record_type,
        expect=settings.expect,
        port=settings.port,
        transport=settings.transport,
        recursion=settings.recursion,
        timeout=settings.timeout,
    )


def check_timeout(target: Target, kind: str) -> float:
    """Return the time limit of one check of kind ``kind`` of ``target``."""
    if kind == "tcp":
        return max(settings.timeout for settings in target.tcp)
    settings = {"http": target.http, "tls": target.tls, "dns": target.dns}[kind]
    assert settings is not None
    return float(settings.timeout)


def run_check(target: Target, kind: str) -> Coroutine[object, object, base.ProbeResult]:
    """Return the coroutine of one check of kind ``kind`` (one of SERVICE_PROBES)."""
    if kind == "tcp":
        return tcp.probe(tcp_request(target))
    if kind == "http":
        return http.probe(http_request(target))
    if kind == "tls":
        return tls.probe(tls_request(target))
    if kind == "dns":
        return dns.probe(dns_request(target))
    raise ValueError(f"unknown service check {kind!r}")
