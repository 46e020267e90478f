"""Logging to stderr in a form journald understands."""

from __future__ import annotations

import logging
import os
import sys

# sd-daemon(3) priority prefixes: journald strips them and stores the level.
_JOURNAL_PRIORITY = {
    logging.CRITICAL: 2,
    logging.ERROR: 3,
    logging.WARNING: 4,
    logging.INFO: 6,
    logging.DEBUG: 7,
}


class _JournalFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        priority = _JOURNAL_PRIORITY.get(record.levelno, 6)
        text = super().format(record)
        # Every line of a multi-line message keeps its priority in the journal.
        return "\n".join(f"<{priority}>{line}" for line in text.splitlines())


def setup(level: str = "info") -> None:
    """Send log records to stderr: with sd-daemon priorities under journald
    (JOURNAL_STREAM is set), with a time stamp otherwise."""
    handler = logging.StreamHandler(sys.stderr)
    if os.environ.get("JOURNAL_STREAM"):
        handler.setFormatter(_JournalFormatter("%(name)s: %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # APScheduler logs every run at INFO; keep its warnings and errors only.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
