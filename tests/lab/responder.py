"""Reply to ICMP echo requests from user space, with delay, jitter and duplicates.

Run inside a test namespace whose kernel echo replies are switched off
(``net.ipv4.icmp_echo_ignore_all=1`` and ``net.ipv6.icmp.echo_ignore_all=1``),
so that this process sends the only replies::

    python3 responder.py --delay 0.05 --jitter 0.01 --duplicates 1

Each echo request gets an echo reply with the same identifier, sequence number
and payload, sent ``1 + duplicates`` times once ``delay + uniform(0, jitter)``
seconds have passed since the request was read. Pending replies wait in a heap
ordered by due time, so a long delay never holds back other requests. The
script prints ``ready`` on stdout once both raw sockets are open, and exits
with status 0 on SIGTERM or SIGINT. It uses the standard library only,
because it runs as a separate process under any Python 3.11 interpreter.
"""

from __future__ import annotations

import argparse
import heapq
import random
import selectors
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from types import FrameType

ICMP_ECHO_REPLY = 0
ICMP_ECHO_REQUEST = 8
ICMPV6_ECHO_REQUEST = 128
ICMPV6_ECHO_REPLY = 129

# Large enough for a few thousand queued requests, so a burst of echoes from
# many probes is not dropped by the socket before this process reads it.
RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024
MAX_PACKET_BYTES = 65535
# Linux value from <asm-generic/socket.h>, because Python 3.11's socket module
# does not define the name.
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)


@dataclass(order=True)
class PendingReply:
    """Echo reply waiting in the heap until its monotonic due time."""

    due: float
    order: int
    sock: socket.socket = field(compare=False)
    packet: bytes = field(compare=False)
    address: tuple[object, ...] = field(compare=False)


def internet_checksum(data: bytes) -> int:
    """Compute the 16-bit one's complement checksum of RFC 1071."""
    if len(data) % 2:
        data += b"\0"
    total = sum(int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def build_ipv4_reply(datagram: bytes) -> bytes | None:
    """Build the ICMP echo reply for an IPv4 datagram, or None if it is no echo request.

    A raw IPv4 socket returns the whole datagram, so the IP header (whose
    length is in its first byte) is skipped first.
    """
    header_length = (datagram[0] & 0x0F) * 4
    message = datagram[header_length:]
    if len(message) < 8 or message[0] != ICMP_ECHO_REQUEST:
        return None

    # Type 0 and code 0, with the checksum zeroed while it is computed. The
    # identifier, sequence number and payload stay unchanged.
    reply = bytearray(message)
    reply[0:4] = b"\0\0\0\0"
    reply[2:4] = internet_checksum(bytes(reply)).to_bytes(2, "big")
    return bytes(reply)


def build_ipv6_reply(message: bytes) -> bytes | None:
    """Build the ICMPv6 echo reply for a message, or None if it is no echo request.

    The checksum stays zero because Linux computes it on raw ICMPv6 sockets,
    over a pseudo-header that includes the addresses it chooses.
    """
    if len(message) < 8 or message[0] != ICMPV6_ECHO_REQUEST:
        return None
    reply = bytearray(message)
    reply[0] = ICMPV6_ECHO_REPLY
    reply[1:4] = b"\0\0\0"
    return bytes(reply)


REPLY_BUILDERS = {socket.AF_INET: build_ipv4_reply, socket.AF_INET6: build_ipv6_reply}


def open_sockets() -> dict[socket.socket, int]:
    """Open non-blocking raw ICMPv4 and ICMPv6 sockets, mapped to their family."""
    sockets: dict[socket.socket, int] = {}
    for family, protocol in (
        (socket.AF_INET, socket.IPPROTO_ICMP),
        (socket.AF_INET6, socket.IPPROTO_ICMPV6),
    ):
        sock = socket.socket(family, socket.SOCK_RAW, protocol)
        try:
            # SO_RCVBUFFORCE ignores net.core.rmem_max but needs CAP_NET_ADMIN.
            sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RECEIVE_BUFFER_BYTES)
        except PermissionError:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER_BYTES)
        sock.setblocking(False)
        sockets[sock] = family
    return sockets


class Responder:
    """Event loop that reads echo requests and sends the replies when they are due."""

    def __init__(self, delay: float, jitter: float, duplicates: int) -> None:
        self.delay = delay
        self.jitter = jitter
        self.copies = 1 + duplicates
        self.sockets = open_sockets()
        self.selector = selectors.DefaultSelector()
        for sock in self.sockets:
            self.selector.register(sock, selectors.EVENT_READ)
        self.pending: list[PendingReply] = []
        self.order = 0
        self.requests = 0
        self.replies_sent = 0

    def run(self) -> None:
        """Serve until a signal handler raises SystemExit."""
        while True:
            timeout = None
            if self.pending:
                timeout = max(0.0, self.pending[0].due - time.monotonic())
            for key, _events in self.selector.select(timeout):
                self.read_requests(key.fileobj)  # type: ignore[arg-type]
            self.send_due_replies()

    def read_requests(self, sock: socket.socket) -> None:
        """Queue a reply for every echo request waiting on ``sock``."""
        family = self.sockets[sock]
        while True:
            try:
                data, address = sock.recvfrom(MAX_PACKET_BYTES)
            except BlockingIOError:
                return
            received = time.monotonic()

            reply = REPLY_BUILDERS[family](data)
            if reply is None:
                continue

            self.requests += 1
            self.order += 1
            due = received + self.delay + random.uniform(0.0, self.jitter)
            heapq.heappush(self.pending, PendingReply(due, self.order, sock, reply, address))

    def send_due_replies(self) -> None:
        """Send every reply whose due time has passed, each ``copies`` times."""
        now = time.monotonic()
        while self.pending and self.pending[0].due <= now:
            item = heapq.heappop(self.pending)
            for _ in range(self.copies):
                try:
                    item.sock.sendto(item.packet, item.address)
                except OSError as error:
                    # A full send buffer or a missing route loses this reply
                    # only, as a lossy link would, and the responder keeps serving.
                    print(f"responder: send to {item.address[0]} failed: {error}", file=sys.stderr)
                    continue
                self.replies_sent += 1


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--delay", type=float, default=0.0, help="seconds between request and reply (default 0)"
    )
    parser.add_argument(
        "--jitter",
        type=float,
        default=0.0,
        help="maximum extra seconds added at random, uniformly, to each delay (default 0)",
    )
    parser.add_argument(
        "--duplicates",
        type=int,
        default=0,
        help="extra copies of each reply (default 0: one reply per request)",
    )
    arguments = parser.parse_args(argv)
    if arguments.delay < 0 or arguments.jitter < 0 or arguments.duplicates < 0:
        parser.error("--delay, --jitter and --duplicates must not be negative")
    return arguments


def stop(signum: int, _frame: FrameType | None) -> None:
    """Leave the event loop through SystemExit, with status 0."""
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    """Run the responder until SIGTERM or SIGINT."""
    arguments = parse_arguments(argv)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    responder = Responder(arguments.delay, arguments.jitter, arguments.duplicates)
    print("ready", flush=True)
    try:
        responder.run()
    finally:
        print(
            f"requests {responder.requests} replies {responder.replies_sent}"
            f" pending {len(responder.pending)}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
