"""`python -m cli`: the `metrohub` command, as the hub's own processes start it."""

from cli import main

raise SystemExit(main())
