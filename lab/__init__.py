"""The pacing lab: run the simulator with several pacing algorithms on the same seeds.

`pacing simulate --scenario scenarios/ten_slots.toml --algorithm predictive,progressive,adaptive
--hours 8 --seeds 5` prints, per algorithm: accepted, abandoned, abandonment % with its 95 %
interval, agent occupancy, invitations sent and the share of hour windows above the goal.
"""

from lab.run import LabRun, LabSummary, run_lab, summarise
from lab.scenario_file import LabScenario, LabShock, LabTarget, load_lab_scenario

__all__ = [
    "LabRun",
    "LabScenario",
    "LabShock",
    "LabSummary",
    "LabTarget",
    "load_lab_scenario",
    "run_lab",
    "summarise",
]
