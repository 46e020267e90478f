"""Authoritative DNS server for tests: one zone over UDP and TCP, with faulty names.

Run it inside a host namespace with :func:`start_dns_server`, or as a script::

    python3 dns_server.py --zone zone.txt --origin pantau.lab --listen 10.203.1.2

It replies from the zone file: NXDOMAIN for a missing name, NOERROR without
records for a missing type, and a CNAME followed inside the zone. It
misbehaves for the names given on the command line: ``--silent`` never replies,
``--garbage`` replies with bytes that are no DNS message, ``--wrong-id``
replies with another message id, ``--truncate`` sets TC over UDP with an
empty answer, and ``--rcode NAME=RCODE`` replies with that rcode. Each
query is appended to the ``--log`` file as ``<transport> <name> <type>``.
The line ``ready`` goes to stdout once every socket is bound.
"""

from __future__ import annotations

import argparse
import asyncio
import select
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.zone

if TYPE_CHECKING:
    from tests.lab.netns import Namespace

GARBAGE = b"\x13\x37 not a DNS message"
START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0


@dataclass
class Behaviour:
    """Names for which the server misbehaves, as absolute lower-case names."""

    silent: set[dns.name.Name] = field(default_factory=set)
    garbage: set[dns.name.Name] = field(default_factory=set)
    wrong_id: set[dns.name.Name] = field(default_factory=set)
    truncate: set[dns.name.Name] = field(default_factory=set)
    rcodes: dict[dns.name.Name, dns.rcode.Rcode] = field(default_factory=dict)


class DnsServer:
    """Zone lookups and the faults of :class:`Behaviour`, shared by UDP and TCP."""

    def __init__(self, zone: dns.zone.Zone, behaviour: Behaviour, log: IO[str]) -> None:
        self.zone = zone
        self.behaviour = behaviour
        self.log = log

    def reply(self, wire: bytes, transport: str) -> bytes | None:
        """Return the reply to the query ``wire``, or None to stay silent."""
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:  # a query it cannot parse gets no reply
            return None
        question = query.question[0]
        name = question.name.canonicalize()
        print(transport, name, dns.rdatatype.to_text(question.rdtype), file=self.log, flush=True)

        if name in self.behaviour.silent:
            return None
        if name in self.behaviour.garbage:
            return GARBAGE
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if name in self.behaviour.wrong_id:
            response.id = (query.id + 1) % 65536
        if name in self.behaviour.rcodes:
            response.set_rcode(self.behaviour.rcodes[name])
        elif name in self.behaviour.truncate and transport == "udp":
            response.flags |= dns.flags.TC
        else:
            self._answer(response, name, question.rdtype)
        return response.to_wire()

    def _answer(self, response: dns.message.Message, name: dns.name.Name, rdtype: int) -> None:
        for _ in range(8):  # CNAME chain limit
            node = self.zone.get_node(name)
            if node is None:
                if not response.answer:
                    response.set_rcode(dns.rcode.NXDOMAIN)
                return
            rdataset = node.get_rdataset(dns.rdataclass.IN, rdtype)
            if rdataset is not None:
                response.find_rrset(
                    response.answer, name, dns.rdataclass.IN, rdtype, create=True
                ).update(rdataset)
                return
            cname = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
            if cname is None:
                return
            response.find_rrset(
                response.answer, name, dns.rdataclass.IN, dns.rdatatype.CNAME, create=True
            ).update(cname)
            name = cname[0].target.canonicalize()


class UdpProtocol(asyncio.DatagramProtocol):
    """UDP side of :class:`DnsServer`."""

    def __init__(self, server: DnsServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # asyncio's selector transport implements DatagramTransport without
        # inheriting from it, so an isinstance check would fail.
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple) -> None:
        reply = self.server.reply(data, "udp")
        if reply is not None and self.transport is not None:
            self.transport.sendto(reply, addr)


