"""The HTML report in Debian's headless Chromium, driven over the DevTools protocol.

Chromium runs with ``--remote-debugging-pipe``: it reads commands from file
descriptor 3 and writes replies and events to file descriptor 4, each
message one JSON object ended by a NUL byte. Nothing here needs a Python
package beyond the standard library, and the page is a local file, so no
packet leaves the machine.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor import report
from tests.test_report import HOSTILE_GROUP, sample_report

CHROMIUM = "/usr/bin/chromium"
# Seconds to wait for one reply or event. A cold start of Chromium on a busy
# machine takes a few seconds.
REPLY_TIMEOUT = 60.0
# A4 in inches, as Page.printToPDF takes it.
A4_WIDTH, A4_HEIGHT = 8.27, 11.69
# The printable width of A4 with the page's 15 mm margins, in CSS pixels (96 per inch).
PRINTABLE_WIDTH = round((210 - 2 * 15) / 25.4 * 96)


class DevTools:
    """A DevTools protocol client over Chromium's debugging pipe."""

    def __init__(self, process: subprocess.Popen[bytes], write_fd: int, read_fd: int) -> None:
        self.process = process
        self._write_fd = write_fd
        self._read_fd = read_fd
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send a command and return its result, or raise AssertionError on a protocol error."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        os.write(self._write_fd, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive()
            if reply.get("id") == self._next_id:
                assert "error" not in reply, f"{method} failed: {reply['error']}"
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        """Return the first event called ``method``, received already or from now on."""
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self._receive()
            self.events.append(event)
            if event.get("method") == method:
                return event

    def _receive(self) -> dict[str, Any]:
        deadline = time.monotonic() + REPLY_TIMEOUT
        while b"\0" not in self._buffer:
            assert time.monotonic() < deadline, "Chromium sent nothing in time"
            chunk = os.read(self._read_fd, 1 << 20)
            assert chunk, f"Chromium closed the pipe (exit code {self.process.poll()})"
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        decoded: dict[str, Any] = json.loads(message)
        return decoded


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[DevTools]:
    # A missing browser is a failure: this test is the only check of the page in a browser.
    assert shutil.which(CHROMIUM), (
        f"{CHROMIUM} is missing; install it with apt-get install chromium"
    )
    to_browser_read, to_browser_write = os.pipe()
    from_browser_read, from_browser_write = os.pipe()
    # Chromium expects the pipe on descriptors 3 (commands in) and 4 (replies out).
    process = subprocess.Popen(
        [
            CHROMIUM,
            "--headless",
            "--remote-debugging-pipe",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            # Nothing may leave the machine: no name resolves, and any
            # connection goes to a closed port on loopback.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=http://127.0.0.1:9",
            f"--user-data-dir={tmp_path / 'profile'}",
            "about:blank",
        ],
        pass_fds=(3, 4),
        preexec_fn=_pipe_descriptors(to_browser_read, from_browser_write),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "chromium.log").open("wb"),
    )
    os.close(to_browser_read)
    os.close(from_browser_write)
    tools = DevTools(process, to_browser_write, from_browser_read)
    try:
        yield tools
    finally:
        with contextlib.suppress(OSError):
            os.write(
                to_browser_write, json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0"
            )
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        os.close(to_browser_write)
        os.close(from_browser_read)


def _pipe_descriptors(read_end: int, write_end: int) -> Any:
    """Return a function that puts the pipe ends on descriptors 3 and 4 in the child."""

    def arrange() -> None:
        # Copy both first, so that moving one onto 3 or 4 cannot close the other.
        commands = os.dup(read_end)
        replies = os.dup(write_end)
        os.dup2(commands, 3)
        os.dup2(replies, 4)

    return arrange


def open_page(tools: DevTools, page: Path) -> str:
    """Load ``page`` in a new tab with network events on, and return the tab's session."""
    created = tools.send("Target.createTarget", url="about:blank")
    attached = tools.send("Target.attachToTarget", targetId=created["targetId"], flatten=True)
    session: str = attached["sessionId"]
    tools.send("Network.enable", session)
    tools.send("Page.enable", session)
    tools.send(
        "Emulation.setDeviceMetricsOverride",
        session,
        width=PRINTABLE_WIDTH,
        height=1000,
        deviceScaleFactor=1,
        mobile=False,
    )
    tools.send("Page.navigate", session, url=page.as_uri())
    tools.wait_for("Page.loadEventFired")
    return session


def evaluate(tools: DevTools, session: str, expression: str) -> Any:
    result = tools.send("Runtime.evaluate", session, expression=expression, returnByValue=True)
    return result["result"].get("value")


@pytest.mark.parametrize(
    ("language", "verdicts"),
    [
        ("id", ["Siap", "Perlu Perbaikan", "Belum Siap"]),
        ("en", ["Ready", "Needs improvement", "Not ready"]),
    ],
)
def test_report_page_in_chromium(
    chromium: DevTools, tmp_path: Path, language: str, verdicts: list[str]
) -> None:
    sample = sample_report()
    page = tmp_path / f"report-{language}.html"
    page.write_text(report.render_html(sample, language), encoding="utf-8")

    session = open_page(chromium, page)

    requested = [
        event["params"]["request"]["url"]
        for event in chromium.events
        if event.get("method") == "Network.requestWillBeSent"
    ]
    assert requested == [page.as_uri()]
    failed = [e for e in chromium.events if e.get("method") == "Network.loadingFailed"]
    assert failed == []

    text = evaluate(chromium, session, "document.body.innerText")
    form = report._Format(language, sample.timezone)
    for section in sample.sections:
        assert form.section_title(section) in text
    assert HOSTILE_GROUP in text
    for verdict in verdicts:
        assert verdict in text
    assert evaluate(chromium, session, "document.querySelectorAll('script').length") == 0
    assert evaluate(chromium, session, "document.querySelectorAll('svg').length") == 14

    widest = evaluate(chromium, session, "document.documentElement.scrollWidth")
    assert widest <= PRINTABLE_WIDTH

    shot = chromium.send(
        "Page.captureScreenshot", session, format="png", captureBeyondViewport=True
    )
    png = base64.b64decode(shot["data"])
    (tmp_path / f"report-{language}.png").write_bytes(png)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 20_000

    printed = chromium.send(
        "Page.printToPDF",
        session,
        paperWidth=A4_WIDTH,
        paperHeight=A4_HEIGHT,
        preferCSSPageSize=True,
        printBackground=True,
    )
    pdf = base64.b64decode(printed["data"])
    (tmp_path / f"report-{language}.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF-")
    # One media box per page, each A4: 595 × 842 points.
    boxes = re.findall(rb"/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]", pdf)
    assert len(boxes) >= 2
    for width, height in boxes:
        assert float(width) == pytest.approx(595.3, abs=1)
        assert float(height) == pytest.approx(841.9, abs=1)

    # After all of that, still nothing but the page itself was requested.
    requested = [
        event["params"]["request"]["url"]
        for event in chromium.events
        if event.get("method") == "Network.requestWillBeSent"
    ]
    assert all(url == page.as_uri() or url.startswith("data:") for url in requested)
