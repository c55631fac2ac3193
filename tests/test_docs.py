"""The README documents every command, and opens with the two commands a newcomer needs."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from marsad.cli import build_parser

README = Path(__file__).resolve().parents[1] / "README.md"


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_readme_opens_with_make_demo_and_make_test() -> None:
    head = README.read_text(encoding="utf-8").split("```")[1]
    assert [line.split("#")[0].strip() for line in head.strip().splitlines()[1:3]] == ["make demo",
                                                                                      "make test"]


def test_every_command_and_option_is_documented() -> None:
    text = README.read_text(encoding="utf-8")
    for name, sub in _subcommands().items():
        assert f"marsad {name}" in text, name
        for action in sub._actions:
            opts = [o for o in action.option_strings if o not in ("-h", "--help")]
            if opts:
                assert any(re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", text) for o in opts), \
                    f"marsad {name} {opts}"
