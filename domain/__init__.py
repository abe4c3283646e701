"""The values every package exchanges, and the ports between them (the bottom layer).

Frozen dataclasses, enums and protocols only, plus two small thread-safe mechanisms that every
layer shares (the alarm signal sink and latch, the background loop). Nothing here imports
another package of the project: what a stat source reports (`statistics`), what a pacing
target is (`targets`), what the pacer takes and gives (`decisions`), what a cycle leaves
behind (`records`), how any part raises an alarm (`signals`, `latch`), and the node's ports
(`ports`).
"""
