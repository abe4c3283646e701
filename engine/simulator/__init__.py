"""The built-in contact-centre simulator: the stat source and engagement platform of the demo.

Public surface: `Scenario`, `parse_scenario`, `ContactCentreSimulator`, `SimulatorTotals`
(plus `SCENARIO_SETTINGS` and `scenario_settings_markdown` for the docs).
"""

from engine.simulator.centre import ContactCentreSimulator, SimulatorTotals
from engine.simulator.scenario import (
    SCENARIO_SETTINGS,
    Scenario,
    ScenarioSetting,
    parse_scenario,
    scenario_settings_markdown,
)

__all__ = [
    "SCENARIO_SETTINGS",
    "ContactCentreSimulator",
    "Scenario",
    "ScenarioSetting",
    "SimulatorTotals",
    "parse_scenario",
    "scenario_settings_markdown",
]
