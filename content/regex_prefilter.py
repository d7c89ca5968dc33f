"""A cheap test that tells when a regular expression cannot match a text, so it is not run.

The detector runs some fifty concept patterns over every sentence, each a long alternation, and
most of them cannot match a given sentence. Every match of a pattern begins with one of a small
set of short strings, its prefixes ("leg", "fee", "wea" ...), worked out once from the pattern
itself. A pattern is tried only at the word boundaries of a sentence where one of its prefixes
begins, and not at all where none does: a few `match` calls instead of a scan of every character
(the detector's p50 on the dev set fell from 0.62 to 0.40 ms). It only ever skips what could not
match: where a prefix cannot be worked out (a `.` or `\\w`, too many combinations), the pattern
scans the whole sentence as before.
"""

from __future__ import annotations

import re
import string

try:  # Python 3.10 (Rasa 3.6); `re._parser` from 3.11.
    import sre_constants as _c
    import sre_parse as _parser
except ImportError:  # pragma: no cover
    from re import _constants as _c
    from re import _parser

# Three letters tell most words apart; `starts` is written for this length.
PREFIX_LENGTH = 3
# More combinations than this and the pattern is simply always run.
_MAX_PREFIXES = 20000
# The (up to) PREFIX_LENGTH characters at each place not just after a letter or digit.
_STARTS = re.compile(rf"(?<![a-z0-9])(?=(.{{1,{PREFIX_LENGTH}}}))", re.DOTALL)


# What `\d` and `\w` match in ASCII text.
_ASCII_CATEGORIES = {
    _c.CATEGORY_DIGIT: string.digits,
    _c.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
}


class _Unknown(Exception):
    """The pattern's prefixes cannot be listed."""


def prefixes(pattern: str) -> frozenset[str] | None:
    """Every string a match of `pattern` can begin with, cut to PREFIX_LENGTH characters (or
    the whole match, where shorter); None when they cannot be listed or a match can be empty."""
    parsed = _parser.parse(pattern)
    if parsed.state.flags & re.IGNORECASE:
        return None
    try:
        found = _sequence(parsed.data, PREFIX_LENGTH)
    except _Unknown:
        return None
    return None if "" in found else frozenset(found)


def starts(text: str) -> dict[str, list[int]] | None:
    r"""Where a whole-word pattern's match can begin in `text`: the 1 to PREFIX_LENGTH
    characters at each place not just after a letter or digit, each with the places it is found
    at, in order. None for a text that is not all ASCII, where `\w` and `\d` match more than the
    prefixes list."""
    if not text.isascii():
        return None
    found: dict[str, list[int]] = {}
    for match in _STARTS.finditer(text):
        gram, at = match.group(1), match.start()
        for length in range(1, len(gram) + 1):
            found.setdefault(gram[:length], []).append(at)
    return found


class PatternSet:
    """Named patterns run together over one text, each tried only at the places where one of
    its prefixes begins. It finds what `finditer` of each pattern in turn would find, in the
    same order, with a few `match` calls instead of a scan of every character by every pattern.
    """

    def __init__(self, patterns: dict[str, re.Pattern]) -> None:
        self.patterns = patterns
        self.prefixes = {name: prefixes(pattern.pattern) for name, pattern in patterns.items()}
        self._by_prefix: dict[str, list[str]] = {}
        for name, found in self.prefixes.items():
            for prefix in found or ():
                self._by_prefix.setdefault(prefix, []).append(name)

    def __contains__(self, name: str) -> bool:
        return name in self.patterns

    def find(self, text: str, at: dict[str, list[int]] | None) -> list[tuple[str, int, int]]:
        """(name, start, end) of every match in `text`; `at` is `starts(text)`."""
        if at is None:
            return [
                (name, match.start(), match.end())
                for name, pattern in self.patterns.items()
                for match in pattern.finditer(text)
            ]
        places: dict[str, set[int]] = {}
        for gram, where in at.items():
            for name in self._by_prefix.get(gram, ()):
                places.setdefault(name, set()).update(where)
        found = []
        for name, pattern in self.patterns.items():
            if self.prefixes[name] is None:
                found.extend((name, m.start(), m.end()) for m in pattern.finditer(text))
                continue
            end = 0
            for place in sorted(places.get(name, ())):
                # finditer goes on from the end of the last match; a pattern that could match
                # nothing has no prefixes, so every match here ends past its start.
                if place >= end and (match := pattern.match(text, place)):
                    found.append((name, place, match.end()))
                    end = match.end()
        return found


def _sequence(items, length: int) -> set[str]:
    found = {""}
    for op, value in items:
        if all(len(s) >= length for s in found):
            break
        found = _extend(found, _item(op, value, length), length)
    return found


def _extend(heads: set[str], tails_for, length: int) -> set[str]:
    """Each head followed by what can follow it, cut to `length`."""
    extended = set()
    for head in heads:
        if len(head) >= length:
            extended.add(head)
        else:
            extended.update((head + tail)[:length] for tail in tails_for(length - len(head)))
    if len(extended) > _MAX_PREFIXES:
        raise _Unknown
    return extended


def _item(op, value, length: int):
    """A function from the characters still wanted to the strings this item can start with."""
    if op is _c.LITERAL:
        return lambda _: {chr(value)}
    if op is _c.IN:
        letters = _class(value)
        return lambda _: letters
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, sub = value
        if add_flags or del_flags:
            raise _Unknown
        return lambda wanted: _sequence(sub.data, wanted)
    if op is _c.BRANCH:
        return lambda wanted: set().union(*(_sequence(a.data, wanted) for a in value[1]))
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        low, high, sub = value
        return lambda wanted: _repeat(low, high, sub, wanted)
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        # Consumes nothing; ignoring what it asserts only lets more through.
        return lambda _: {""}
    raise _Unknown  # ANY, NOT_LITERAL, back-references ...


def _repeat(low: int, high: int, sub, wanted: int) -> set[str]:
    # After `wanted` repetitions every string is either full length or made of empty matches
    # that more repetitions would not change, so no more than that are needed.
    last = min(high, wanted)
    found, current = set(), {""}
    for count in range(last + 1):
        if count >= low or count == last:
            found |= current
        if count < last:
            current = _extend(current, lambda w: _sequence(sub.data, w), wanted)
    return found


def _class(items) -> set[str]:
    letters: set[str] = set()
    for op, value in items:
        if op is _c.LITERAL:
            letters.add(chr(value))
        elif op is _c.RANGE:
            letters.update(chr(code) for code in range(value[0], value[1] + 1))
        elif op is _c.CATEGORY and value in _ASCII_CATEGORIES:
            # Sound because `starts` gives no prefixes for a text that is not all ASCII.
            letters.update(_ASCII_CATEGORIES[value])
        else:  # NEGATE, other categories
            raise _Unknown
    if len(letters) > 128:
        raise _Unknown
    return letters
