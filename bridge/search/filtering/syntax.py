"""Reading the relaxed filter syntax of seed 003: JSON objects with unquoted keys and python-style references.

    {price: {gte: 50, lt: 100}, brand: ["Nike", "Adidas"], attributes["material"]: "cotton"}

A tokenizer and a recursive-descent parser rather than ``eval`` or regular expressions over the whole
text, so that nothing a shopper types is executed and every refusal names the character it happened at.
Grammar (whitespace between tokens is ignored, a trailing comma is tolerated):

    object := "{" [member ("," member)* [","]] "}"
    member := key ":" value
    key    := STRING | NAME ("." NAME | "[" STRING "]")*
    value  := STRING | NUMBER | true | false | null | array | object
    array  := "[" [value ("," value)* [","]] "]"

NAME is letters, digits, "_" and "$" (for "$gt"). STRING is double-quoted with JSON escapes, or written
\\"like this\\" as in the seed's ``attributes[\\"key\\"]``, which arrives unescaped when the filter was
embedded in a JSON string. Positions count characters from 0. Errors are ``InvalidInputError`` with a
bare reason; callers prefix the request field.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from bridge.errors import InvalidInputError

_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_PUNCTUATION = frozenset("{}[]:,.")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_KEYWORDS = {"true": True, "false": False, "null": None}


@dataclass(frozen=True)
class Token:
    """One lexical unit: ``kind`` is punct, string, number, name or end; ``value`` is what it stands for."""

    kind: str
    value: Any
    position: int
    end: int

    def describe(self) -> str:
        if self.kind == "end":
            return "the end of the text"
        return f'"{self.value}"' if self.kind in ("punct", "string", "name") else str(self.value)


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with an "end" token so the parser never runs off the list."""
    tokens: list[Token] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            tokens.append(Token("end", None, position, position))
            return tokens
        tokens.append(_next_token(text, position))
        position = tokens[-1].end


def _next_token(text: str, position: int) -> Token:
    char = text[position]
    if char in _PUNCTUATION:
        return Token("punct", char, position, position + 1)
    if char == '"':
        return _string(text, position)
    if text.startswith('\\"', position):
        return _escaped_quote_string(text, position)
    number = _NUMBER.match(text, position)
    if number:
        return Token("number", _number(number.group(), position), position, number.end())
    name = _NAME.match(text, position)
    if name:
        return Token("name", name.group(), position, name.end())
    hint = ": strings need double quotes" if char == "'" else ""
    raise InvalidInputError(f"unexpected character {char!r} at position {position}{hint}")


def _number(text: str, position: int) -> int | float:
    value = float(text) if any(mark in text for mark in ".eE") else int(text)
    if not math.isfinite(value):
        raise InvalidInputError(f"number {text} is too large at position {position}")
    return value


def _string(text: str, start: int) -> Token:
    """A JSON string: the decoded text, with the position of its opening quote kept for errors."""
    chars: list[str] = []
    position = start + 1
    while position < len(text) and text[position] != '"':
        if text[position] != "\\":
            chars.append(text[position])
            position += 1
            continue
        escape = text[position + 1 : position + 2]
        if escape == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[position + 2 : position + 6]):
            chars.append(chr(int(text[position + 2 : position + 6], 16)))
            position += 6
        elif escape in _ESCAPES and escape:
            chars.append(_ESCAPES[escape])
            position += 2
        else:
            raise InvalidInputError(f"invalid escape in string at position {position}")
    if position >= len(text):
        raise InvalidInputError(f"unterminated string starting at position {start}")
    return Token("string", "".join(chars), start, position + 1)


def _escaped_quote_string(text: str, start: int) -> Token:
    """A string written \\"like this\\": taken verbatim up to the next \\"."""
    close = text.find('\\"', start + 2)
    if close < 0:
        raise InvalidInputError(f'unterminated \\" string starting at position {start}')
    return Token("string", text[start + 2 : close], start, close + 2)


class _Parser:
    """Recursive descent over the tokens of one text; ``positions`` maps key paths to where they were written."""

    def __init__(self, text: str, where: str = "at position {}"):
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.where = where
        self.positions: dict[tuple[str, ...], int] = {}

    def fail(self, reason: str, token: Token) -> InvalidInputError:
        return InvalidInputError(f"{reason}, found {token.describe()} {self.where.format(token.position)}")

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def at(self, mark: str) -> bool:
        token = self.tokens[self.index]
        return token.kind == "punct" and token.value == mark

    def expect(self, kind: str, value: Any, reason: str) -> Token:
        token = self.take()
        if token.kind != kind or (value is not None and token.value != value):
            raise self.fail(reason, token)
        return token

    def object(self, at: tuple[str, ...]) -> dict[str, Any]:
        self.expect("punct", "{", 'expected "{"')
        members: dict[str, Any] = {}
        while not self.at("}"):
            start = self.tokens[self.index]
            key = self.key()
            if key in members:
                raise InvalidInputError(f"key {key} is given twice, again at position {start.position}")
            self.positions[(*at, key)] = start.position
            self.expect("punct", ":", f'expected ":" after key {key}')
            members[key] = self.value((*at, key))
            if not self.at(","):
                break
            self.take()
        self.expect("punct", "}", 'expected "," or "}"')
        return members

    def key(self) -> str:
        """A quoted key as decoded, or an unquoted key chain as written (``fields.canonical_path`` reads it)."""
        if self.tokens[self.index].kind == "string":
            return self.take().value
        start = self.tokens[self.index].position
        self.key_path()
        return self.text[start : self.tokens[self.index - 1].end]

    def key_path(self) -> tuple[str, ...]:
        path = [self.expect("name", None, "expected a field name").value]
        while self.at(".") or self.at("["):
            if self.take().value == ".":
                path.append(self.expect("name", None, 'expected a name after "."').value)
                continue
            path.append(self.expect("string", None, 'expected a double-quoted key after "["').value)
            self.expect("punct", "]", 'expected "]" after the key')
        return tuple(path)

    def value(self, at: tuple[str, ...]) -> Any:
        token = self.tokens[self.index]
        if self.at("{"):
            return self.object(at)
        if self.at("["):
            return self.array(at)
        if token.kind in ("string", "number") or (token.kind == "name" and token.value in _KEYWORDS):
            self.take()
            return _KEYWORDS[token.value] if token.kind == "name" else token.value
        raise self.fail("expected a value (strings need double quotes)", token)

    def array(self, at: tuple[str, ...]) -> list[Any]:
        self.expect("punct", "[", 'expected "["')
        items: list[Any] = []
        while not self.at("]"):
            items.append(self.value(at))
            if not self.at(","):
                break
            self.take()
        self.expect("punct", "]", 'expected "," or "]"')
        return items


def parse_relaxed(text: str) -> tuple[dict[str, Any], dict[tuple[str, ...], int]]:
    """Read one filter object; return it with the character position of every key path in it."""
    parser = _Parser(text)
    document = parser.object(())
    parser.expect("end", None, "expected nothing after the closing }")
    return document, parser.positions


def parse_field(name: str) -> tuple[str, ...]:
    """Read a field reference such as ``price``, ``attributes.material`` or ``attributes["fit type"]``."""
    parser = _Parser(name, f"at character {{}} of field name {json.dumps(name, ensure_ascii=False)}")
    path = parser.key_path()
    parser.expect("end", None, 'expected "." or "[" or the end of the field name')
    return path
