"""The alarm subsystem's SQL: conditions, instances, transitions, runtime samples and reads."""