async def serve(addresses: Sequence[str], port: int, server: DnsServer) -> None:
    """Serve ``server`` on every address over UDP and TCP until cancelled."""
    loop = asyncio.get_running_loop()

    async def handle_tcp(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                length = int.from_bytes(await reader.readexactly(2), "big")
                reply = server.reply(await reader.readexactly(length), "tcp")
                if reply is None:
                    continue
                writer.write(len(reply).to_bytes(2, "big") + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    for address in addresses:
        await loop.create_datagram_endpoint(lambda: UdpProtocol(server), local_addr=(address, port))
        await asyncio.start_server(handle_tcp, address, port)
    print("ready", flush=True)
    await asyncio.Event().wait()


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Authoritative DNS server for tests.")
    parser.add_argument("--zone", type=Path, required=True, help="zone file (master format)")
    parser.add_argument("--origin", required=True, help="zone origin, such as pantau.lab")
    parser.add_argument("--listen", action="append", required=True, help="IP address to bind")
    parser.add_argument("--port", type=int, default=53, help="UDP and TCP port (default 53)")
    parser.add_argument("--log", type=Path, required=True, help="file to append queries to")
    for option in ("silent", "garbage", "wrong-id", "truncate"):
        parser.add_argument(f"--{option}", action="append", default=[], metavar="NAME")
    parser.add_argument("--rcode", action="append", default=[], metavar="NAME=RCODE")
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> None:
    """Start the server from command-line arguments and serve until SIGTERM."""
    arguments = parse_arguments(argv)
    zone = dns.zone.from_text(arguments.zone.read_text(), origin=arguments.origin, relativize=False)

    def names(values: Sequence[str]) -> set[dns.name.Name]:
        return {dns.name.from_text(value).canonicalize() for value in values}

    behaviour = Behaviour(
        silent=names(arguments.silent),
        garbage=names(arguments.garbage),
        wrong_id=names(arguments.wrong_id),
        truncate=names(arguments.truncate),
    )
    for item in arguments.rcode:
        name, _, rcode = item.partition("=")
        behaviour.rcodes[dns.name.from_text(name).canonicalize()] = dns.rcode.from_text(rcode)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with arguments.log.open("a") as log:
        asyncio.run(serve(arguments.listen, arguments.port, DnsServer(zone, behaviour, log)))


class DnsServerHandle:
    """Running dns_server.py in a namespace, with the queries it logged."""

    def __init__(self, process: subprocess.Popen[str], log_path: Path) -> None:
        self.process = process
        self.log_path = log_path

    def __enter__(self) -> DnsServerHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def queries(self) -> list[str]:
        """Return the queries logged so far, each as ``<transport> <name> <type>``."""
        return self.log_path.read_text().splitlines()

    def stop(self) -> None:
        """Stop the server with SIGTERM, then SIGKILL after STOP_TIMEOUT seconds."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT)


def start_dns_server(
    namespace: Namespace,
    zone_file: Path,
    origin: str,
    addresses: Sequence[str],
    port: int = 53,
    **faults: Sequence[str],
) -> DnsServerHandle:
    """Start dns_server.py inside ``namespace`` and return once it listens.

    ``faults`` maps an option (``silent``, ``garbage``, ``wrong_id``,
    ``truncate``, ``rcode``) to its values, for example
    ``rcode=["broken.pantau.lab=SERVFAIL"]``. Queries are logged to
    ``zone_file`` with the suffix ".queries".
    """
    log_path = zone_file.with_suffix(".queries")
    log_path.write_text("")
    argv = [sys.executable, str(Path(__file__)), f"--zone={zone_file}", f"--origin={origin}"]
    argv.append(f"--log={log_path}")
    argv += [f"--listen={address}" for address in addresses]
    argv.append(f"--port={port}")
    for option, values in faults.items():
        argv += [f"--{option.replace('_', '-')}={value}" for value in values]

    process = namespace.popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stderr is not None
    ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT)
    if not ready or process.stdout.readline().strip() != "ready":
        process.kill()
        _, stderr = process.communicate()
        from tests.lab.netns import LabError

        raise LabError(f"dns_server.py did not start within {START_TIMEOUT} s: {stderr}")
    return DnsServerHandle(process, log_path)


if __name__ == "__main__":
    main(sys.argv[1:])
