"""Which stat source and publisher a node uses, from `[stat_source]` and `[publisher]`."""

from __future__ import annotations

from collections.abc import Callable

from alarms.events import AlarmSink
from engine.config import Config, ConfigError
from engine.cycle import Publisher, StatSource
from engine.simulator import ContactCentreSimulator
from engine.sources import SimulatedContactCentre


class NotWiredError(ConfigError):
    """The configuration names a source or publisher this version cannot build."""


def build_ports(
    config: Config, sink: AlarmSink, clock: Callable[[], float]
) -> tuple[StatSource, Publisher]:
    """The cycle's two ports; the built-in simulator plays both unless configured otherwise."""
    del sink  # the simulator never fails; HTTP ports report through it
    if config.stat_source.kind != "simulator" or config.publisher.kind != "simulator":
        raise NotWiredError(
            [
                f'stat_source.kind, publisher.kind: "{config.stat_source.kind}", '
                f'"{config.publisher.kind}" — expected "simulator" (the only source and '
                "publisher this version can wire)"
            ],
            str(config.source_path),
        )
    simulated = SimulatedContactCentre(
        ContactCentreSimulator(config.targets, config.simulator),
        epoch=clock(),
        speed=config.simulator.speed,
    )
    return simulated, simulated
