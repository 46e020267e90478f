"""Address checks shared by the probes and the configuration loader."""

from __future__ import annotations

import ipaddress

# RFC 5737 (IPv4), RFC 3849 and RFC 9637 (IPv6) reserve these ranges for
# documentation.
# Pantau treats them as "not configured yet" and never sends a packet there.
DOCUMENTATION_NETWORKS: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = (
    ipaddress.ip_network("192.0.2.0/24"),
    ipaddress.ip_network("198.51.100.0/24"),
    ipaddress.ip_network("203.0.113.0/24"),
    ipaddress.ip_network("2001:db8::/32"),
    ipaddress.ip_network("3fff::/20"),
)


def is_placeholder_address(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Tell whether ``address`` lies in a documentation range (a placeholder).

    An IPv4-mapped IPv6 address is checked as the IPv4 address it carries.
    A string that is not an IP literal is not a placeholder.
    """
    if isinstance(address, str):
        try:
            address = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in DOCUMENTATION_NETWORKS)


# RFC 2606 and RFC 6761 reserve these names for examples and tests: they
# are placeholders like the documentation addresses, never looked up.
RESERVED_DOMAINS: tuple[str, ...] = ("example.com", "example.net", "example.org")
RESERVED_TOP_LEVEL: tuple[str, ...] = ("example", "invalid", "test")


def is_placeholder_name(host: str) -> bool:
    """Tell whether ``host`` is a placeholder: a documentation address or a reserved name.

    Reserved names are example.com, example.net, example.org and the
    top-level domains "example", "invalid" and "test", with any subdomain.

    >>> is_placeholder_name("simpeg.example.go.id"), is_placeholder_name("app.example.com")
    (False, True)
    """
    if is_placeholder_address(host.strip("[]")):
        return True
    name = host.rstrip(".").lower()
    labels = name.split(".")
    if labels[-1] in RESERVED_TOP_LEVEL:
        return True
    return any(name == domain or name.endswith("." + domain) for domain in RESERVED_DOMAINS)


def unusable_target_reason(
    address: str | ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> str | None:
    """Name what makes an IP address no single host to ping, or return None.

    The unspecified address (0.0.0.0, ::) reaches this machine under another
    name, and broadcast or multicast would make every host on a segment
    answer for one target.
    """
    if isinstance(address, str):
        address = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_unspecified:
        return "unspecified"
    if address.is_multicast:
        return "multicast"
    if isinstance(address, ipaddress.IPv4Address) and address == ipaddress.IPv4Address(
        "255.255.255.255"
    ):
        return "broadcast"
    return None
