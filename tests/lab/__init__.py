"""Test networks in network namespaces: a prober, hosts, loss, delay and a resolver.

See tests/lab/README.md for the address plan and an example.
"""

from .netns import (
    Host,
    Lab,
    LabCommandError,
    LabError,
    Namespace,
    ResponderHandle,
    ResponderStats,
    sweep_stale_namespaces,
)

__all__ = [
    "Host",
    "Lab",
    "LabCommandError",
    "LabError",
    "Namespace",
    "ResponderHandle",
    "ResponderStats",
    "sweep_stale_namespaces",
]
