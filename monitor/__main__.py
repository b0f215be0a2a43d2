"""`python -m monitor` runs the tosmon CLI."""

from monitor.cli import main

main()
