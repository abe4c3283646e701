"""Every SQL statement of Pacing Watch.

`db` opens connections (one per thread) and holds the error hierarchy, `migrations` the
schema, `writes` what the node stores, `reads` the dashboard's read models, `export` the CSV
history export.
"""
