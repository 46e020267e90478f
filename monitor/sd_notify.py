"""The systemd notify protocol (sd_notify(3)), without a library.

systemd passes a Unix datagram socket in ``$NOTIFY_SOCKET`` to a unit with
``Type=notify``; the service sends newline-separated ``KEY=VALUE`` lines to
it. A path starting with ``@`` names a socket in the abstract namespace.
``$WATCHDOG_USEC`` (with ``$WATCHDOG_PID``, when set, naming the process it
is meant for) requests a ``WATCHDOG=1`` message at least that often.

Outside systemd ``NOTIFY_SOCKET`` is unset and every call does nothing. A
failed send is logged once and never raised: the daemon must keep probing
even when it cannot talk to its supervisor.

Example::

    notifier = Notifier.from_environment()
    notifier.ready("5 targets")
    ...
    notifier.stopping()
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Mapping

log = logging.getLogger(__name__)


class Notifier:
    """Send state changes to the service manager; a no-op when there is none."""

    def __init__(self, address: str | None, watchdog_usec: int | None = None) -> None:
        self._name = address or ""
        self._address = _socket_address(address) if address else None
        self._watchdog_usec = watchdog_usec
        self._socket: socket.socket | None = None
        self._failed = False
        if address and self._address is None:
            log.warning(
                "unsupported NOTIFY_SOCKET (only a socket path or an @abstract name"
                " works), so systemd gets no state from the daemon: NOTIFY_SOCKET=%s",
                address,
            )

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Notifier:
        """Build a notifier from NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID."""
        env = os.environ if environ is None else environ
        return cls(env.get("NOTIFY_SOCKET") or None, _watchdog_usec(env))

    @property
    def enabled(self) -> bool:
        """Whether there is a service manager to tell anything."""
        return self._address is not None

    @property
    def watchdog_interval(self) -> float | None:
        """Seconds between two WATCHDOG=1 messages (half the timeout), or None."""
        if self._address is None or self._watchdog_usec is None:
            return None
        return self._watchdog_usec / 2 / 1_000_000

    def ready(self, status: str | None = None) -> bool:
        """Tell systemd that start-up or a reload is complete."""
        return self.send("READY=1", *_status_lines(status))

    def status(self, text: str) -> bool:
        """Set the one-line status that `systemctl status` shows."""
        return self.send(*_status_lines(text))

    def reloading(self) -> bool:
        """Tell systemd that a configuration reload has begun."""
        # MONOTONIC_USEC lets systemd 253+ match this message to its reload
        # request; older versions ignore the field.
        usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        return self.send("RELOADING=1", f"MONOTONIC_USEC={usec}")

    def stopping(self) -> bool:
        """Tell systemd that shutdown has begun."""
        return self.send("STOPPING=1")

    def watchdog(self) -> bool:
        """Tell the watchdog that the daemon is alive."""
        return self.send("WATCHDOG=1")

    def send(self, *lines: str) -> bool:
        """Send ``lines`` as one datagram; return False when nothing was sent."""
        if self._address is None or not lines:
            return False
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._socket.sendto("\n".join(lines).encode(), self._address)
        except OSError as error:
            if not self._failed:
                self._failed = True
                log.warning(
                    "failed to notify systemd, later failures are not logged: socket=%s error=%s",
                    self._name,
                    error,
                )
            return False
        return True

    def close(self) -> None:
        """Close the socket; later calls open a new one."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None


async def ping_watchdog(notifier: Notifier) -> None:
    """Send WATCHDOG=1 at half the watchdog timeout until cancelled.

    Runs on the event loop on purpose: a loop that is blocked or hung stops
    the pings, and systemd restarts the service.
    """
    interval = notifier.watchdog_interval
    if interval is None:
        return
    while True:
        notifier.watchdog()
        await asyncio.sleep(interval)


def _socket_address(address: str) -> str | None:
    if address.startswith("@"):
        # The abstract namespace: a leading NUL byte instead of "@".
        return "\0" + address[1:]
    if address.startswith("/"):
        return address
    return None  # vsock: and other transports are not supported


def _watchdog_usec(env: Mapping[str, str]) -> int | None:
    pid = env.get("WATCHDOG_PID")
    if pid is not None and pid != str(os.getpid()):
        return None  # meant for another process, for example our parent
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    return usec if usec > 0 else None


def _status_lines(text: str | None) -> tuple[str, ...]:
    if text is None:
        return ()
    # One line: a newline would end the STATUS field early.
    return ("STATUS=" + " ".join(text.split()),)
