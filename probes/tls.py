"""TLS check: handshake with a server and read its certificate.

Besides :func:`probe`, this module contains what the HTTP check shares with it:
cached SSL contexts (:func:`ssl_context`), the reading of a session into
:class:`TlsInfo` (:func:`tls_info`), the mapping of ``ssl`` errors to reason
codes (:func:`tls_error_reason`) and a second, unverified handshake that
still reports the certificate when verification failed
(:func:`fetch_unverified_info`).
"""

from __future__ import annotations

import asyncio
import errno
import functools
import ipaddress
import logging
import os
import ssl
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from probes import base
from probes.resolve import NO_ROUTE_ERRORS, ResolveError, addresses_for

log = logging.getLogger(__name__)

# OpenSSL X509_V_ERR_* codes found in SSLCertVerificationError.verify_code.
_CERT_NOT_YET_VALID = 9
_CERT_HAS_EXPIRED = 10
_UNTRUSTED_CODES = {
    18,  # depth zero self-signed certificate
    19,  # self-signed certificate in certificate chain
    20,  # unable to get local issuer certificate
    21,  # unable to verify the first certificate
}
_HOSTNAME_MISMATCH = 62

_CLOSED_ERRORS = {errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE}

# Contexts for distinct (CA file, mtime, insecure) keys. A handful of CA
# files is usual, so the bound only stops growth when a CA file keeps changing.
_MAX_CONTEXTS = 32
_MAX_PARSED_CERTIFICATES = 1024
# The DER format constant of _ssl.Certificate.public_bytes, which ssl does not export.
_ENCODING_DER: int = getattr(ssl, "_ssl").ENCODING_DER  # noqa: B009


@dataclass(frozen=True, slots=True)
class TlsRequest:
    """Settings of one TLS check.

    ``server_name`` is sent as SNI and checked against the certificate. When
    it is None, ``address`` is used.

    >>> TlsRequest("app-simpeg", "127.0.0.1", port=8443, server_name="app.pantau.test").port
    8443
    """

    target: str
    address: str
    port: int = 443
    server_name: str | None = None
    family: str = "auto"
    ca_file: str | None = None
    insecure: bool = False
    timeout: float = 10.0


@dataclass(frozen=True, slots=True)
class TlsInfo:
    """The negotiated TLS session and the server's leaf certificate.

    ``not_before`` and ``not_after`` are unix seconds. ``subject`` and
    ``issuer`` are the common name when there is one, else the RFC 4514
    string. ``chain`` lists the subjects of the certificates the server
    sent, leaf first. ``verify_error`` is OpenSSL's message when
    verification failed, else empty.
    """

    version: str
    cipher: str
    subject: str
    issuer: str
    not_before: float
    not_after: float
    names: tuple[str, ...]
    hostname_matches: bool
    verified: bool
    chain: tuple[str, ...]
    verify_error: str = ""


class SslContextCache:
    """Client SSL contexts keyed by CA file, its modification time and ``insecure``.

    Loading a CA bundle takes milliseconds, so a context is built once and
    reused until the file changes.
    """

    def __init__(self, max_size: int = _MAX_CONTEXTS) -> None:
        self._contexts: OrderedDict[tuple[str | None, float, bool], ssl.SSLContext] = OrderedDict()
        self._max_size = max_size

    def get(self, ca_file: str | None, insecure: bool) -> ssl.SSLContext:
        """Return the context for these settings, building it on first use.

        Raises OSError when ``ca_file`` cannot be read and ssl.SSLError when
        it contains no valid certificate.
        """
        mtime = os.stat(ca_file).st_mtime if ca_file and not insecure else 0.0
        key = (None if insecure else ca_file, mtime, insecure)
        context = self._contexts.get(key)
        if context is not None:
            self._contexts.move_to_end(key)
            return context

        context = _build_context(ca_file, insecure)
        self._contexts[key] = context
        if len(self._contexts) > self._max_size:
            self._contexts.popitem(last=False)
        return context


