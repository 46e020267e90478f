"""Measurements that the status machine compares with a target's degraded limits.

The names are those of ``config.Thresholds`` and ``state.LIMITS``: loss and
the fractions are ratios from 0 to 1, and rtt is in seconds.
"""

from __future__ import annotations

import math
from typing import Final

from monitor.snmp_view import SnmpState
from monitor.state import SERVICE_PROBES
from probes.base import ProbeResult
from probes.snmp import SnmpPoll

# Limit name -> key of ProbeResult.values that carries the measurement.
_VALUE_KEYS: Final = (
    ("loss", "loss_ratio"),
    ("rtt", "rtt_median_seconds"),  # absent when no reply came back
    ("cpu", "cpu_load_max_ratio"),  # the busiest processor's 1-minute load
    ("memory", "memory_used_ratio"),
    ("disk", "storage_max_used_ratio"),  # the fullest file system
)


def measurements(result: ProbeResult, snmp: SnmpState | None) -> dict[str, float]:
    """Return the measurements of one probe result, only those it actually has.

    ``snmp`` is the target's SNMP state after this result was added to it.
    Utilisation, the maximum receive or transmit utilisation of any
    interface, is taken from it only for a successful SNMP poll, because a
    failed poll leaves the rates of the previous one in the state.
    """
    found: dict[str, float] = {}
    for name, key in _VALUE_KEYS:
        value = result.values.get(key)
        if value is not None and math.isfinite(value):
            found[name] = float(value)

    if result.probe in SERVICE_PROBES:
        found.update(_service_measurements(result))

    if snmp is not None and result.success and isinstance(result.detail, SnmpPoll):
        ratios = [
            ratio
            for rates in snmp.rates.values()
            for ratio in (rates.receive_utilisation, rates.transmit_utilisation)
            if ratio is not None and math.isfinite(ratio)
        ]
        if ratios:
            found["utilisation"] = max(ratios)
    return found


def _service_measurements(result: ProbeResult) -> dict[str, float]:
    """Return the response time of a passed service check and its certificate's time left.

    A failed check has no response time: it counts as a failed cycle
    instead. The time left is counted from the start of the check.
    """
    found: dict[str, float] = {}
    if result.success and math.isfinite(result.duration):
        found["response"] = float(result.duration)
    expiry = result.values.get("cert_expiry_timestamp_seconds")
    if expiry is not None and math.isfinite(expiry):
        found["cert_expiry"] = float(expiry) - result.started
    return found
