"""Name resolution shared by the probes: family choice and the refusal of placeholders.

:func:`resolve` turns a host name or IP literal into IP literals, at most
one per IP version. :func:`addresses_for` adds the checks that every probe
makes before it sends a packet, and raises :class:`ResolveError` with a
reason code of ``probes.base`` when the host cannot be probed.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket

from probes import base
from probes.addresses import is_placeholder_address, is_placeholder_name, unusable_target_reason

FAMILIES = {"auto": socket.AF_UNSPEC, "ip4": socket.AF_INET, "ip6": socket.AF_INET6}

# Socket errors that mean this machine has no route to the address: a local
# fault, not loss and not a silent target.
NO_ROUTE_ERRORS = frozenset(
    {
        errno.ENETUNREACH,
        errno.EHOSTUNREACH,
        errno.ENETDOWN,
        errno.EHOSTDOWN,
        errno.EADDRNOTAVAIL,
        errno.EAFNOSUPPORT,
    }
)
# Errors of this machine's own limits (descriptors, buffers, memory) or of a
# local firewall (EPERM, EACCES), which never come from the target.
LOCAL_ERRORS = frozenset(
    {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM, errno.EPERM, errno.EACCES}
)

# getaddrinfo errors that mean "this name has no such address": the others
# (EAI_AGAIN, EAI_FAIL, EAI_SYSTEM, ...) are temporary resolver failures.
NOT_FOUND_ERRORS = {
    socket.EAI_NONAME,
    getattr(socket, "EAI_NODATA", socket.EAI_NONAME),
    getattr(socket, "EAI_ADDRFAMILY", socket.EAI_NONAME),
}


class ResolveError(Exception):
    """A host that cannot be probed; ``reason`` is a reason code of ``probes.base``."""

    def __init__(self, host: str, reason: str, message: str) -> None:
        self.host = host
        self.reason = reason
        super().__init__(message)


async def resolve(name: str, family: str = "auto") -> list[str]:
    """Resolve ``name`` to IP literals, at most one per IP version, IPv6 first.

    With family "auto" a dual-stack name is probed over IPv6 and falls back
    to IPv4 only when IPv6 has no route, as blackbox_exporter's
    ``preferred_ip_protocol = "ip6"`` does: a fixed order keeps a target on
    one IP version from cycle to cycle. An IP literal is returned as it is
    (normalised). Raises socket.gaierror.
    """
    try:
        literal = ipaddress.ip_address(name)
    except ValueError:
        pass
    else:
        return [str(literal)]

    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(name, None, family=FAMILIES[family], type=socket.SOCK_STREAM)
    addresses: list[str] = []
    versions: set[int] = set()
    for info_family, *_rest, sockaddr in infos:
        if info_family not in (socket.AF_INET, socket.AF_INET6):
            continue
        version = 4 if info_family == socket.AF_INET else 6
        if version not in versions:
            versions.add(version)
            addresses.append(str(ipaddress.ip_address(sockaddr[0])))
    return sorted(addresses, key=lambda address: ":" not in address)


async def addresses_for(host: str, family: str = "auto") -> list[str]:
    """Resolve ``host`` and return the addresses a probe may connect to, preferred first.

    Raises ResolveError, whose reason is one of these. UNCONFIGURED: a
    reserved example name or a documentation address; nothing is looked up
    or sent. DNS_NOT_FOUND or DNS_TEMPORARY: the lookup failed. NO_ROUTE:
    the name has no address of the wanted family. BAD_ADDRESS: an
    unspecified, broadcast or multicast address.
    """
    if is_placeholder_name(host):
        raise ResolveError(host, base.UNCONFIGURED, f"{host} is an example name or address")
    try:
        addresses = await resolve(host, family)
    except socket.gaierror as error:
        reason = base.DNS_NOT_FOUND if error.errno in NOT_FOUND_ERRORS else base.DNS_TEMPORARY
        raise ResolveError(host, reason, f"looking up {host} failed: {error}") from error

    wanted = {"ip4": 4, "ip6": 6}.get(family)
    ips = [ipaddress.ip_address(address) for address in addresses]
    ips = [ip for ip in ips if wanted in (None, ip.version)]
    if not ips:
        raise ResolveError(host, base.NO_ROUTE, f"{host} has no IPv{wanted} address")
    for ip in ips:
        kind = unusable_target_reason(ip)
        if kind is not None:
            raise ResolveError(host, base.BAD_ADDRESS, f"{host} resolves to {ip}, a {kind} address")
        if is_placeholder_address(ip):
            raise ResolveError(
                host, base.UNCONFIGURED, f"{host} resolves to {ip}, a documentation address"
            )
    return [str(ip) for ip in ips]
