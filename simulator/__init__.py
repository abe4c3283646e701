"""The built-in contact-centre simulator (pure: seeded, time passed in): agents, visitors, queues.

It plays the statistics source and the engagement platform of the demo through
`connectors.simulated`, the fake servers (`fakes`) and the pacing lab (`lab`). Its settings, the
`[simulator]` section, are `config.simulator.Scenario`.
"""

from simulator._state import SimulatorTotals
from simulator.centre import ContactCentreSimulator

__all__ = ["ContactCentreSimulator", "SimulatorTotals"]
