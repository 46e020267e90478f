"""A chat service stand-in on 127.0.0.1 for the delivery tests: records POSTs, fails on request.

It serves Apprise's JSON plugin (``json://127.0.0.1:PORT/``) and plays a
fake Telegram Bot API (``/bot<TOKEN>/sendMessage``) alike. Every POST is
recorded with its path and JSON body, and gets the next scripted
:class:`Reply` as its response, or 200 with a Bot API "ok" body when none
is scripted.
``refuse()`` closes the listening socket, so that connections are refused,
and ``accept()`` listens again on the same port.
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
OK_BODY = b'{"ok":true,"result":{"message_id":1}}'


@dataclass(frozen=True, slots=True)
class Reply:
    """One scripted response: HTTP status, body, and seconds to wait before sending it."""

    status: int = 200
    body: bytes = OK_BODY
    delay: float = 0.0


def telegram_error(status: int, description: str, retry_after: int | None = None) -> Reply:
    """Return a Bot API error reply, such as 401 "Unauthorized"."""
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return Reply(status, json.dumps(body).encode())


@dataclass(slots=True)
class Post:
    """One recorded request."""

    path: str
    body: dict[str, Any]
    answered: int  # the HTTP status of the response


@dataclass
class Receiver:
    """HTTP server on 127.0.0.1 that records every POST and fails as scripted."""

    port: int = 0
    posts: list[Post] = field(default_factory=list)
    on_post: Callable[[Post], None] | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._replies: deque[Reply] = deque()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.received = threading.Condition()

    @property
    def json_url(self) -> str:
        """Return the Apprise URL of the JSON plugin pointed at this receiver."""
        return f"json://127.0.0.1:{self.port}/"

    def accept(self) -> None:
        """Listen (again) on the port, picking a free one the first time."""
        if self._server is not None:
            return
        server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler_class())
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()

    def refuse(self) -> None:
        """Stop listening, so that new connections are refused."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        assert self._thread is not None
        self._thread.join()

    def script(self, *replies: Reply) -> None:
        """Respond to the next POSTs with ``replies``, in order."""
        with self._lock:
            self._replies.extend(replies)

    def messages(self) -> list[str]:
        """Return the text of every POST so far: "message" (JSON plugin) or "text" (Telegram)."""
        with self._lock:
            return [
                post.body.get("message", post.body.get("text", ""))
                for post in self.posts
                if post.answered == 200
            ]

    def wait_for(self, condition: Callable[[Receiver], bool], timeout: float) -> bool:
        """Wait until ``condition(self)`` holds; return False after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not condition(self):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self.received:
                self.received.wait(min(remaining, 0.2))
        return True

    def _answer(self, path: str, raw: bytes) -> Reply:
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"raw": raw.decode("utf-8", "replace")}
        with self._lock:
            reply = self._replies.popleft() if self._replies else Reply()
        if reply.delay:
            time.sleep(reply.delay)
        post = Post(path, body, reply.status)
        with self._lock:
            self.posts.append(post)
        with self.received:
            self.received.notify_all()
        if self.on_post is not None:
            self.on_post(post)
        return reply

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                reply = receiver._answer(self.path, self.rfile.read(length))
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender was killed before it read the response

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True, slots=True)
class Recorded:
    """One POST as the receiver process wrote it: arrival time (unix seconds) and message text."""

    time: float
    text: str


class ReceiverProcess:
    """This module run as a process in a namespace, with its POSTs read back from its record.

    ``namespace`` is anything with ``popen(argv, **kwargs)``, such as a lab's
    prober (tests/lab/netns.py), so that a daemon in that namespace reaches
    the receiver on the namespace's loopback.
    """

    def __init__(
        self,
        namespace: Any,
        port: int,
        record: Path,
        env: Mapping[str, str],
        log: Path | None = None,
    ) -> None:
        self.record = record
        stderr_path = log or record.with_suffix(".log")
        with stderr_path.open("w") as stderr:
            self.process = namespace.popen(
                [sys.executable, "-m", "tests.alerts_receiver", "--port", str(port),
                 "--record", str(record)],
                env=dict(env),
                cwd=REPOSITORY_ROOT,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )  # fmt: skip
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the receiver did not start: {stderr_path.read_text().strip()}")

    def posts(self) -> list[Recorded]:
        """Return every POST recorded so far, in arrival order."""
        if not self.record.exists():
            return []
        posts = []
        for line in self.record.read_text(encoding="utf-8").splitlines():
            if line:
                data = json.loads(line)
                posts.append(Recorded(data["time"], str(data["body"].get("message", ""))))
        return posts

    def messages(self) -> list[str]:
        """Return the text of every POST so far."""
        return [post.text for post in self.posts()]

    def stop(self) -> None:
        """Stop the receiver with SIGTERM and wait for it."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM, appending each POST to a JSON-lines file.

    Run it inside a test namespace, where the daemon under test can reach
    it on that namespace's loopback: ``python -m tests.alerts_receiver
    --port 9480 --record posts.jsonl``. Each line contains the receive time
    (unix seconds), the path and the JSON body.
    """
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--record", required=True, help="JSON-lines file to append to")
    arguments = parser.parse_args(argv)

    record = open(arguments.record, "a", encoding="utf-8")  # noqa: SIM115 - open until exit

    def write(post: Post) -> None:
        line = {"time": time.time(), "path": post.path, "body": post.body}
        record.write(json.dumps(line, ensure_ascii=False) + "\n")
        record.flush()

    receiver = Receiver(port=arguments.port, on_post=write)
    receiver.accept()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    print("ready", flush=True)
    stopped.wait()
    receiver.refuse()
    record.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
