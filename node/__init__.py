"""The imperative shell: the node that runs, schedules, wires and acts.

Everything with a scheduler, a clock, threads or connections to several adapters at once lives
here: the scheduled cycle (`node`, `cycle`), how a node is built from the configuration
(`build`, `wiring`, `recording`, `alarm_parts`), the master lease, the pacer's warm restart,
alarm evaluation after each cycle and the operators' alarm actions, runtime probes, metrics
reporters and the `/metrics` text, logging set-up. Pure logic stays below (`pacing`,
`alarms`); SQL stays in `storage`; HTTP stays in `connectors`.
"""
