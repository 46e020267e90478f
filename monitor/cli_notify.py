"""`pantau notify-test`: send a test message to every channel now and show each outcome.

The test message bypasses the outbox: nothing is queued or stored, and the
daemon's sender is not involved, so the command works while the daemon runs.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Sequence

from monitor import config
from monitor.alerts import render, routing
from monitor.alerts.sender import AppriseTransport, DeliveryError, Transport
from monitor.i18n import translate

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def notify_test(
    inventory: config.Inventory,
    language: str | None,
    *,
    transport: Transport | None = None,
) -> int:
    """Send the test message to every channel and print the outcomes; return the exit code.

    The command's output is in ``language`` (else the configured one), and
    each test message in its channel's language. Exit 0 when every channel
    accepted the message, 1 when any failed, 2 when no channel is configured.
    """
    language = language or inventory.daemon.language
    if not inventory.channels:
        print(translate("notify.no_channels", language, file=inventory.path), file=sys.stderr)
        return EXIT_USAGE

    owned = transport is None
    chosen: Transport = AppriseTransport() if transport is None else transport
    try:
        outcomes = asyncio.run(_send_all(inventory, chosen))
    finally:
        if owned and isinstance(chosen, AppriseTransport):
            chosen.close()

    failed = 0
    for channel, outcome in zip(inventory.channels, outcomes, strict=True):
        if isinstance(outcome, DeliveryError):
            failed += 1
            print(
                translate(
                    "notify.failed",
                    language,
                    channel=channel.name,
                    cause=outcome.cause(language),
                    detail=outcome.detail,
                    fix=outcome.fix(language),
                )
            )
        else:
            print(translate("notify.ok", language, channel=channel.name, parts=outcome))
    ok = len(outcomes) - failed
    print(translate("notify.summary", language, ok=ok, failed=failed))
    return EXIT_FAILED if failed else EXIT_OK


async def _send_all(
    inventory: config.Inventory, transport: Transport
) -> Sequence[int | DeliveryError]:
    """Send to all channels at once; return the parts sent or the error of each, in order."""
    now = time.time()
    return await asyncio.gather(
        *(_send_one(inventory, channel, transport, now) for channel in inventory.channels)
    )


async def _send_one(
    inventory: config.Inventory, channel: config.Channel, transport: Transport, now: float
) -> int | DeliveryError:
    service = routing.service_of(channel)
    text = render.render_test(
        channel.name,
        language=channel.language or inventory.daemon.language,
        timezone=inventory.daemon.timezone,
        markup=service.markup,
        now=now,
    )
    parts = render.split(text, service.max_length, markup=service.markup)
    try:
        for part in parts:
            await transport.send(channel, "", part, service.markup)
    except DeliveryError as error:
        return error
    return len(parts)
