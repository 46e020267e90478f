"""Pytest fixture for test networks.

tests/conftest.py lists this module in ``pytest_plugins``, so a test module
only names the fixture as an argument::

    @pytest.mark.netns
    def test_host_answers(lab: Lab) -> None:
        host = lab.add_host("a")
        ...

The fixture fails, and never skips, when the run is not root or a required
tool is missing, so that a CI job without them cannot pass by skipping.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from .netns import Lab, sweep_stale_namespaces

REQUIRED_TOOLS = ("ip", "nft", "sysctl")


def require_root() -> None:
    """Fail the current test unless it runs as root."""
    if os.geteuid() != 0:
        pytest.fail(
            "network namespace tests need root (ip netns, nftables, raw sockets): "
            "run pytest as root, or deselect them with -m 'not netns'",
            pytrace=False,
        )


def require_tools(*names: str) -> None:
    """Fail the current test when a command in ``names`` is not on PATH."""
    missing = [name for name in names if shutil.which(name) is None]
    if missing:
        pytest.fail(
            f"commands not found: {', '.join(missing)}; install them "
            "(Debian packages iproute2, nftables, procps, dnsmasq-base, fping)",
            pytrace=False,
        )


@pytest.fixture
def lab() -> Iterator[Lab]:
    """Open a fresh :class:`Lab` after removing namespaces left by killed runs."""
    require_root()
    require_tools(*REQUIRED_TOOLS)
    sweep_stale_namespaces()
    with Lab() as opened:
        yield opened
