"""Built-in SNMP profiles: which OIDs to read and how to turn them into rows.

A profile names scalar instances to GET and table columns to walk. OIDs are
tuples taken from the MIB modules named beside them, so no MIB is compiled
at run time. The builders at the end of this module turn the varbinds of one
poll into frozen records: ``SystemInfo``, ``InterfaceRow``, ``StorageRow``,
``CpuLoad`` and ``MemoryPool``. ``probes.snmp`` does the network part.

Profiles:

- ``system``: SNMPv2-MIB system group (sysDescr, sysObjectID, sysUpTime,
  sysName, sysLocation).
- ``interfaces``: IF-MIB ifTable and ifXTable, one row per ifIndex.
- ``host-resources``: HOST-RESOURCES-MIB hrSystemUptime, hrProcessorLoad and
  hrStorageTable.
- ``ucd``: net-snmp's UCD-SNMP-MIB load averages and memory.
- ``mikrotik``: RouterOS CPU load and memory.
- ``cisco``: CISCO-PROCESS-MIB CPU load and CISCO-ENHANCED-MEMPOOL-MIB or
  CISCO-MEMORY-POOL-MIB memory pools.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from probes import snmp_ber
from probes.snmp_values import CounterSample, ValueRangeError, decode_text, interface_speed

Oid = tuple[int, ...]
# Column name -> {index suffix of the row -> varbind}, for one table.
TableData = Mapping[str, Mapping[Oid, snmp_ber.VarBind]]


def _oid(text: str) -> Oid:
    return tuple(int(part) for part in text.split("."))


# SNMPv2-MIB (RFC 3418), system group 1.3.6.1.2.1.1.
SYS_DESCR = _oid("1.3.6.1.2.1.1.1.0")
SYS_OBJECT_ID = _oid("1.3.6.1.2.1.1.2.0")
SYS_UPTIME = _oid("1.3.6.1.2.1.1.3.0")
SYS_NAME = _oid("1.3.6.1.2.1.1.5.0")
SYS_LOCATION = _oid("1.3.6.1.2.1.1.6.0")

# IF-MIB (RFC 2863): ifEntry 1.3.6.1.2.1.2.2.1 and ifXEntry 1.3.6.1.2.1.31.1.1.1.
IF_TABLE = _oid("1.3.6.1.2.1.2.2")
IF_ENTRY = (*IF_TABLE, 1)
IF_X_ENTRY = _oid("1.3.6.1.2.1.31.1.1.1")
IF_COLUMNS: Mapping[str, Oid] = {
    "ifIndex": (*IF_ENTRY, 1),
    "ifDescr": (*IF_ENTRY, 2),
    "ifType": (*IF_ENTRY, 3),
    "ifSpeed": (*IF_ENTRY, 5),
    "ifAdminStatus": (*IF_ENTRY, 7),
    "ifOperStatus": (*IF_ENTRY, 8),
    "ifInOctets": (*IF_ENTRY, 10),
    "ifInUcastPkts": (*IF_ENTRY, 11),
    "ifInDiscards": (*IF_ENTRY, 13),
    "ifInErrors": (*IF_ENTRY, 14),
    "ifOutOctets": (*IF_ENTRY, 16),
    "ifOutUcastPkts": (*IF_ENTRY, 17),
    "ifOutDiscards": (*IF_ENTRY, 19),
    "ifOutErrors": (*IF_ENTRY, 20),
    "ifName": (*IF_X_ENTRY, 1),
    "ifInMulticastPkts": (*IF_X_ENTRY, 2),
    "ifInBroadcastPkts": (*IF_X_ENTRY, 3),
    "ifOutMulticastPkts": (*IF_X_ENTRY, 4),
    "ifOutBroadcastPkts": (*IF_X_ENTRY, 5),
    "ifHCInOctets": (*IF_X_ENTRY, 6),
    "ifHCInUcastPkts": (*IF_X_ENTRY, 7),
    "ifHCInMulticastPkts": (*IF_X_ENTRY, 8),
    "ifHCInBroadcastPkts": (*IF_X_ENTRY, 9),
    "ifHCOutOctets": (*IF_X_ENTRY, 10),
    "ifHCOutUcastPkts": (*IF_X_ENTRY, 11),
    "ifHCOutMulticastPkts": (*IF_X_ENTRY, 12),
    "ifHCOutBroadcastPkts": (*IF_X_ENTRY, 13),
    "ifHighSpeed": (*IF_X_ENTRY, 15),
    "ifAlias": (*IF_X_ENTRY, 18),
    "ifCounterDiscontinuityTime": (*IF_X_ENTRY, 19),
}

# Counter name in InterfaceRow.counters -> (64-bit column, 32-bit column).
# The 64-bit column wins when the agent has it: a 32-bit octet counter wraps
# every 344 s at 100 Mb/s (2**32 bytes at 12.5 MB/s).
INTERFACE_COUNTERS: Mapping[str, tuple[str | None, str]] = {
    "in_octets": ("ifHCInOctets", "ifInOctets"),
    "out_octets": ("ifHCOutOctets", "ifOutOctets"),
    "in_ucast_pkts": ("ifHCInUcastPkts", "ifInUcastPkts"),
    "out_ucast_pkts": ("ifHCOutUcastPkts", "ifOutUcastPkts"),
    "in_multicast_pkts": ("ifHCInMulticastPkts", "ifInMulticastPkts"),
    "out_multicast_pkts": ("ifHCOutMulticastPkts", "ifOutMulticastPkts"),
    "in_broadcast_pkts": ("ifHCInBroadcastPkts", "ifInBroadcastPkts"),
    "out_broadcast_pkts": ("ifHCOutBroadcastPkts", "ifOutBroadcastPkts"),
    "in_errors": (None, "ifInErrors"),
    "out_errors": (None, "ifOutErrors"),
    "in_discards": (None, "ifInDiscards"),
    "out_discards": (None, "ifOutDiscards"),
}

# ifAdminStatus and ifOperStatus values (IF-MIB).
STATUS_UP = 1
STATUS_DOWN = 2

# HOST-RESOURCES-MIB (RFC 2790).
HR_SYSTEM_UPTIME = _oid("1.3.6.1.2.1.25.1.1.0")
HR_STORAGE_ENTRY = _oid("1.3.6.1.2.1.25.2.3.1")
HR_STORAGE_COLUMNS: Mapping[str, Oid] = {
    "hrStorageType": (*HR_STORAGE_ENTRY, 2),
    "hrStorageDescr": (*HR_STORAGE_ENTRY, 3),
    "hrStorageAllocationUnits": (*HR_STORAGE_ENTRY, 4),
    "hrStorageSize": (*HR_STORAGE_ENTRY, 5),
    "hrStorageUsed": (*HR_STORAGE_ENTRY, 6),
}
HR_PROCESSOR_COLUMNS: Mapping[str, Oid] = {"hrProcessorLoad": _oid("1.3.6.1.2.1.25.3.3.1.2")}
# hrStorageTypes (HOST-RESOURCES-TYPES, RFC 2790) by their last subidentifier.
HR_STORAGE_TYPES_PREFIX = _oid("1.3.6.1.2.1.25.2.1")
HR_STORAGE_KINDS: Mapping[int, str] = {
    1: "other",
    2: "ram",
    3: "virtual_memory",
    4: "fixed_disk",
    5: "removable_disk",
    6: "floppy_disk",
    7: "compact_disc",
    8: "ram_disk",
    9: "flash_memory",
    10: "network_disk",
}
# Storage kinds that count towards "storage_max_used_ratio": file systems
# that fill up, not memory.
DISK_KINDS = frozenset({"fixed_disk", "flash_memory", "network_disk"})

# UCD-SNMP-MIB (net-snmp): memory 1.3.6.1.4.1.2021.4 in kB, laTable 1.3.6.1.4.1.2021.10.
UCD_MEMORY = _oid("1.3.6.1.4.1.2021.4")
UCD_SCALARS: Mapping[str, Oid] = {
    "memTotalSwap": (*UCD_MEMORY, 3, 0),
    "memAvailSwap": (*UCD_MEMORY, 4, 0),
    "memTotalReal": (*UCD_MEMORY, 5, 0),
    "memAvailReal": (*UCD_MEMORY, 6, 0),
    "memBuffer": (*UCD_MEMORY, 14, 0),
    "memCached": (*UCD_MEMORY, 15, 0),
}
# laLoad is a DisplayString such as "0.42". Rows 1, 2 and 3 are the 1, 5 and
# 15 minute averages.
UCD_LOAD_COLUMNS: Mapping[str, Oid] = {"laLoad": _oid("1.3.6.1.4.1.2021.10.1.3")}

# CISCO-PROCESS-MIB: cpmCPUTotalEntry 1.3.6.1.4.1.9.9.109.1.1.1.1, in percent.
CISCO_CPU_COLUMNS: Mapping[str, Oid] = {
    "cpmCPUTotal1minRev": _oid("1.3.6.1.4.1.9.9.109.1.1.1.1.7"),
    "cpmCPUTotal5minRev": _oid("1.3.6.1.4.1.9.9.109.1.1.1.1.8"),
}
# CISCO-ENHANCED-MEMPOOL-MIB (revision 200812050000Z): cempMemPoolEntry
# 1.3.6.1.4.1.9.9.221.1.1.1.1, indexed by entPhysicalIndex and pool index.
CEMP_ENTRY = _oid("1.3.6.1.4.1.9.9.221.1.1.1.1")
CISCO_ENHANCED_MEMORY_COLUMNS: Mapping[str, Oid] = {
    "cempMemPoolType": (*CEMP_ENTRY, 2),
    "cempMemPoolName": (*CEMP_ENTRY, 3),
    "cempMemPoolUsed": (*CEMP_ENTRY, 7),
    "cempMemPoolFree": (*CEMP_ENTRY, 8),
    "cempMemPoolHCUsed": (*CEMP_ENTRY, 18),
    "cempMemPoolHCFree": (*CEMP_ENTRY, 20),
}
CEMP_PROCESSOR_MEMORY = 2  # CempMemPoolTypes processorMemory(2)
# CISCO-MEMORY-POOL-MIB (revision 201309180000Z): ciscoMemoryPoolEntry
# 1.3.6.1.4.1.9.9.48.1.1.1, indexed by pool type, where 1 is processor memory.
CISCO_MEMORY_ENTRY = _oid("1.3.6.1.4.1.9.9.48.1.1.1")
CISCO_MEMORY_COLUMNS: Mapping[str, Oid] = {
    "ciscoMemoryPoolName": (*CISCO_MEMORY_ENTRY, 2),
    "ciscoMemoryPoolUsed": (*CISCO_MEMORY_ENTRY, 5),
    "ciscoMemoryPoolFree": (*CISCO_MEMORY_ENTRY, 6),
}
CISCO_PROCESSOR_POOL = 1

# RouterOS: MIKROTIK-MIB (revision 202305010000Z) defines no CPU load or
# memory object. Its mtxrSystem and mtxrHealth groups contain serial numbers,
# temperatures, voltages and mtxrHlProcessorFrequency. RouterOS reports CPU
# load as HOST-RESOURCES-MIB hrProcessorLoad (one row per core) and memory
# as the hrStorageTable row of type hrStorageRam (index 65536 on RouterOS),
# so the mikrotik profile reads those two tables.


@dataclass(frozen=True, slots=True)
class Table:
    """Columns walked together, in parallel, in one walk."""

    name: str
    columns: Mapping[str, Oid]


@dataclass(frozen=True, slots=True)
class Profile:
    """Scalar instances (GET) and tables (walk) of one built-in profile."""

    name: str
    scalars: Mapping[str, Oid] = field(default_factory=dict)
    tables: tuple[Table, ...] = ()


INTERFACES_TABLE = Table("interfaces", IF_COLUMNS)
HR_STORAGE_TABLE = Table("hrStorageTable", HR_STORAGE_COLUMNS)
HR_PROCESSOR_TABLE = Table("hrProcessorTable", HR_PROCESSOR_COLUMNS)
UCD_LOAD_TABLE = Table("laTable", UCD_LOAD_COLUMNS)
CISCO_CPU_TABLE = Table("cpmCPUTotalTable", CISCO_CPU_COLUMNS)
CISCO_ENHANCED_MEMORY_TABLE = Table("cempMemPoolTable", CISCO_ENHANCED_MEMORY_COLUMNS)
CISCO_MEMORY_TABLE = Table("ciscoMemoryPoolTable", CISCO_MEMORY_COLUMNS)

SYSTEM_SCALARS: Mapping[str, Oid] = {
    "sysDescr": SYS_DESCR,
    "sysObjectID": SYS_OBJECT_ID,
    "sysUpTime": SYS_UPTIME,
    "sysName": SYS_NAME,
    "sysLocation": SYS_LOCATION,
}

PROFILES: Mapping[str, Profile] = MappingProxyType(
    {
        "system": Profile("system", SYSTEM_SCALARS),
        "interfaces": Profile("interfaces", tables=(INTERFACES_TABLE,)),
        "host-resources": Profile(
            "host-resources",
            {"hrSystemUptime": HR_SYSTEM_UPTIME},
            (HR_PROCESSOR_TABLE, HR_STORAGE_TABLE),
        ),
        "ucd": Profile("ucd", UCD_SCALARS, (UCD_LOAD_TABLE,)),
        "mikrotik": Profile("mikrotik", tables=(HR_PROCESSOR_TABLE, HR_STORAGE_TABLE)),
        "cisco": Profile(
            "cisco", tables=(CISCO_CPU_TABLE, CISCO_ENHANCED_MEMORY_TABLE, CISCO_MEMORY_TABLE)
        ),
    }
)


def plan(profiles: Iterable[str]) -> tuple[dict[str, Oid], tuple[Table, ...]]:
    """Merge the scalars and tables of ``profiles``, with each table once even if shared.

    sysUpTime.0 is always among the scalars: counter rates need it.
    Raises KeyError for an unknown profile name.
    """
    scalars: dict[str, Oid] = {"sysUpTime": SYS_UPTIME}
    tables: dict[str, Table] = {}
    for name in profiles:
        profile = PROFILES[name]
        scalars.update(profile.scalars)
        for table in profile.tables:
            tables.setdefault(table.name, table)
    return scalars, tuple(tables.values())


# Records -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SystemInfo:
    """SNMPv2-MIB system group and hrSystemUptime. A missing object is None.

    Uptimes are TimeTicks (hundredths of a second), as the agent sent them.
    """

    descr: str | None = None
    object_id: Oid | None = None
    uptime_ticks: int | None = None
    name: str | None = None
    location: str | None = None
    host_uptime_ticks: int | None = None


@dataclass(frozen=True, slots=True)
class InterfaceRow:
    """One row of ifTable and ifXTable, keyed by ``if_index``.

    ``name`` is ifName, or ifDescr when the agent has no ifName. ``speed`` is
    in bits per second (``snmp_values.interface_speed``), None when unknown.
    ``counters`` maps names such as ``"in_octets"`` to the raw counter with its
    bit width: the 64-bit ifXTable counter when the agent has it, else the
    32-bit ifTable one. ``discontinuity_ticks`` is ifCounterDiscontinuityTime.
    """

    if_index: int
    name: str
    alias: str = ""
    descr: str = ""
    type: int | None = None
    admin_status: int | None = None
    oper_status: int | None = None
    speed: float | None = None
    if_speed: int | None = None
    if_high_speed: int | None = None
    counters: Mapping[str, CounterSample] = field(default_factory=dict)
    discontinuity_ticks: int | None = None
    # The OCTET STRINGs as the agent sent them, before decoding, so that no
    # byte is lost to a wrong charset; None when the agent sent none.
    name_raw: bytes | None = None
    alias_raw: bytes | None = None
    descr_raw: bytes | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "counters", MappingProxyType(dict(self.counters)))


@dataclass(frozen=True, slots=True)
class StorageRow:
    """One hrStorageTable row; sizes are in allocation units of ``allocation_units`` bytes."""

    index: int
    kind: str
    type_oid: Oid | None
    descr: str
    allocation_units: int
    size: int
    used: int

    @property
    def size_bytes(self) -> int:
        return self.size * self.allocation_units

    @property
    def used_bytes(self) -> int:
        return self.used * self.allocation_units

    @property
    def used_ratio(self) -> float | None:
        return self.used / self.size if self.size > 0 else None


@dataclass(frozen=True, slots=True)
class CpuLoad:
    """CPU busy percentage over ``window`` seconds, from one processor table row."""

    source: str
    index: str
    window: int
    percent: float


@dataclass(frozen=True, slots=True)
class MemoryPool:
    """Memory pool in bytes, from UCD-SNMP-MIB, HOST-RESOURCES-MIB or a Cisco MIB.

    ``used_bytes`` excludes buffers and page cache where the source reports
    them apart (UCD-SNMP-MIB).
    """

    source: str
    name: str
    total_bytes: int
    used_bytes: int

    @property
    def used_ratio(self) -> float | None:
        return self.used_bytes / self.total_bytes if self.total_bytes > 0 else None


# Value helpers --------------------------------------------------------------------------

_INTEGER_TAGS = frozenset(
    {
        snmp_ber.INTEGER,
        snmp_ber.COUNTER32,
        snmp_ber.GAUGE32,
        snmp_ber.TIMETICKS,
        snmp_ber.COUNTER64,
    }
)


def integer(varbind: snmp_ber.VarBind | None) -> int | None:
    """Return the integer value of ``varbind``, or None when absent or of another type."""
    if varbind is None or varbind.tag not in _INTEGER_TAGS or not isinstance(varbind.value, int):
        return None
    return varbind.value


def text(varbind: snmp_ber.VarBind | None, charset: str) -> str | None:
    """Decode an OCTET STRING value with ``decode_text``, or return None for another type."""
    if varbind is None or varbind.tag != snmp_ber.OCTET_STRING:
        return None
    if not isinstance(varbind.value, bytes):
        return None
    return decode_text(varbind.value, charset)


def raw_octets(varbind: snmp_ber.VarBind | None) -> bytes | None:
    """Return the undecoded bytes of an OCTET STRING value, or None for another type."""
    if varbind is None or varbind.tag != snmp_ber.OCTET_STRING:
        return None
    return varbind.value if isinstance(varbind.value, bytes) else None


def object_id(varbind: snmp_ber.VarBind | None) -> Oid | None:
    """Return the OBJECT IDENTIFIER value of ``varbind``, or None."""
    if varbind is None or varbind.tag != snmp_ber.OBJECT_IDENTIFIER:
        return None
    return varbind.value if isinstance(varbind.value, tuple) else None


def counter(varbind: snmp_ber.VarBind | None) -> CounterSample | None:
    """Return a Counter32 or Counter64 value with its bit width, or None when absent or invalid."""
    if varbind is None or not isinstance(varbind.value, int):
        return None
    bits = {snmp_ber.COUNTER32: 32, snmp_ber.COUNTER64: 64}.get(varbind.tag)
    if bits is None:
        return None
    try:
        return CounterSample(varbind.value, bits)
    except ValueRangeError:
        return None  # SnmpClient drops out-of-range values earlier, other callers may not


def _unsigned32(value: int | None) -> int | None:
    # hrStorageSize and hrStorageUsed are Integer32, and some agents send
    # more than 2**31 - 1 allocation units as a negative number.
    if value is not None and value < 0:
        return value + 2**32
    return value


def _rows(table: TableData) -> list[Oid]:
    indexes: set[Oid] = set()
    for column in table.values():
        indexes.update(column)
    return sorted(indexes)


def _cell(table: TableData, column: str, index: Oid) -> snmp_ber.VarBind | None:
    return table.get(column, {}).get(index)


def _index_text(index: Oid) -> str:
    return ".".join(str(part) for part in index)


# Builders ---------------------------------------------------------------------------------


def build_system(scalars: Mapping[str, snmp_ber.VarBind], charset: str) -> SystemInfo:
    """Build the system record from the scalars read by GET."""
    return SystemInfo(
        descr=text(scalars.get("sysDescr"), charset),
        object_id=object_id(scalars.get("sysObjectID")),
        uptime_ticks=integer(scalars.get("sysUpTime")),
        name=text(scalars.get("sysName"), charset),
        location=text(scalars.get("sysLocation"), charset),
        host_uptime_ticks=integer(scalars.get("hrSystemUptime")),
    )


def build_interfaces(table: TableData, charset: str) -> tuple[InterfaceRow, ...]:
    """Build one row per ifIndex found in any ifTable or ifXTable column.

    Rows whose index is not a single subidentifier are not IF-MIB rows and
    are skipped.
    """
    rows = []
    for index in _rows(table):
        if len(index) != 1:
            continue
        rows.append(_interface_row(table, index, charset))
    return tuple(rows)


def _interface_row(table: TableData, index: Oid, charset: str) -> InterfaceRow:
    descr = text(_cell(table, "ifDescr", index), charset) or ""
    name = text(_cell(table, "ifName", index), charset) or descr or str(index[0])
    if_speed = integer(_cell(table, "ifSpeed", index))
    if_high_speed = integer(_cell(table, "ifHighSpeed", index))

    counters: dict[str, CounterSample] = {}
    for key, (wide, narrow) in INTERFACE_COUNTERS.items():
        sample = counter(_cell(table, wide, index)) if wide else None
        if sample is None:
            sample = counter(_cell(table, narrow, index))
        if sample is not None:
            counters[key] = sample

    return InterfaceRow(
        if_index=index[0],
        name=name,
        alias=text(_cell(table, "ifAlias", index), charset) or "",
        descr=descr,
        type=integer(_cell(table, "ifType", index)),
        admin_status=integer(_cell(table, "ifAdminStatus", index)),
        oper_status=integer(_cell(table, "ifOperStatus", index)),
        speed=interface_speed(if_speed, if_high_speed),
        if_speed=if_speed,
        if_high_speed=if_high_speed,
        counters=counters,
        discontinuity_ticks=integer(_cell(table, "ifCounterDiscontinuityTime", index)),
        name_raw=raw_octets(_cell(table, "ifName", index)),
        alias_raw=raw_octets(_cell(table, "ifAlias", index)),
        descr_raw=raw_octets(_cell(table, "ifDescr", index)),
    )


def build_storage(table: TableData, charset: str) -> tuple[StorageRow, ...]:
    """Build hrStorageTable rows, skipping any row without size, usage or allocation units."""
    rows = []
    for index in _rows(table):
        units = integer(_cell(table, "hrStorageAllocationUnits", index))
        size = _unsigned32(integer(_cell(table, "hrStorageSize", index)))
        used = _unsigned32(integer(_cell(table, "hrStorageUsed", index)))
        if len(index) != 1 or units is None or size is None or used is None:
            continue
        type_oid = object_id(_cell(table, "hrStorageType", index))
        kind = "other"
        if type_oid is not None and type_oid[:-1] == HR_STORAGE_TYPES_PREFIX:
            kind = HR_STORAGE_KINDS.get(type_oid[-1], "other")
        rows.append(
            StorageRow(
                index=index[0],
                kind=kind,
                type_oid=type_oid,
                descr=text(_cell(table, "hrStorageDescr", index), charset) or "",
                allocation_units=units,
                size=size,
                used=used,
            )
        )
    return tuple(rows)


def build_cpu(tables: Mapping[str, TableData]) -> tuple[CpuLoad, ...]:
    """Collect CPU loads from hrProcessorTable and cpmCPUTotalTable.

    HOST-RESOURCES-MIB defines hrProcessorLoad as the average over the last
    minute, so its window is 60 seconds.
    """
    loads: list[CpuLoad] = []
    processors = tables.get(HR_PROCESSOR_TABLE.name, {})
    for index in _rows(processors):
        percent = integer(_cell(processors, "hrProcessorLoad", index))
        if percent is not None:
            loads.append(CpuLoad("host-resources", _index_text(index), 60, float(percent)))

    cisco = tables.get(CISCO_CPU_TABLE.name, {})
    for index in _rows(cisco):
        for column, window in (("cpmCPUTotal1minRev", 60), ("cpmCPUTotal5minRev", 300)):
            percent = integer(_cell(cisco, column, index))
            if percent is not None:
                loads.append(CpuLoad("cisco", _index_text(index), window, float(percent)))
    return tuple(loads)


def build_load_average(table: TableData) -> tuple[float, ...]:
    """Parse laLoad rows 1, 2 and 3 (1, 5 and 15 minutes), or return () when one is missing."""
    averages = []
    for row in (1, 2, 3):
        varbind = _cell(table, "laLoad", (row,))
        if varbind is None or not isinstance(varbind.value, bytes):
            return ()
        try:
            averages.append(float(varbind.value.decode("ascii").strip()))
        except (UnicodeDecodeError, ValueError):
            return ()
    return tuple(averages)


def build_memory(
    scalars: Mapping[str, snmp_ber.VarBind],
    tables: Mapping[str, TableData],
    storage: tuple[StorageRow, ...],
    charset: str,
) -> tuple[MemoryPool, ...]:
    """Collect memory pools from UCD-SNMP-MIB, Cisco memory pools and hrStorageRam rows.

    The first pool is the headline one: UCD-SNMP-MIB real memory, else the
    Cisco processor pool, else the first hrStorageRam row.
    """
    pools = [*_ucd_memory(scalars), *_cisco_memory(tables, charset)]
    for row in storage:
        if row.kind == "ram":
            pools.append(MemoryPool("host-resources", row.descr, row.size_bytes, row.used_bytes))
    return tuple(pools)


def _ucd_memory(scalars: Mapping[str, snmp_ber.VarBind]) -> list[MemoryPool]:
    kib = {name: integer(scalars.get(name)) for name in UCD_SCALARS}
    pools = []
    total, available = kib["memTotalReal"], kib["memAvailReal"]
    if total is not None and available is not None:
        cache = (kib["memBuffer"] or 0) + (kib["memCached"] or 0)
        used = max(total - available - cache, 0)
        pools.append(MemoryPool("ucd", "real", total * 1024, used * 1024))
    total, available = kib["memTotalSwap"], kib["memAvailSwap"]
    if total is not None and available is not None:
        pools.append(MemoryPool("ucd", "swap", total * 1024, max(total - available, 0) * 1024))
    return pools


def _cisco_memory(tables: Mapping[str, TableData], charset: str) -> list[MemoryPool]:
    enhanced = tables.get(CISCO_ENHANCED_MEMORY_TABLE.name, {})
    pools: list[tuple[bool, MemoryPool]] = []
    for index in _rows(enhanced):
        used = integer(_cell(enhanced, "cempMemPoolHCUsed", index))
        free = integer(_cell(enhanced, "cempMemPoolHCFree", index))
        if used is None or free is None:
            used = integer(_cell(enhanced, "cempMemPoolUsed", index))
            free = integer(_cell(enhanced, "cempMemPoolFree", index))
        if used is None or free is None:
            continue
        name = text(_cell(enhanced, "cempMemPoolName", index), charset) or _index_text(index)
        is_processor = integer(_cell(enhanced, "cempMemPoolType", index)) == CEMP_PROCESSOR_MEMORY
        pools.append((is_processor, MemoryPool("cisco", name, used + free, used)))

    if not pools:
        legacy = tables.get(CISCO_MEMORY_TABLE.name, {})
        for index in _rows(legacy):
            used = integer(_cell(legacy, "ciscoMemoryPoolUsed", index))
            free = integer(_cell(legacy, "ciscoMemoryPoolFree", index))
            if used is None or free is None:
                continue
            name = text(_cell(legacy, "ciscoMemoryPoolName", index), charset)
            is_processor = index == (CISCO_PROCESSOR_POOL,)
            pool = MemoryPool("cisco", name or _index_text(index), used + free, used)
            pools.append((is_processor, pool))

    # The processor pool first: it is the headline memory of a Cisco device.
    pools.sort(key=lambda item: not item[0])
    return [pool for _, pool in pools]
