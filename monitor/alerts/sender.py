"""Delivery of the alert outbox to chat channels, in order, at least once, rate-limited.

One :class:`Sender` task runs one worker per configured channel. A worker
seals the channel's queued events into a message (monitor/alerts/outbox.py),
then sends the message's parts one by one through a :class:`Transport`, and
records each accepted part before it sends the next. A crash therefore
resends at most the one part that was in flight, and a restart resumes at
the first part that the database does not record as sent. A failing
channel backs off on its own (5 s, doubling, at most 10 min, with jitter)
while the other workers go on.

Errors::

    DeliveryError            a send failed; ``kind`` names the cause,
                             ``retryable`` whether the same request can succeed later
      kind "unauthorized", "forbidden", "not_found", "chat_not_found",
           "rejected", "invalid_url", "tls"         retried slowly (MAX_RETRY_DELAY)
      kind "rate_limited", "server_error", "unreachable", "timeout",
           "unknown"                                retried with backoff

Nothing is dropped: a message that a chat service rejects stays pending and
is retried every MAX_RETRY_DELAY seconds, with an error log line that names
the channel and the fix.

Example::

    sender = Sender(storage, inventory)
    task = asyncio.create_task(sender.run())
    storage.submit(outbox.enqueue(events, inventory.channels, time.time()))
    sender.wake()
    ...
    await sender.stop()
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import logging
import math
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Protocol, TypeVar

import apprise

from monitor.alerts import outbox, render, routing
from monitor.config import Channel, Inventory, Secret
from monitor.events import Event
from monitor.i18n import DEFAULT_LANGUAGE, translate
from monitor.storage import Storage, StorageError

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

# Backoff of a failing channel, in seconds: the first retry waits
# RETRY_INITIAL_DELAY, each further failure doubles it up to RETRY_MAX_DELAY,
# and every delay is scaled by a random factor in 1 +- RETRY_JITTER.
RETRY_INITIAL_DELAY: Final = 5.0
RETRY_MAX_DELAY: Final = 600.0
RETRY_JITTER: Final = 0.2
# Failure count whose delay is RETRY_MAX_DELAY, used for errors that are not retryable.
_SLOW_RETRY_FAILURES: Final = 32
# A chat service's retry_after is honoured up to this many seconds.
MAX_RETRY_AFTER: Final = outbox.MAX_RETRY_AHEAD
# Seconds a worker waits for new work before it looks at the outbox again.
POLL_INTERVAL: Final = 1.0
# Seconds between two reads of the outbox counts for stats().
COUNTS_INTERVAL: Final = 5.0
# Minimum seconds between two log lines about the same failing channel.
LOG_REPEAT_INTERVAL: Final = 600.0
# Seconds that one send may take, Apprise's own socket timeouts included.
DEFAULT_SEND_TIMEOUT: Final = 30.0
# Seconds of the send timeout left for Apprise's own work around the read.
SOCKET_TIMEOUT_MARGIN: Final = 5.0
CONNECT_TIMEOUT: Final = 10.0

# Causes of a failed send, the ``kind`` of DeliveryError.
UNAUTHORIZED: Final = "unauthorized"  # HTTP 401: wrong token or credentials
FORBIDDEN: Final = "forbidden"  # HTTP 403: the bot may not write to the chat
NOT_FOUND: Final = "not_found"  # HTTP 404: wrong path; Telegram returns it for a malformed token
CHAT_NOT_FOUND: Final = "chat_not_found"  # HTTP 400 "chat not found"
REJECTED: Final = "rejected"  # any other HTTP 4xx: the service refuses this message
RATE_LIMITED: Final = "rate_limited"  # HTTP 429
SERVER_ERROR: Final = "server_error"  # HTTP 5xx
UNREACHABLE: Final = "unreachable"  # connection refused, no route, DNS, socket timeout
TIMEOUT: Final = "timeout"  # the send took longer than the transport's timeout
TLS: Final = "tls"  # certificate or TLS handshake failure
INVALID_URL: Final = "invalid_url"  # Apprise does not accept the channel's URL
UNKNOWN: Final = "unknown"  # Apprise reported failure without a recognisable cause
KINDS: Final = (UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CHAT_NOT_FOUND, REJECTED, RATE_LIMITED,
                SERVER_ERROR, UNREACHABLE, TIMEOUT, TLS, INVALID_URL, UNKNOWN)  # fmt: skip

# Markup names of routing.Service, as Apprise's body formats.
_BODY_FORMATS: Final = {
    "html": apprise.NotifyFormat.HTML,
    "markdown": apprise.NotifyFormat.MARKDOWN,
    "text": apprise.NotifyFormat.TEXT,
}
PLAIN: Final = "text"


class DeliveryError(Exception):
    """A chat service did not accept a message.

    ``detail`` is the cause in the service's words, with every part of the
    channel URL that may be secret masked. ``status`` is the HTTP status
    when one was seen and ``retry_after`` the seconds the service asked to
    wait (Telegram's 429).

    >>> error = DeliveryError(UNAUTHORIZED, False, "HTTP 401: Unauthorized", status=401)
    >>> str(error)
    'unauthorized: HTTP 401: Unauthorized'
    """

    def __init__(
        self,
        kind: str,
        retryable: bool,
        detail: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.kind = kind
        self.retryable = retryable
        self.detail = detail
        self.status = status
        self.retry_after = retry_after
        super().__init__(f"{kind}: {detail}")

    def cause(self, language: str = DEFAULT_LANGUAGE) -> str:
        """Return the cause in ``language``, a short phrase such as "wrong bot token"."""
        return translate(f"notify.cause.{self.kind}", language)

    def fix(self, language: str = DEFAULT_LANGUAGE) -> str:
        """Return what the operator should do about it, in ``language``."""
        return translate(f"notify.fix.{self.kind}", language)


class Transport(Protocol):
    """Sends one message part to a chat channel."""

    async def send(self, channel: Channel, title: str, body: str, markup: str) -> None:
        """Send ``body`` in ``markup`` ("html", "markdown" or "text"); raise DeliveryError."""
        ...


# Apprise transport ----------------------------------------------------------------------


class AppriseTransport:
    """Transport through Apprise, one request at a time per call, in a worker thread.

    Apprise reports an HTTP error by returning False and logging the cause,
    so each send collects the log records of its own thread and turns them
    into a DeliveryError. Apprise's debug lines contain whole URLs, bot
    tokens included, so this class stops the "apprise" logger from
    propagating to the application's handlers (a process-wide change).
    """

    def __init__(self, *, timeout: float = DEFAULT_SEND_TIMEOUT, max_workers: int = 4) -> None:
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        self._timeout = timeout
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers, thread_name_prefix="pantau-apprise"
        )
        self._capture = _install_capture()

    async def send(self, channel: Channel, title: str, body: str, markup: str) -> None:
        """Send one part; raise DeliveryError with the cause when the service rejects it."""
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(
            self._executor, self._notify, channel.url, title, body, markup
        )
        try:
            await asyncio.wait_for(future, self._timeout)
        except TimeoutError:
            # The thread may still finish the request, so the part may arrive
            # and then be sent again: a duplicate, never a loss.
            raise DeliveryError(TIMEOUT, True, f"no response within {self._timeout:g} s") from None

    def close(self) -> None:
        """Stop the worker threads once their current request ends."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _notify(self, url: Secret, title: str, body: str, markup: str) -> None:
        secret_url = url.reveal()
        with self._capture.lines() as lines:
            try:
                client = apprise.Apprise(asset=apprise.AppriseAsset(async_mode=False))
                if not client.add(secret_url):
                    raise _invalid_url(lines, secret_url)
                _lengthen_socket_timeouts(client, secret_url, self._timeout)
                accepted = client.notify(
                    body=body,
                    title=title,
                    body_format=_BODY_FORMATS.get(markup, apprise.NotifyFormat.TEXT),
                )
            except DeliveryError:
                raise
            except Exception as error:  # a fault inside Apprise or one of its plugins
                detail = _scrub(f"{type(error).__name__}: {error}", secret_url)
                raise DeliveryError(UNKNOWN, True, detail) from error
        if not accepted:
            raise classify_failure(lines, secret_url)


def _lengthen_socket_timeouts(client: apprise.Apprise, url: str, limit: float) -> None:
    """Let Apprise wait for a slow chat service nearly as long as the transport does.

    Apprise gives up reading after 4 s by default, while a slow service may
    still accept the message: every retry then posts it again. Timeouts that
    the URL sets itself (``rto=``, ``cto=``) are kept.
    """
    query = url.partition("?")[2]
    for service in client:
        if "rto=" not in query:
            service.socket_read_timeout = max(1.0, limit - SOCKET_TIMEOUT_MARGIN)
        if "cto=" not in query:
            service.socket_connect_timeout = min(CONNECT_TIMEOUT, limit)


# The list that collects Apprise's log lines for the send running in this
# context. Apprise 2.x runs a service's send in its own thread pool, but it
# copies the caller's context into the worker, so the lines still land here.
_capture_lines: contextvars.ContextVar[list[tuple[int, str]] | None] = contextvars.ContextVar(
    "pantau_apprise_lines", default=None
)


class _AppriseLogCapture(logging.Handler):
    """Collects the "apprise" logger's records into the list of the current send."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)

    def emit(self, record: logging.LogRecord) -> None:
        lines = _capture_lines.get()
        if lines is None:
            return
        try:
            lines.append((record.levelno, record.getMessage()))
        except Exception:  # a malformed format string inside a plugin
            self.handleError(record)

    @contextlib.contextmanager
    def lines(self) -> Iterator[list[tuple[int, str]]]:
        """Collect (level, message) of the records that the block's send logs."""
        collected: list[tuple[int, str]] = []
        token = _capture_lines.set(collected)
        try:
            yield collected
        finally:
            _capture_lines.reset(token)


class _QuietDuringSend(logging.Filter):
    """Drops the records of HTTP libraries logged during a send: they hold the URL's path.

    urllib3 logs each request line at DEBUG, and a Telegram request's path
    contains the bot token.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return _capture_lines.get() is None


# Loggers of the HTTP libraries under Apprise that write request URLs.
_HTTP_LOGGERS: Final = ("urllib3.connectionpool", "urllib3.util.retry", "requests")

_capture_lock = threading.Lock()
_capture: _AppriseLogCapture | None = None


def _install_capture() -> _AppriseLogCapture:
    global _capture
    with _capture_lock:
        if _capture is None:
            apprise_logger = logging.getLogger("apprise")
            apprise_logger.setLevel(logging.DEBUG)
            apprise_logger.propagate = False
            _capture = _AppriseLogCapture()
            apprise_logger.addHandler(_capture)
            quiet = _QuietDuringSend()
            for name in _HTTP_LOGGERS:
                logging.getLogger(name).addFilter(quiet)
        return _capture


# Classifying Apprise's failures --------------------------------------------------------

_STATUS = re.compile(r"\berror=(\d{3})\b")
_RETRY_AFTER = re.compile(r"retry after (\d+)|retry_after\W{0,3}(\d+)", re.IGNORECASE)
# Causes that the requests library puts into the exception Apprise logs at debug level.
_SOCKET_CAUSES: Final = (
    (re.compile(r"Connection refused", re.IGNORECASE), UNREACHABLE, "connection refused"),
    (re.compile(r"timed out|Timeout", re.IGNORECASE), UNREACHABLE, "connection timed out"),
    (
        re.compile(
            r"Name or service not known|Temporary failure in name resolution"
            r"|nodename nor servname|getaddrinfo failed",
            re.IGNORECASE,
        ),
        UNREACHABLE,
        "host name not found",
    ),
    (re.compile(r"No route to host|Network is unreachable", re.I), UNREACHABLE, "no route to host"),
    (
        re.compile(r"Connection reset|RemoteDisconnected|Connection aborted", re.I),
        UNREACHABLE,
        "connection reset",
    ),
    (re.compile(r"CERTIFICATE_VERIFY_FAILED|SSLError|certificate", re.I), TLS, "TLS failure"),
)
_MAX_DETAIL = 500
# Debug lines of Apprise's plugins that carry the socket error or the response body.
_EVIDENCE_PREFIXES: Final = ("Socket Exception", "Response Details")


def classify_failure(lines: Sequence[tuple[int, str]], secret_url: str) -> DeliveryError:
    """Turn the log lines of a failed Apprise send into a DeliveryError.

    Only WARNING and higher lines reach ``detail``, with the URL's secrets
    masked. Of the debug lines, only the socket error and the HTTP response
    body are searched (for the cause and retry_after), and never copied:
    the other debug lines hold the URL and the message itself.
    """
    warnings = [_scrub(text, secret_url) for level, text in lines if level >= logging.WARNING]
    evidence = "\n".join(
        text
        for level, text in lines
        if level >= logging.WARNING or text.startswith(_EVIDENCE_PREFIXES)
    )
    detail = " | ".join(warnings)[:_MAX_DETAIL] or "the service reported a failure without a cause"

    status_match = _STATUS.search("\n".join(warnings))
    if status_match is not None:
        status = int(status_match.group(1))
        retry_match = _RETRY_AFTER.search(evidence)
        retry_after = None
        if retry_match is not None:
            retry_after = float(retry_match.group(1) or retry_match.group(2))
        kind = _kind_of_status(status, evidence)
        retryable = kind in (RATE_LIMITED, SERVER_ERROR)
        return DeliveryError(
            kind, retryable, f"HTTP {status}: {detail}", status=status, retry_after=retry_after
        )

    for pattern, kind, cause in _SOCKET_CAUSES:
        if pattern.search(evidence):
            return DeliveryError(kind, kind != TLS, f"{cause}: {detail}")
    return DeliveryError(UNKNOWN, True, detail)


def _kind_of_status(status: int, text: str) -> str:
    if status == 429:
        return RATE_LIMITED
    if status >= 500:
        return SERVER_ERROR
    if status == 401:
        return UNAUTHORIZED
    if status == 403:
        return FORBIDDEN
    if status == 404:
        return NOT_FOUND
    if status == 400 and "chat not found" in text.lower():
        return CHAT_NOT_FOUND
    return REJECTED


def _invalid_url(lines: Sequence[tuple[int, str]], secret_url: str) -> DeliveryError:
    reasons = [_scrub(text, secret_url) for level, text in lines if level >= logging.WARNING]
    scheme = secret_url.split("://", 1)[0] if "://" in secret_url else "?"
    detail = f"Apprise does not accept the {scheme}:// URL"
    if reasons:
        detail += ": " + " | ".join(reasons)[:_MAX_DETAIL]
    return DeliveryError(INVALID_URL, False, detail)


def _scrub(text: str, secret_url: str) -> str:
    """Mask every piece of the URL that may be a secret (tokens, passwords, keys) in ``text``."""
    for fragment in _secret_fragments(secret_url):
        text = text.replace(fragment, "***")
    return text


def _secret_fragments(url: str) -> list[str]:
    """Return the URL's pieces of six or more characters, except host names, longest first.

    A Telegram URL is tgram://BOT_TOKEN/CHAT_ID, so the token sits where a
    host name would be. Unlike a host name, it contains no dot.
    """
    rest = url.split("://", 1)[-1]
    fragments = {url, rest}
    for piece in re.split(r"[/?&=@#]", rest):
        fragments.add(piece)
        fragments.update(piece.split(":"))
    return sorted(
        (piece for piece in fragments if (len(piece) >= 6 and "." not in piece) or piece == url),
        key=len,
        reverse=True,
    )


# Rate limit and backoff ------------------------------------------------------------------


class TokenBucket:
    """Rate limit of one channel: ``rate_per_minute`` sends on average, ``burst`` at once.

    Each call to :meth:`reserve` takes one token and returns the seconds the
    caller must wait before it sends, so callers that reserve in turn are
    spaced evenly. ``rate_per_minute`` None means no limit.

    >>> clock = iter([0.0, 0.0, 0.0]).__next__
    >>> bucket = TokenBucket(20, burst=1, clock=clock)
    >>> [bucket.reserve(), bucket.reserve()]
    [0.0, 3.0]
    """

    def __init__(
        self,
        rate_per_minute: float | None,
        *,
        burst: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate_per_minute is not None and rate_per_minute <= 0:
            raise ValueError(f"rate_per_minute must be positive, got {rate_per_minute}")
        if burst < 1:
            raise ValueError(f"burst must be at least 1, got {burst}")
        self._rate = None if rate_per_minute is None else rate_per_minute / 60.0
        self._capacity = burst
        self._clock = clock
        self._tokens = burst
        self._updated = clock()
        self._blocked_until = -math.inf

    def reserve(self) -> float:
        """Take one token; return the seconds to wait before sending (0.0 when at once)."""
        now = self._clock()
        held = max(0.0, self._blocked_until - now)
        if self._rate is None:
            return held
        self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self._rate)
        self._updated = now
        self._tokens -= 1.0
        wait = 0.0 if self._tokens >= 0 else -self._tokens / self._rate
        return max(wait, held)

    def hold(self, seconds: float) -> None:
        """Allow no send for ``seconds`` from now, as a service's retry_after requests."""
        now = self._clock()
        self._blocked_until = max(self._blocked_until, now + seconds)
        if self._rate is None:
            return
        # Tokens may go negative: the bucket then contains one token (or its
        # earlier debt) when the pause ends, and nothing accrues during it.
        tokens = min(self._capacity, self._tokens + (now - self._updated) * self._rate)
        self._tokens = min(tokens, 1.0) - seconds * self._rate
        self._updated = now


def retry_delay(failures: int, *, rng: Callable[[], float] = random.random) -> float:
    """Return the seconds to wait after ``failures`` consecutive failures (at least 1)."""
    base = min(RETRY_MAX_DELAY, RETRY_INITIAL_DELAY * 2.0 ** min(failures - 1, 32))
    factor = 1.0 + RETRY_JITTER * (2.0 * rng() - 1.0)
    return min(RETRY_MAX_DELAY, base * factor)


def burst_of(rate_per_minute: float | None) -> float:
    """Return the burst allowed at a rate: one second's worth of sends, at least one."""
    if rate_per_minute is None:
        return 1.0
    return max(1.0, rate_per_minute / 60.0)


# The sender --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChannelStats:
    """Delivery figures of one channel for the metrics.

    ``sent`` counts parts accepted and ``failed`` failed attempts since the
    sender started. ``pending`` counts undelivered events and
    ``oldest_pending_age`` is the seconds the oldest one has waited, both as
    of the last read of the outbox. ``configured`` is False for a channel
    that was removed from the configuration while alerts were queued for it.
    """

    sent: int
    failed: int
    pending: int
    oldest_pending_age: float
    configured: bool = True


class _Worker:
    """Delivery state of one channel, owned by its task."""

    def __init__(
        self, channel: Channel, service: routing.Service, renderer: outbox.Renderer
    ) -> None:
        self.channel = channel
        self.service = service
        self.renderer = renderer
        self.bucket = TokenBucket(service.rate_per_minute, burst=burst_of(service.rate_per_minute))
        self.wake = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.failures = 0
        self.retry_at = -math.inf  # time.monotonic() before which nothing is sent
        self.sent = 0
        self.failed = 0
        self.last_failure_log = -math.inf
        self.last_failure_kind = ""


class Sender:
    """Deliverer of the outbox: one task, one worker per channel.

    Call :meth:`run` as a task on the daemon's loop, :meth:`wake` after
    events are queued (from any thread), :meth:`apply_inventory` after a
    reload, and :meth:`stop` before the storage is closed.
    """

    def __init__(
        self,
        storage: Storage,
        inventory: Inventory,
        *,
        transport: Transport | None = None,
        clock: Callable[[], float] = time.time,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._storage = storage
        self._inventory = inventory
        # A transport made here is closed by run() when it ends.
        self._owned_transport: AppriseTransport | None = None
        if transport is None:
            transport = self._owned_transport = AppriseTransport()
        self._transport: Transport = transport
        self._clock = clock
        self._rng = rng
        self._workers: dict[str, _Worker] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False
        self._stop_grace = 0.0
        self._stop_event: asyncio.Event | None = None
        self._counts: dict[str, outbox.ChannelCounts] = {}
        self._reported_orphans: set[str] = set()

    # Control

    async def run(self) -> None:
        """Deliver until stop(); start a worker per channel and refresh the counts."""
        self._loop = asyncio.get_running_loop()
        self._stop_event = asyncio.Event()
        logger.info("Alert sender started: channels=%d", len(self._inventory.channels))
        self._start_workers(self._inventory)
        try:
            while not self._stopping:
                # The counts wait behind the writer's queue: a full disk or a
                # locked database must not keep stop() from ending this loop.
                refreshing = asyncio.ensure_future(self.refresh())
                stopping = asyncio.ensure_future(self._stop_event.wait())
                await asyncio.wait({refreshing, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if not refreshing.done():
                    refreshing.cancel()
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping, COUNTS_INTERVAL)
        finally:
            await self._stop_workers(list(self._workers.values()), grace=self._stop_grace)
            if self._owned_transport is not None:
                self._owned_transport.close()
            logger.info("Alert sender stopped")

    def wake(self) -> None:
        """Make every worker look at the outbox now; safe to call from any thread."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._wake_all)
        except RuntimeError:  # the loop closed meanwhile
            return

    def apply_inventory(self, inventory: Inventory) -> None:
        """Take a reloaded configuration: start, restart or stop workers; call on the loop."""
        self._inventory = inventory
        if self._loop is None:
            return
        self._start_workers(inventory)

    async def stop(self, timeout: float = 10.0) -> None:
        """Finish the parts in flight, waiting at most ``timeout`` seconds, and stop."""
        self._stop_grace = timeout
        self._stopping = True
        if self._stop_event is not None:
            self._stop_event.set()
        self._wake_all()
        tasks = [w.task for w in self._workers.values() if w.task is not None]
        if not tasks:
            return
        _, running = await asyncio.wait(tasks, timeout=timeout)
        for task in running:
            task.cancel()
        if running:
            logger.warning(
                "Alert sender stopped before its channel workers finished (a send or a"
                " database write); a part sent but not yet marked goes again after the"
                " restart: channels=%d timeout=%s",
                len(running),
                timeout,
            )
            await asyncio.wait(running)

    def stats(self) -> Mapping[str, ChannelStats]:
        """Return the delivery figures of every configured channel and every orphaned one."""
        now = self._clock()
        result: dict[str, ChannelStats] = {}
        for name, worker in self._workers.items():
            counts = self._counts.get(name, outbox.ChannelCounts(0, 0, None))
            result[name] = ChannelStats(
                worker.sent, worker.failed, counts.pending_events, counts.oldest_age(now)
            )
        for name, counts in self._counts.items():
            if name not in result:
                result[name] = ChannelStats(
                    0, 0, counts.pending_events, counts.oldest_age(now), configured=False
                )
        return result

    async def refresh(self) -> None:
        """Read the outbox counts now, and log channels whose alerts cannot be delivered."""
        try:
            self._counts = await self._run(outbox.counts())
        except Exception as error:  # the counts only feed metrics: keep the last ones
            logger.error("Reading the alert outbox counts failed: error=%s", error)
            return
        for name, counts in self._counts.items():
            if name in self._workers or name in self._reported_orphans:
                continue
            self._reported_orphans.add(name)
            logger.error(
                "Alerts are queued for a channel that is no longer configured, so they stay"
                " undeliverable: channel=%s pending_events=%d pending_messages=%d. Add a"
                " [[channels]] entry named %s again, or delete them with sqlite3: DELETE FROM"
                " outbox WHERE channel = '%s'; DELETE FROM messages WHERE channel = '%s';",
                name,
                counts.pending_events,
                counts.pending_messages,
                name,
                name,
                name,
            )

    # Workers

    def _start_workers(self, inventory: Inventory) -> None:
        wanted = {channel.name: channel for channel in inventory.channels}
        removed = [w for name, w in self._workers.items() if name not in wanted]
        for worker in removed:
            del self._workers[worker.channel.name]
            if worker.task is not None:
                worker.task.cancel()
        for name, channel in wanted.items():
            service = routing.service_of(channel)
            renderer = _make_renderer(channel, service, inventory)
            worker = self._workers.get(name)
            if worker is None:
                # A start, or a channel added back, tries its pending messages
                # at once, rendered with the current settings: the restart may
                # have been the fix (a new token, a lower max_length).
                self._storage.submit(outbox.unseal_unsent(name))
                self._storage.submit(outbox.retry_now(name))
                worker = self._workers[name] = _Worker(channel, service, renderer)
                worker.task = asyncio.create_task(self._work(worker), name=f"pantau-send-{name}")
                self._reported_orphans.discard(name)
                continue
            changed = worker.channel != channel or worker.service != service
            worker.renderer = renderer
            if changed:
                # A new URL or limit may be the fix for the failures, so try at
                # once, and render messages not yet started again with it.
                worker.channel, worker.service = channel, service
                rate = service.rate_per_minute
                worker.bucket = TokenBucket(rate, burst=burst_of(rate))
                worker.failures = 0
                worker.retry_at = -math.inf
                self._storage.submit(outbox.unseal_unsent(name))
                self._storage.submit(outbox.retry_now(name))
                worker.wake.set()

    async def _stop_workers(self, workers: list[_Worker], grace: float = 0.0) -> None:
        """Let the workers finish the part in flight for ``grace`` seconds, then cancel them.

        A worker cancelled between the chat service's response and the commit of
        its mark sends that part again after the restart.
        """
        tasks = [w.task for w in workers if w.task is not None and not w.task.done()]
        if not tasks:
            return
        if grace > 0:
            _, running = await asyncio.wait(tasks, timeout=grace)
            tasks = list(running)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)

    def _wake_all(self) -> None:
        for worker in self._workers.values():
            worker.wake.set()

    async def _work(self, worker: _Worker) -> None:
        name = worker.channel.name
        while not self._stopping:
            try:
                busy = await self._deliver(worker)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                # Storage trouble or a bug: keep the worker alive and try again later.
                worker.failures += 1
                delay = retry_delay(worker.failures, rng=self._rng)
                worker.retry_at = time.monotonic() + delay
                logger.error(
                    "Alert delivery failed inside Pantau, retrying: channel=%s error=%s"
                    " retry_in=%.0fs",
                    name,
                    error,
                    delay,
                    exc_info=not isinstance(error, StorageError),
                )
                busy = False
            if not busy:
                await self._idle(worker)

    async def _idle(self, worker: _Worker) -> None:
        timeout = POLL_INTERVAL
        if worker.retry_at > time.monotonic():
            timeout = min(timeout, worker.retry_at - time.monotonic())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(worker.wake.wait(), max(0.0, timeout))
        worker.wake.clear()

    async def _deliver(self, worker: _Worker) -> bool:
        """Seal and send what is due for one channel; return True when something was sent."""
        if time.monotonic() < worker.retry_at:
            return False
        name = worker.channel.name
        now = self._clock()
        messages = await self._run(outbox.due(name, now))
        if not messages:
            window = self._inventory.alerts.group_window
            sealed = await self._run(outbox.seal(name, now, window, worker.renderer))
            if sealed is None:
                return False
            messages = await self._run(outbox.due(name, now))
        for message in messages:
            if not await self._send_message(worker, message):
                return False
        return bool(messages)

    async def _send_message(self, worker: _Worker, message: outbox.PendingMessage) -> bool:
        """Send the unsent parts of one message in order; return True when all were accepted."""
        for index in range(message.parts_sent, len(message.parts)):
            if self._stopping:
                return False
            wait = worker.bucket.reserve()
            if wait > 0 and await self._sleep_unless_stopped(wait):
                return False
            try:
                await self._transport.send(worker.channel, "", message.parts[index], message.markup)
            except DeliveryError as error:
                await self._record_failure(worker, message, error)
                return False
            # Waiting for the commit before the next part bounds a crash's
            # duplicates to this one part.
            await self._run(outbox.mark_part_sent(message.id, index, self._clock()))
            worker.sent += 1
        self._record_success(worker, message)
        return True

    async def _sleep_unless_stopped(self, seconds: float) -> bool:
        """Sleep ``seconds``; return True at once when stop() was called."""
        assert self._stop_event is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop_event.wait(), seconds)
        return self._stopping

    async def _record_failure(
        self, worker: _Worker, message: outbox.PendingMessage, error: DeliveryError
    ) -> None:
        worker.failed += 1
        worker.failures += 1
        # A rejected request needs an operator, so it is retried slowly.
        failures = worker.failures if error.retryable else _SLOW_RETRY_FAILURES
        delay = retry_delay(failures, rng=self._rng)
        if error.retry_after is not None:
            wait = min(error.retry_after, MAX_RETRY_AFTER)
            worker.bucket.hold(wait)
            delay = max(delay, wait)
        worker.retry_at = time.monotonic() + delay
        self._log_failure(worker, message, error, delay)
        await self._run(outbox.mark_failed(message.id, str(error), self._clock() + delay))

    def _log_failure(
        self, worker: _Worker, message: outbox.PendingMessage, error: DeliveryError, delay: float
    ) -> None:
        now = time.monotonic()
        repeat_due = now - worker.last_failure_log >= LOG_REPEAT_INTERVAL
        if error.kind == worker.last_failure_kind and not repeat_due:
            return
        worker.last_failure_log = now
        worker.last_failure_kind = error.kind
        level = logging.WARNING if error.retryable else logging.ERROR
        logger.log(
            level,
            "Alert delivery failed, the message stays queued and is retried: channel=%s"
            " message=%d error=%s failed_attempts=%d retry_in=%.0fs. %s",
            worker.channel.name,
            message.id,
            error,
            worker.failures,
            delay,
            error.fix("en"),
        )

    def _record_success(self, worker: _Worker, message: outbox.PendingMessage) -> None:
        if worker.failures:
            logger.info(
                "Alert delivery works again: channel=%s failed_attempts=%d",
                worker.channel.name,
                worker.failures,
            )
        worker.failures = 0
        worker.retry_at = -math.inf
        worker.last_failure_log = -math.inf
        worker.last_failure_kind = ""
        logger.info(
            "Alert message delivered: channel=%s message=%d parts=%d",
            worker.channel.name,
            message.id,
            len(message.parts),
        )

    async def _run(self, operation: Callable[[Any], _T]) -> _T:
        result: _T = await asyncio.wrap_future(self._storage.submit(operation))
        return result


# Rendering -------------------------------------------------------------------------------


def _make_renderer(
    channel: Channel, service: routing.Service, inventory: Inventory
) -> outbox.Renderer:
    """Build the function that turns a channel's events into the parts of one message."""
    language = channel.language or inventory.daemon.language
    timezone = inventory.daemon.timezone

    def renderer(events: Sequence[Event]) -> outbox.RenderedMessage:
        try:
            markup = service.markup
            text = render.render(events, language=language, timezone=timezone, markup=markup)
            parts = render.split(text, service.max_length, markup=markup)
            return outbox.RenderedMessage(markup, tuple(parts))
        except Exception:
            # Sending the facts plainly beats holding the channel's alerts
            # back until the renderer is fixed.
            logger.exception(
                "Rendering alerts failed, sending them as plain text: channel=%s events=%d",
                channel.name,
                len(events),
            )
            return outbox.RenderedMessage(PLAIN, plain_parts(events, service.max_length))

    return renderer


def plain_parts(events: Sequence[Event], limit: int) -> tuple[str, ...]:
    """Write events as plain lines (kind, target, status, reason, UTC time), cut into parts."""
    lines = [
        f"{event.kind} {event.target} {event.status} {event.reason}"
        f" {datetime.fromtimestamp(event.at, UTC):%Y-%m-%d %H:%M:%S} UTC"
        for event in events
    ]
    parts: list[str] = []
    current = ""
    for line in lines:
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            candidate = line
        current = candidate
    if current:
        parts.append(current)
    return tuple(parts) or ("-",)
