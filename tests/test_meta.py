"""Docs and code cannot drift: every CLI command is in the README and has help with an example."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, command in group.commands.items():
        out.append((prefix + name, command))
        if isinstance(command, click.Group):
            out += _commands(command, prefix + name + " ")
    return out


def test_every_command_documented_with_example():
    for name, command in _commands(cli):
        assert f"tosmon {name}" in README, f"README does not document `tosmon {name}`"
        assert command.help and "Example:" in command.help, f"`tosmon {name}` --help has no example"


def test_every_option_documented():
    for name, command in _commands(cli):
        for param in command.params:
            if isinstance(param, click.Option):
                longest = max(param.opts, key=len)
                assert longest in README, f"README does not mention {longest} of `tosmon {name}`"


def test_completion_script_completes_commands():
    import os
    import subprocess
    import sys

    env = {**os.environ, "COMP_WORDS": "tosmon lo", "COMP_CWORD": "1", "_TOSMON_COMPLETE": "bash_complete"}
    done = subprocess.run([sys.executable, "-m", "monitor"], env=env, capture_output=True, text=True, timeout=60)
    assert "plain,log" in done.stdout.splitlines()
    from click.testing import CliRunner

    script = CliRunner().invoke(cli, ["completion", "bash"]).output
    assert "_TOSMON_COMPLETE=bash_complete" in script
