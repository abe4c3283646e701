"""Fake engagement platform and statistics server on loopback (`pacing fake-gpe`, `fake-stats`).

Real HTTP servers driven by the simulator, with switchable faults (`engine.fakes.faults.FAULTS`);
used by the integration tests, the benchmark and the demo's remote mode (docs/http.md).
"""

from fakes.faults import FAULTS, Switchboard, UnknownFaultError
from fakes.server import FakeCredentials, FakeRemote

__all__ = ["FAULTS", "FakeCredentials", "FakeRemote", "Switchboard", "UnknownFaultError"]
