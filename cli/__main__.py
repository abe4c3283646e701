"""`python -m cli`: the `pacing` command without its console script."""

from cli.main import main

raise SystemExit(main())
