"""Put a finished argparse parser's help texts (every subcommand's too) into a language."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from skpdgen.messages.catalogue import translate


def localise_parser(parser: argparse.ArgumentParser, language: str) -> None:
    """Translate descriptions, command summaries and option help in place."""
    for each in _parsers(parser):
        if each.description:
            each.description = translate(each.description, language)
        for action in each._actions:
            if action.help and action.help is not argparse.SUPPRESS:
                action.help = translate(action.help, language)
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    if choice.help:
                        choice.help = translate(choice.help, language)


def subparsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """The parsers of a parser's subcommands."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from dict.fromkeys(action.choices.values())


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for sub in subparsers(parser):
        yield from _parsers(sub)
