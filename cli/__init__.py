"""The `pacing` command: one module per subject, each registering its subcommands.

`cli.main` lists the modules explicitly; the console script `pacing` is `cli.main:main`.
A command module parses arguments, calls the node, storage or lab, and returns an exit code.
"""
