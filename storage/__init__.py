"""Every SQL statement of Pacing Watch, by subject.

`db` opens connections (one per thread), `schema` holds the numbered migrations, `cycles`,
`nodes`, `targets` and `history` the node's rows and their read models, `alarms` the alarm
subsystem's tables, `runtime` and `metrics` the Health page's and `/metrics`' figures,
`export` the CSV history, `backlog` the file backlog of failed writes, `hive_off` the
nightly rollup, archive and purge, `leases` the fenced master lease. `sql` is the portable
layer (SQLAlchemy Core over SQLite and PostgreSQL: the `Database` facade) that the rest moves
to; `leases` already runs on it.
"""
