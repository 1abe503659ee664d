"""The documentation is true: every example block in README.md and docs/*.md that starts with
``$ graphdiff …`` shows exactly what that command prints (standard error, then standard output, as a
terminal shows them when output is piped), and every command has --help with examples.

After a change to the output, ``python -m tests.test_docs --update`` rewrites the blocks from real runs.
"""
from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphdiff.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```\n(\$ graphdiff [^\n]*)\n(.*?)^```\n", re.S | re.M)


def examples() -> list[tuple[Path, str, str]]:
    return [(p, m.group(1), m.group(2)) for p in DOCS for m in BLOCK.finditer(p.read_text(encoding="utf-8"))]


def output_of(command: str) -> str:
    """What a terminal shows: graphdiff writes its warnings (standard error) before its output."""
    args = shlex.split(command[2:])[1:]
    r = CliRunner().invoke(main, args, catch_exceptions=False)
    return r.stderr + r.stdout


@pytest.mark.parametrize("path,command,shown", examples(), ids=[c[2:60] for _, c, _ in examples()])
def test_every_example_shows_what_the_command_prints(path, command, shown, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert output_of(command) == shown, f"{path.name}: {command}"


def test_there_are_examples():
    assert len(examples()) >= 10


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help_with_examples(command):
    r = CliRunner().invoke(main, [command, "--help"])
    assert r.exit_code == 0 and "Examples:" in r.output and "Exit codes:" in r.output


def _update() -> None:
    import os

    os.chdir(ROOT)
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        new = BLOCK.sub(lambda m: f"```\n{m.group(1)}\n{output_of(m.group(1))}```\n", text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"updated {path.relative_to(ROOT)}")


if __name__ == "__main__" and "--update" in sys.argv:
    _update()
