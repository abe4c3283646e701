"""Alarm logic (pure): conditions, the ISA-18.2 lifecycle, evaluation and the default catalogue.

No clock (`now` is a parameter), no I/O: `model` names the vocabulary, `lifecycle` is the
transition table, `evaluate` applies signals and the passage of time, `detectors` turn cycle
values into signals, `catalogue` lists the default conditions. The shell that reads, evaluates,
writes and notifies after each cycle is `node.alarm_evaluator`; the SQL is `storage.alarms`.
"""