def _build_context(ca_file: str | None, insecure: bool) -> ssl.SSLContext:
    if insecure:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    # Without a CA file the system store applies (/etc/ssl/certs on Debian),
    # where an agency's own CA is usually installed.
    return ssl.create_default_context(cafile=ca_file)


_DEFAULT_CACHE = SslContextCache()


def ssl_context(ca_file: str | None, insecure: bool) -> ssl.SSLContext:
    """Return a cached client context that trusts ``ca_file`` (or the system store)."""
    return _DEFAULT_CACHE.get(ca_file, insecure)


def _name_text(name: x509.Name) -> str:
    common_names = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    if common_names:
        value = common_names[0].value
        return value if isinstance(value, str) else value.decode("utf-8", "replace")
    return name.rfc4514_string()


def _subject_alt_names(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        extension = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return ()
    dns_names = extension.value.get_values_for_type(x509.DNSName)
    ip_addresses = [str(ip) for ip in extension.value.get_values_for_type(x509.IPAddress)]
    return (*dns_names, *ip_addresses)


def hostname_matches(names: tuple[str, ...], server_name: str) -> bool:
    """Tell whether ``server_name`` (a host name or IP literal) matches one of ``names``.

    A wildcard counts only as the whole leftmost label and matches exactly
    one label, as RFC 6125 section 6.4.3 allows.

    >>> hostname_matches(("*.pantau.test",), "app.pantau.test")
    True
    """
    try:
        wanted_ip = ipaddress.ip_address(server_name.strip("[]"))
    except ValueError:
        wanted_ip = None
    if wanted_ip is not None:
        for name in names:
            try:
                if ipaddress.ip_address(name) == wanted_ip:
                    return True
            except ValueError:
                continue
        return False

    wanted = server_name.rstrip(".").lower()
    for name in names:
        pattern = name.rstrip(".").lower()
        if pattern == wanted:
            return True
        if pattern.startswith("*.") and "." in wanted:
            head, tail = wanted.split(".", 1)
            if head and tail == pattern[2:]:
                return True
    return False


@dataclass(frozen=True, slots=True)
class _CertificateFields:
    subject: str
    issuer: str
    not_before: float
    not_after: float
    names: tuple[str, ...]


# Parsing a certificate costs about a tenth of a millisecond and a server
# sends the same one on every check, so parsed fields are kept by DER bytes.
@functools.lru_cache(maxsize=_MAX_PARSED_CERTIFICATES)
def _certificate_fields(der: bytes) -> _CertificateFields:
    cert = x509.load_der_x509_certificate(der)
    return _CertificateFields(
        subject=_name_text(cert.subject),
        issuer=_name_text(cert.issuer),
        not_before=cert.not_valid_before_utc.timestamp(),
        not_after=cert.not_valid_after_utc.timestamp(),
        names=_subject_alt_names(cert),
    )


def _chain_subjects(ssl_object: Any, leaf_subject: str) -> tuple[str, ...]:
    # Python 3.13 made get_unverified_chain public on SSLObject; 3.10 to 3.12
    # have it only on the private _sslobj. Without either, report the leaf.
    owner = ssl_object if hasattr(ssl_object, "get_unverified_chain") else None
    if owner is None:
        owner = getattr(ssl_object, "_sslobj", None)
    getter = getattr(owner, "get_unverified_chain", None)
    if getter is None:
        return (leaf_subject,)
    subjects: list[str] = []
    for certificate in getter() or ():
        der = certificate.public_bytes(_ENCODING_DER)
        subjects.append(_certificate_fields(der).subject)
    return tuple(subjects) or (leaf_subject,)


def tls_info(
    ssl_object: ssl.SSLObject | ssl.SSLSocket,
    server_name: str,
    verified: bool,
    verify_error: str = "",
) -> TlsInfo | None:
    """Read the session and the peer's leaf certificate, or return None without one."""
    der = ssl_object.getpeercert(binary_form=True)
    if not der:
        return None
    leaf = _certificate_fields(der)
    cipher = ssl_object.cipher()
    return TlsInfo(
        version=ssl_object.version() or "",
        cipher=cipher[0] if cipher else "",
        subject=leaf.subject,
        issuer=leaf.issuer,
        not_before=leaf.not_before,
        not_after=leaf.not_after,
        names=leaf.names,
        hostname_matches=hostname_matches(leaf.names, server_name),
        verified=verified,
        chain=_chain_subjects(ssl_object, leaf.subject),
        verify_error=verify_error,
    )


def tls_error_reason(error: ssl.SSLError) -> str:
    """Map an ``ssl`` error of a handshake to a reason code of ``probes.base``."""
    if not isinstance(error, ssl.SSLCertVerificationError):
        return base.TLS_HANDSHAKE
    code = error.verify_code
    if code in (_CERT_HAS_EXPIRED, _CERT_NOT_YET_VALID):
        return base.CERT_EXPIRED
    if code in _UNTRUSTED_CODES:
        return base.CERT_UNTRUSTED
    if code == _HOSTNAME_MISMATCH:
        return base.CERT_HOSTNAME
    return base.CERT_INVALID


def connect_error_reason(error: OSError) -> str:
    """Map the OSError of a failed connection attempt to a reason code."""
    if isinstance(error, ConnectionRefusedError) or error.errno == errno.ECONNREFUSED:
        return base.CONNECT_REFUSED
    if isinstance(error, TimeoutError) or error.errno == errno.ETIMEDOUT:
        return base.CONNECT_TIMEOUT
    if error.errno in NO_ROUTE_ERRORS:
        return base.NO_ROUTE
    if error.errno in _CLOSED_ERRORS:
        return base.CONNECTION_CLOSED
    return base.CONNECT_REFUSED if error.errno is None else base.NO_ROUTE


def is_no_route(error: OSError) -> bool:
    """Tell whether a failed connection means "no route", so the next address may be tried."""
    return error.errno in NO_ROUTE_ERRORS


async def fetch_unverified_info(
    ip: str, port: int, server_name: str, timeout: float, verify_error: str = ""
) -> TlsInfo | None:
    """Handshake again without verification to read the certificate of a failed check.

    Returns None when that handshake fails too or ``timeout`` passes.
    """
    if timeout <= 0:
        return None
    context = ssl_context(None, insecure=True)
    writer: asyncio.StreamWriter | None = None
    try:
        async with asyncio.timeout(timeout):
            _reader, writer = await asyncio.open_connection(
                ip, port, ssl=context, server_hostname=server_name
            )
            ssl_object = writer.get_extra_info("ssl_object")
            return tls_info(ssl_object, server_name, verified=False, verify_error=verify_error)
    except (OSError, TimeoutError):
        return None
    finally:
        if writer is not None:
            writer.transport.abort()


async def probe(request: TlsRequest) -> base.ProbeResult:
    """Connect, handshake with verification and report the session and certificate."""
    started = time.time()
    start = time.monotonic()
    server_name = request.server_name or request.address

    def finish(
        success: bool, reason: str, values: dict[str, float], info: TlsInfo | None, message: str
    ) -> base.ProbeResult:
        log.debug("TLS check of target %s: %s, %s", request.target, reason, message)
        if info is not None:
            values["cert_expiry_timestamp_seconds"] = info.not_after
            values["cert_verified"] = 1.0 if info.verified else 0.0
        return base.ProbeResult(
            target=request.target,
            probe="tls",
            success=success,
            reason=reason,
            started=started,
            duration=time.monotonic() - start,
            values=values,
            detail=info,
            message=message,
        )

    try:
        ips = await addresses_for(request.address, request.family)
    except ResolveError as error:
        return finish(False, error.reason, {}, None, str(error))
    try:
        context = ssl_context(request.ca_file, request.insecure)
    except (OSError, ssl.SSLError) as error:
        message = f"loading CA file {request.ca_file} failed: {error}"
        return finish(False, base.INTERNAL_ERROR, {}, None, message)

    session = _Handshake(ips, request.port, server_name, context, request.insecure)
    reason, message = await session.run(request.timeout)
    values = session.values()
    info = session.info
    if reason in (base.CERT_EXPIRED, base.CERT_UNTRUSTED, base.CERT_HOSTNAME, base.CERT_INVALID):
        remaining = request.timeout - (time.monotonic() - start)
        info = await fetch_unverified_info(
            session.ip or ips[0], request.port, server_name, remaining, session.verify_error
        )
    return finish(reason == base.OK, reason, values, info, message)


class _Handshake:
    """One connection and TLS handshake, with the time each phase took."""

    def __init__(
        self, ips: list[str], port: int, server_name: str, context: ssl.SSLContext, insecure: bool
    ) -> None:
        self.ips = ips
        self.port = port
        self.server_name = server_name
        self.context = context
        self.insecure = insecure
        self.ip: str | None = None
        self.connect_seconds: float | None = None
        self.tls_seconds: float | None = None
        self.info: TlsInfo | None = None
        self.verify_error = ""

    def values(self) -> dict[str, float]:
        values: dict[str, float] = {}
        if self.ip is not None:
            values["ip_version"] = float(ipaddress.ip_address(self.ip).version)
        if self.connect_seconds is not None:
            values["connect_seconds"] = self.connect_seconds
        if self.tls_seconds is not None:
            values["tls_seconds"] = self.tls_seconds
        return values

    async def run(self, timeout: float) -> tuple[str, str]:
        """Return the reason code and message of the handshake."""
        writer: asyncio.StreamWriter | None = None
        try:
            async with asyncio.timeout(timeout):
                writer = await self._connect()
                if writer is None:
                    return self._connect_reason, self._connect_message
                return await self._start_tls(writer)
        except TimeoutError:
            if self.connect_seconds is None:
                return base.CONNECT_TIMEOUT, f"connecting timed out after {timeout:g} s"
            return base.RESPONSE_TIMEOUT, f"TLS handshake timed out after {timeout:g} s"
        finally:
            if writer is not None:
                writer.transport.abort()

    async def _connect(self) -> asyncio.StreamWriter | None:
        self._connect_reason = base.INTERNAL_ERROR
        self._connect_message = "no address to connect to"
        for ip in self.ips:
            self.ip = ip
            begin = time.monotonic()
            try:
                _reader, writer = await asyncio.open_connection(ip, self.port)
            except OSError as error:
                self._connect_reason = connect_error_reason(error)
                self._connect_message = f"connecting to {ip} port {self.port} failed: {error}"
                if is_no_route(error):
                    continue
                return None
            self.connect_seconds = time.monotonic() - begin
            return writer
        return None

    async def _start_tls(self, writer: asyncio.StreamWriter) -> tuple[str, str]:
        # Python sends no SNI for an IP literal and checks it against the IP SANs.
        begin = time.monotonic()
        try:
            await writer.start_tls(self.context, server_hostname=self.server_name)
        except ssl.SSLError as error:
            self.verify_error = _ssl_message(error)
            return tls_error_reason(error), f"TLS handshake failed: {self.verify_error}"
        except OSError as error:
            return base.TLS_HANDSHAKE, f"TLS handshake failed: {error}"
        self.tls_seconds = time.monotonic() - begin

        ssl_object = writer.get_extra_info("ssl_object")
        self.info = tls_info(ssl_object, self.server_name, verified=not self.insecure)
        if self.info is None:
            return base.TLS_HANDSHAKE, "the server sent no certificate"
        return base.OK, f"{self.info.version} with {self.info.cipher}"


def _ssl_message(error: ssl.SSLError) -> str:
    if isinstance(error, ssl.SSLCertVerificationError) and error.verify_message:
        return f"{error.verify_message} (OpenSSL verify code {error.verify_code})"
    return error.reason or str(error)
