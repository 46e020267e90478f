"""``pantau probe`` for the application-service checks: run them once and print what came back.

Each check gets a block: the verdict, then what the operator needs to act
on it: the HTTP status and phase times, the certificate and the days it has
left, each TCP port, the DNS answer. ``--verbose`` adds the body excerpt,
the redirects and the whole DNS reply.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal

from monitor import service_checks
from monitor.config import Target
from monitor.i18n import translate
from probes import base, dns, http, tcp, tls

_LOCALES = {"id": "id_ID", "en": "en_US"}
_PHASES = ("resolve", "connect", "tls", "processing", "transfer")


async def run_checks(targets: Sequence[Target]) -> list[tuple[Target, base.ProbeResult]]:
    """Run every service check of ``targets`` once, concurrently, in configuration order."""
    jobs = [
        (target, kind)
        for target in targets
        for kind in service_checks.SERVICE_PROBES
        if kind in target.probes
    ]
    results = await asyncio.gather(
        *(
            _run_one(target, kind) if not target.placeholder else _unconfigured(target, kind)
            for target, kind in jobs
        )
    )
    return [(target, result) for (target, _), result in zip(jobs, results, strict=True)]


async def _unconfigured(target: Target, kind: str) -> base.ProbeResult:
    """Return the result of a check that is not run: its target is still a placeholder."""
    return base.ProbeResult(
        target=target.name,
        probe=kind,
        success=False,
        reason=base.UNCONFIGURED,
        started=time.time(),
        duration=0.0,
    )


async def _run_one(target: Target, kind: str) -> base.ProbeResult:
    started, start = time.time(), time.monotonic()
    limit = service_checks.check_timeout(target, kind) + 2.0
    try:
        return await asyncio.wait_for(service_checks.run_check(target, kind), limit)
    except TimeoutError:
        reason, message = base.PROBE_TIMEOUT, f"run cut off after {limit:.1f} s"
    except Exception as error:  # a probe bug must not hide the other results
        reason, message = base.INTERNAL_ERROR, repr(error)
    return base.ProbeResult(
        target=target.name,
        probe=kind,
        success=False,
        reason=reason,
        started=started,
        duration=time.monotonic() - start,
        message=message,
    )


def jsonable(value: object) -> object:
    """Return a probe's detail record as JSON-ready lists, dicts and scalars."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return {item.name: jsonable(getattr(value, item.name)) for item in fields}
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    return value


class _Printer:
    def __init__(self, language: str, timezone: str, verbose: bool) -> None:
        self.language = language
        self.locale = _LOCALES.get(language, "id_ID")
        self.zone = ZoneInfo(timezone)
        self.verbose = verbose

    def text(self, key: str, /, **params: object) -> str:
        return translate(key, self.language, **params)

    def ms(self, seconds: float | None) -> str:
        if seconds is None or not math.isfinite(seconds):
            return "-"
        return format_decimal(seconds * 1000, format="#,##0.0", locale=self.locale) + " ms"

    def integer(self, value: float) -> str:
        return format_decimal(int(value), format="#,##0", locale=self.locale)

    def date(self, at: float) -> str:
        return format_date(datetime.fromtimestamp(at, self.zone), "long", locale=self.locale)

    def verdict(self, result: base.ProbeResult) -> str:
        if result.reason == base.UNCONFIGURED:
            return self.text("status.unconfigured")
        return self.text("probe.result.ok" if result.success else "probe.result.failed")

    def line(self, key: str, /, **params: object) -> None:
        print("  " + self.text(key, **params))


def print_results(
    pairs: Sequence[tuple[Target, base.ProbeResult]],
    language: str,
    timezone: str,
    verbose: bool,
) -> None:
    """Print one block per service check result, then the count of each verdict."""
    if not pairs:
        return
    printer = _Printer(language, timezone, verbose)
    counts = {"ok": 0, "failed": 0, "unconfigured": 0}
    for target, result in pairs:
        print()
        _print_one(printer, target, result)
        if result.reason == base.UNCONFIGURED:
            counts["unconfigured"] += 1
        else:
            counts["ok" if result.success else "failed"] += 1
    print()
    print(printer.text("probe.service.summary", **counts))


def _print_one(printer: _Printer, target: Target, result: base.ProbeResult) -> None:
    detail = result.detail
    what = _what(target, result.probe)
    print(
        printer.text(
            "probe.service.heading",
            target=target.name,
            probe=result.probe.upper(),
            what=what,
            verdict=printer.verdict(result),
            total=printer.ms(result.duration),
        )
    )
    if not result.success:
        printer.line("probe.service.reason", reason=printer.text(f"reason.{result.reason}"))
    if result.message and printer.verbose:
        printer.line("probe.service.message", message=result.message)
    if isinstance(detail, http.HttpDetail):
        _print_http(printer, target, result, detail)
    elif isinstance(detail, tls.TlsInfo):
        insecure = target.tls.insecure if target.tls else False
        _print_certificate(printer, target, result, detail, insecure=insecure)
    elif isinstance(detail, tcp.TcpDetail):
        _print_tcp(printer, detail)
    elif isinstance(detail, dns.DnsDetail):
        _print_dns(printer, detail)


