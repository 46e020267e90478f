"""`pantau probe` for SNMP targets: a device summary and an interface table.

Interface rates need two polls: the command polls each device, waits the
sample time, polls again and shows the rates between the two.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from babel.dates import format_timedelta
from babel.numbers import format_decimal

from monitor import config
from monitor.i18n import translate
from monitor.scheduler import snmp_request
from monitor.snmp_view import SnmpState
from probes import base, snmp

_LOCALES = {"id": "id_ID", "en": "en_US"}
_STATUS_NAMES = {1: "up", 2: "down", 3: "testing", 4: "unknown", 5: "dormant", 6: "notPresent",
                 7: "lowerLayerDown"}  # fmt: skip


async def poll_twice(
    inventory: config.Inventory, targets: Sequence[config.Target], sample: float
) -> list[tuple[base.ProbeResult, SnmpState]]:
    """Poll each SNMP target, wait ``sample`` seconds, poll again; return results and rates."""
    client = snmp.SnmpClient()
    try:
        requests = [
            snmp_request(target, inventory.credentials[target.snmp.credential])
            for target in targets
            if target.snmp is not None
        ]
        first = await client.poll_many(requests)
        first_clock = time.monotonic()
        states = [SnmpState().add(result, first_clock) for result in first]
        if sample > 0 and any(result.success for result in first):
            await asyncio.sleep(sample)
            second = await client.poll_many(requests)
            second_clock = time.monotonic()
            states = [
                state.add(result, second_clock)
                for state, result in zip(states, second, strict=True)
            ]
            first = [
                new if new.success or not old.success else old
                for old, new in zip(first, second, strict=True)
            ]
        return list(zip(first, states, strict=True))
    finally:
        client.close()


def _number(value: float, language: str, digits: int = 1) -> str:
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern, locale=_LOCALES.get(language, "id_ID"))


def _bits(value: float | None, language: str) -> str:
    """Format bits per second with an SI prefix, for example "12,5 Mb/s"."""
    if value is None:
        return "-"
    for factor, unit in ((1e9, "Gb/s"), (1e6, "Mb/s"), (1e3, "kb/s")):
        if value >= factor:
            return f"{_number(value / factor, language)} {unit}"
    return f"{_number(value, language, 0)} b/s"


def print_snmp(
    target: config.Target,
    result: base.ProbeResult,
    state: SnmpState,
    language: str,
) -> None:
    """Print the device summary and interface table of one SNMP target."""

    def text(key: str, **params: object) -> str:
        return translate(key, language, **params)

    verdict = text("probe.result.ok") if result.success else text("probe.result.failed")
    print(text("snmp.header", target=target.name, address=target.address, result=verdict))
    if not result.success or result.reason != base.OK:
        print(text("probe.detail", reason=text(f"reason.{result.reason}")))
    poll = result.detail if isinstance(result.detail, snmp.SnmpPoll) else None
    if poll is None:
        return

    system = poll.system
    uptime = "-"
    if system.uptime_ticks is not None:
        uptime = format_timedelta(
            system.uptime_ticks / 100, locale=_LOCALES.get(language, "id_ID"), threshold=2
        )
    print(text("snmp.system", name=system.name or "-", uptime=uptime, descr=system.descr or "-"))
    values = result.values
    health = []
    if "cpu_load_max_ratio" in values:
        health.append(text("snmp.cpu", value=_number(values["cpu_load_max_ratio"] * 100, language)))
    if "memory_used_ratio" in values:
        health.append(
            text("snmp.memory", value=_number(values["memory_used_ratio"] * 100, language))
        )
    if "storage_max_used_ratio" in values:
        health.append(
            text("snmp.storage", value=_number(values["storage_max_used_ratio"] * 100, language))
        )
    if health:
        print("    " + ", ".join(health))
    print(
        text(
            "snmp.stats",
            varbinds=poll.varbinds,
            requests=poll.requests,
            seconds=_number(poll.duration, language, 2),
        )
    )

    row_format = (
        "    {name:<20} {alias:<20} {status:<14} {speed:>11} {rx:>12} {tx:>12} {errors:>13}"
    )
    print(
        row_format.format(
            name=text("snmp.col.interface"),
            alias=text("snmp.col.alias"),
            status=text("snmp.col.status"),
            speed=text("snmp.col.speed"),
            rx=text("snmp.col.in"),
            tx=text("snmp.col.out"),
            errors=text("snmp.col.errors"),
        )
    )
    for row in poll.interfaces:
        rates = state.rates.get(row.if_index)
        receive = rates.receive_bytes_per_second if rates else None
        transmit = rates.transmit_bytes_per_second if rates else None
        errors = [row.counters.get(key) for key in ("in_errors", "out_errors")]
        print(
            row_format.format(
                name=row.name[:20],
                alias=row.alias[:20],
                status=_STATUS_NAMES.get(row.oper_status or 0, "-"),
                speed=_bits(row.speed, language),
                rx=_bits(None if receive is None else receive * 8, language),
                tx=_bits(None if transmit is None else transmit * 8, language),
                errors="/".join("-" if e is None else str(e.value) for e in errors),
            )
        )
