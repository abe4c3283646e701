"""Every SQL statement of Pacing Watch, by subject.

`db` opens connections (one per thread), `schema` holds the numbered migrations, `cycles`,
`nodes`, `targets` and `history` the node's rows and their read models, `alarms` the alarm
subsystem's tables, `runtime` and `metrics` the Health page's and `/metrics`' figures,
`export` the CSV history, `backlog` the file backlog of failed writes, `hive_off` the
nightly rollup, archive and purge.
"""
