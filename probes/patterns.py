"""Regular expressions of the service checks, matched in linear time by RE2.

A body or banner comes from the network, and a pattern such as ``(a+)+b``
makes Python's backtracking ``re`` run for hours on a few dozen bytes while
it blocks the event loop. RE2 (the engine of blackbox_exporter's Go regexp)
matches in time linear in the text, and refuses what it cannot do so:
backreferences and look-around.
"""

from __future__ import annotations

import functools
from typing import Any

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would print parse errors to stderr itself


class PatternError(ValueError):
    """A pattern that RE2 cannot compile; the message is RE2's reason."""


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> Any:
    """Return the compiled RE2 pattern, or raise PatternError with RE2's reason."""
    try:
        return re2.compile(pattern, options=_OPTIONS)
    except re2.error as error:
        reason = error.args[0] if error.args else str(error)
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(str(reason)) from error


def search(pattern: str, text: str) -> bool:
    """Tell whether ``pattern`` occurs anywhere in ``text``."""
    return compile_pattern(pattern).search(text) is not None
