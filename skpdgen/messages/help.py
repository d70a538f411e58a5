"""Put a finished argparse parser's help texts (every subcommand's too) into a language.

Translating every help text takes a tenth of a second, and only `--help` shows them: a
`LocalisedParser` translates its own texts the first time its help is formatted.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from skpdgen.messages.catalogue import translate


def localise_parser(parser: argparse.ArgumentParser, language: str) -> None:
    """Translate descriptions, command summaries and option help in place."""
    for each in _parsers(parser):
        _localise_one(each, language)


class LocalisedParser(argparse.ArgumentParser):
    """A parser whose help texts are put into `language` when its help is first shown (its
    subcommands are of this class too: argparse makes them of their parent's class)."""

    language = "en"
    _localised = False

    def format_help(self) -> str:
        if not self._localised:
            _localise_one(self, self.language)
            self._localised = True
        return super().format_help()


def speak(parser: argparse.ArgumentParser, language: str) -> None:
    """Give a finished parser and its subcommands the language their help is shown in."""
    for each in _parsers(parser):
        if isinstance(each, LocalisedParser):
            each.language = language
        else:
            _localise_one(each, language)


def _localise_one(parser: argparse.ArgumentParser, language: str) -> None:
    if language == "en":
        return
    if parser.description:
        parser.description = translate(parser.description, language)
    for action in parser._actions:
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
