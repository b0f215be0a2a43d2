"""The `tosmon` command line: the only package that prints, reads flags and environment, and maps errors to
exit codes (0 ok, 1 a document or operation failed, 2 bad input). Heavy modules are imported inside the
commands that need them, so listing commands start fast.

`app` holds the group and what the commands share; `checking`, `reading` and `manage` register the commands.
"""

from monitor.cli import checking, manage, reading  # noqa: F401  (each module registers its commands)
from monitor.cli.app import cli, main

__all__ = ["cli", "main"]