def _what(target: Target, probe: str) -> str:
    """Return the heading text of a check: its URL, address and ports, or DNS query."""
    if probe == "http" and target.http:
        return target.http.url
    if probe == "tls" and target.tls:
        return f"{target.address} port {target.tls.port}"
    if probe == "tcp":
        ports = ", ".join(str(port) for settings in target.tcp for port in settings.ports)
        return f"{target.address} port {ports}"
    if probe == "dns" and target.dns:
        settings = target.dns
        server = settings.server
        if settings.port != 53:
            server += f" port {settings.port}"
        transport = " (tcp)" if settings.transport == "tcp" else ""
        return f"{settings.name} {settings.record_type} @ {server}{transport}"
    return target.address


def _print_http(
    printer: _Printer, target: Target, result: base.ProbeResult, detail: http.HttpDetail
) -> None:
    values = result.values
    if detail.status_code is not None:
        printer.line(
            "probe.http.answer",
            status=detail.status_code,
            version=detail.http_version or "-",
            redirects=int(values.get("redirects", 0)),
            size=printer.integer(values.get("response_bytes", 0)),
            address=detail.address or "-",
        )
    phases = [
        printer.text(f"probe.phase.{phase}", time=printer.ms(values.get(f"{phase}_seconds")))
        for phase in _PHASES
        if f"{phase}_seconds" in values
    ]
    if phases:
        printer.line("probe.http.phases", phases=" · ".join(phases))
    if "content_match" in values:
        key = "probe.http.content_ok" if values["content_match"] else "probe.http.content_bad"
        printer.line(key)
    if printer.verbose:
        for hop in detail.hops:
            if hop.location:
                printer.line("probe.http.redirect", status=hop.status_code, url=hop.location)
        if detail.body_excerpt:
            printer.line("probe.http.body", body=detail.body_excerpt)
    if detail.tls is not None:
        _print_certificate(printer, target, result, detail.tls, insecure=detail.insecure)


def _print_certificate(
    printer: _Printer,
    target: Target,
    result: base.ProbeResult,
    info: tls.TlsInfo,
    *,
    insecure: bool = False,
) -> None:
    left_seconds = info.not_after - result.started
    if left_seconds >= 0:
        left = printer.text("probe.cert.days_left", days=math.ceil(left_seconds / 86400))
    else:
        ago = math.floor(-left_seconds / 86400)
        left = printer.text("probe.cert.expired_days", days=ago)
    if insecure:
        trust = printer.text("probe.cert.not_checked")
    elif info.verified:
        trust = printer.text("probe.cert.verified")
    else:
        cause = result.reason if result.reason.startswith("cert_") else base.CERT_INVALID
        trust = printer.text("probe.cert.not_verified", error=printer.text(f"reason.{cause}"))
    printer.line(
        "probe.cert",
        subject=info.subject,
        issuer=info.issuer,
        until=printer.date(info.not_after),
        left=left,
        trust=trust,
    )
    printer.line("probe.tls", version=info.version, cipher=info.cipher)
    limit = target.settings.degraded.cert_expiry
    if limit is not None and 0 <= left_seconds < limit:
        printer.line("probe.cert.warning", days=math.floor(limit / 86400))
    if printer.verbose and info.names:
        printer.line("probe.cert.names", names=", ".join(info.names))


def _print_tcp(printer: _Printer, detail: tcp.TcpDetail) -> None:
    for port in detail.ports:
        verdict = printer.text("probe.result.ok" if port.success else "probe.result.failed")
        if port.success:
            printer.line(
                "probe.tcp.port",
                port=port.port,
                verdict=verdict,
                connect=printer.ms(port.connect_seconds),
            )
        else:
            reason = printer.text(f"reason.{port.reason}")
            printer.line("probe.tcp.port_failed", port=port.port, verdict=verdict, reason=reason)
        if port.banner:
            printer.line("probe.tcp.banner", banner=port.banner)


def _print_dns(printer: _Printer, detail: dns.DnsDetail) -> None:
    if not detail.rcode:
        printer.line("probe.dns.no_answer")
    else:
        printer.line(
            "probe.dns.answer",
            rcode=detail.rcode,
            answers=", ".join(detail.answers) or "-",
        )
    if detail.expected:
        printer.line("probe.dns.expected", expected=", ".join(detail.expected))
    if printer.verbose and detail.message:
        for line in detail.message.splitlines():
            print("    " + line)
