"""Measure decoding time per varbind: probes.snmp_ber against pyasn1.

Builds the GETBULK responses of a walk of ifTable and five ifXTable columns
(ifName, ifHCInOctets, ifHCOutOctets, ifHighSpeed, ifAlias) of one device,
25 varbinds per response, encoded by pysnmp's message types and pyasn1's BER
encoder. It checks that both decoders return the same values, then decodes
the whole walk R times with each and prints the fastest pass in CPU µs per
varbind:

- ``snmp_ber cold``: the OID cache is emptied before each pass, as for the
  first poll of a device.
- ``snmp_ber warm``: the cache keeps the names of the previous pass, as for
  the polls after it.
- ``pyasn1``: ``decoder.decode(message, asn1Spec=v2c.Message())``, what
  pysnmp does for every response.

Usage, from the repository root (a few seconds)::

    python3 bench/snmp_decode.py [--interfaces 24] [--repeat 20]

The default of 24 interfaces gives 648 varbinds, close to the 550 varbinds
of a typical access switch. Nothing is sent on the network. Exit status 1
means that the decoders disagreed on a value.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pyasn1.codec.ber import decoder, encoder
from pysnmp.proto.api import v2c

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from probes import snmp_ber

VARBINDS_PER_RESPONSE = 25
IF_TABLE = (1, 3, 6, 1, 2, 1, 2, 2, 1)
IF_X_TABLE = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1)
COUNTER_MAX = 2**32 - 1


def if_table_row(rng: random.Random, index: int) -> dict[int, Any]:
    """Return the ifTable columns of interface ``index`` as pysnmp values."""
    counters = {column: v2c.Counter32(rng.randint(0, COUNTER_MAX)) for column in range(10, 21)}
    counters[12] = v2c.Counter32(rng.randint(0, 1000))
    return {
        1: v2c.Integer(index),
        2: v2c.OctetString(f"GigabitEthernet0/{index}".encode()),
        3: v2c.Integer(6),
        4: v2c.Integer(1500),
        5: v2c.Gauge32(1_000_000_000),
        6: v2c.OctetString(bytes((0x00, 0x1B, 0x54, 0x11, 0x22, index))),
        7: v2c.Integer(1),
        8: v2c.Integer(rng.choice((1, 2))),
        9: v2c.TimeTicks(rng.randint(0, 400_000_000)),
        **counters,
        21: v2c.Gauge32(0),
        22: v2c.ObjectIdentifier((0, 0)),
    }


def if_x_table_row(rng: random.Random, index: int) -> dict[int, Any]:
    """Return five ifXTable columns of interface ``index`` as pysnmp values."""
    return {
        1: v2c.OctetString(f"Gi0/{index}".encode()),
        6: v2c.Counter64(rng.randint(0, 2**50)),
        10: v2c.Counter64(rng.randint(0, 2**50)),
        15: v2c.Gauge32(1000),
        18: v2c.OctetString(f"uplink OPD {index}".encode()),
    }


def walk_varbinds(interfaces: int, seed: int) -> list[tuple[tuple[int, ...], Any]]:
    """Return the varbinds of an ifTable and ifXTable walk, in OID order."""
    rng = random.Random(seed)
    varbinds = []
    for table, make_row in ((IF_TABLE, if_table_row), (IF_X_TABLE, if_x_table_row)):
        rows = {index: make_row(rng, index) for index in range(1, interfaces + 1)}
        for column in rows[1]:
            for index, row in rows.items():
                varbinds.append(((*table, column, index), row[column]))
    return varbinds


def encode_responses(varbinds: Sequence[tuple[tuple[int, ...], Any]]) -> list[bytes]:
    """Encode ``varbinds`` as SNMPv2c responses of 25 varbinds each, with pyasn1."""
    messages = []
    for start in range(0, len(varbinds), VARBINDS_PER_RESPONSE):
        pdu = v2c.ResponsePDU()
        v2c.apiPDU.set_defaults(pdu)
        v2c.apiPDU.set_request_id(pdu, 1000 + start)
        v2c.apiPDU.set_varbinds(pdu, varbinds[start : start + VARBINDS_PER_RESPONSE])
        message = v2c.Message()
        v2c.apiMessage.set_defaults(message)
        v2c.apiMessage.set_community(message, b"public")
        v2c.apiMessage.set_pdu(message, pdu)
        messages.append(encoder.encode(message))
    return messages


def decode_with_pyasn1(message: bytes) -> Any:
    """Decode ``message`` the way pysnmp does."""
    decoded, _ = decoder.decode(message, asn1Spec=v2c.Message())
    return decoded


def pyasn1_values(message: bytes) -> list[tuple[tuple[int, ...], object]]:
    """Return (OID, Python value) of each varbind as pyasn1 decodes ``message``."""
    pdu = v2c.apiMessage.get_pdu(decode_with_pyasn1(message))
    values: list[tuple[tuple[int, ...], object]] = []
    for name, value in v2c.apiPDU.get_varbinds(pdu):
        if isinstance(value, v2c.ObjectIdentifier):
            values.append((tuple(name), tuple(value)))
        elif isinstance(value, v2c.OctetString):
            values.append((tuple(name), bytes(value)))
        else:
            values.append((tuple(name), int(value)))
    return values


def find_disagreements(messages: Sequence[bytes]) -> list[str]:
    """Compare both decoders on every varbind; return a line per difference."""
    problems = []
    for number, message in enumerate(messages):
        ours = [(vb.oid, vb.value) for vb in snmp_ber.decode_response(message).varbinds]
        theirs = pyasn1_values(message)
        if ours != theirs:
            problems.append(f"response {number}: snmp_ber {ours!r} != pyasn1 {theirs!r}")
    return problems


def fastest_pass(
    decode: Callable[[bytes], object],
    messages: Sequence[bytes],
    repeat: int,
    before_pass: Callable[[], None] | None = None,
) -> float:
    """Decode all ``messages`` ``repeat`` times; return the fastest pass in CPU seconds.

    CPU time of this process, not wall time, so that other processes on a
    shared machine count less.
    """
    best = float("inf")
    for _ in range(repeat):
        if before_pass is not None:
            before_pass()
        started = time.process_time()
        for message in messages:
            decode(message)
        best = min(best, time.process_time() - started)
    return best


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print µs per varbind for each decoder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--interfaces", type=int, default=24, help="interfaces of the device (default 24)"
    )
    parser.add_argument("--repeat", type=int, default=20, help="passes per decoder (default 20)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the counter values")
    arguments = parser.parse_args(argv)

    varbinds = walk_varbinds(arguments.interfaces, arguments.seed)
    messages = encode_responses(varbinds)
    problems = find_disagreements(messages)
    for problem in problems:
        print(problem, file=sys.stderr)

    print(
        f"{len(varbinds)} varbinds in {len(messages)} responses of up to "
        f"{VARBINDS_PER_RESPONSE}, fastest of {arguments.repeat} passes, Python "
        f"{sys.version.split()[0]}"
    )
    pyasn1_repeat = max(1, arguments.repeat // 5)
    timings = {
        "snmp_ber cold": fastest_pass(
            snmp_ber.decode_response, messages, arguments.repeat, snmp_ber.clear_oid_cache
        ),
        "snmp_ber warm": fastest_pass(snmp_ber.decode_response, messages, arguments.repeat),
        "pyasn1": fastest_pass(decode_with_pyasn1, messages, pyasn1_repeat),
    }
    for name, seconds in timings.items():
        per_varbind = seconds / len(varbinds) * 1e6
        ratio = timings["pyasn1"] / seconds
        print(f"{name:14} {per_varbind:8.2f} CPU µs/varbind  ({ratio:5.1f}x pyasn1's speed)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
