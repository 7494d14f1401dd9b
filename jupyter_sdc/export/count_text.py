"""Counts stated in words: "implied count 4", "4 record(s) with …", "N = 3".

A reason, note or summary in a released file must not state a count below the threshold
(DESIGN, "The gate": "implied count 4" stays in the notebook). Such statements are found by
their shape: a whole number next to a count word. Legitimate text is left alone: thresholds
("fewer than 10 contributing records"), identifiers ("Table 4", "wave 1"), years, ranges,
decimals and percentages are not counts. The export renders reasons through
:func:`released_text`; the audit refuses what :func:`small_counts` still finds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from jupyter_sdc.core.rules import RuleValues

#: nouns that make a number a count of records or units
COUNT_NOUNS = (
    r"record\(s\)|records?|rows?|people|person\(s\)|persons?|individuals?|unit\(s\)|units?|"
    r"respondents?|observations?|cases?|households?|participants?|patients?|subjects?|"
    r"members?|pupils?|students?|employees?|men|women|children|adults|residents|families|"
    r"deaths|births"
)
# a whole number: not part of a word, a decimal, a date, a path or a range ("5-9", "5–9")
_NUMBER = r"(?<![\w.,/:–-])(\d{1,3}(?:,\d{3})+|\d+)(?![\w%]|[.,:/–-]\d|-\w)"
# "4 records", "4 contributing records", "4 of the records"
_BEFORE_NOUN = re.compile(
    rf"{_NUMBER}\s+(?:(?!than\b|cells?\b)[A-Za-z][\w'-]*\s+){{0,2}}?(?:{COUNT_NOUNS})(?!\w)",
    re.IGNORECASE)
# "implied count 4", "count of 4", "N = 4" (and its comparison, "count 4 < 10")
_AFTER_WORD = re.compile(
    rf"\b(?:implied(?:\s+counts?)?|counts?|frequency)\s*(?:=|:|of|is|was)?\s*{_NUMBER}"
    rf"(?:\s*[<≤]\s*\d[\d,]*)?|(?<![\w.])[Nn]\s*[=:]\s*{_NUMBER}(?!\s*,\s*k\b)",
    re.IGNORECASE)
_ANY_DIGIT = re.compile(r"\d")
# a number after one of these words states a rule, a range or an identifier, not a count
_NOT_A_COUNT_AFTER = frozenset("""
than least most under below above over within threshold minimum maximum min max nearest base
wave table figure model year years round phase version band group cohort quarter step stage
type class section page question item no number aged age ages top largest smallest first last
per every each to from between level grade chapter part
""".split()) | {"<", ">", "≤", "≥", "=", "#"}


@dataclass(frozen=True)
class CountStatement:
    """One count stated in text: where it is, the words, and the number."""

    start: int
    end: int
    phrase: str
    number: int
    number_first: bool


def statements(text: str) -> list[CountStatement]:
    """Every count stated in ``text``, whatever its size."""
    found: list[CountStatement] = []
    if not _ANY_DIGIT.search(text):
        return found
    for match in _BEFORE_NOUN.finditer(text):
        if _word_before(text, match.start()) not in _NOT_A_COUNT_AFTER:
            found.append(_statement(match, number_first=True))
    taken = [(s.start, s.end) for s in found]
    for match in _AFTER_WORD.finditer(text):
        if not any(a < match.end() and match.start() < b for a, b in taken):
            found.append(_statement(match, number_first=False))
    return sorted(found, key=lambda s: s.start)


def small_counts(text: str, threshold: int, *, zeros: bool = True,
                 labels: Iterable[str] = ()) -> list[CountStatement]:
    """Counts below ``threshold`` stated in ``text`` (a 0 only when zeros are disclosive).

    ``labels``: lower-case category labels of the request's tables ("1 person"); a phrase
    that is one of them names a category, not a count.
    """
    names = tuple(labels)
    return [s for s in statements(text)
            if s.number < threshold and (s.number > 0 or zeros)
            and not any(s.phrase.lower() in name for name in names)]


def released_text(text: str, threshold: int, *, zeros: bool = True) -> str:
    """``text`` with each count below ``threshold`` said as "fewer than N" (for a released
    file: the exact count stays in the notebook)."""
    parts, last = [], 0
    for item in small_counts(text, threshold, zeros=zeros):
        parts.append(text[last:item.start])
        if item.number_first:
            words = item.phrase.split(None, 1)
            parts.append(f"fewer than {threshold} {words[1] if len(words) > 1 else ''}".rstrip())
        else:
            head = re.split(r"\s*(?:=|:|\bof\b|\bis\b|\bwas\b)?\s*\d", item.phrase, maxsplit=1)[0]
            parts.append(f"{head} below {threshold}")
        last = item.end
    parts.append(text[last:])
    return "".join(parts)


def released_reason(text: str, record: Mapping) -> str:
    """One of a record's reasons as a released file says it: no count below its threshold."""
    rules = record.get("rules") or {}
    threshold = rules.get("threshold")
    if not isinstance(threshold, int | float) or isinstance(threshold, bool):
        threshold = RuleValues().threshold
    return released_text(str(text), int(threshold), zeros=bool(rules.get("zeros", True)))


def _statement(match: re.Match, *, number_first: bool) -> CountStatement:
    digits = next(g for g in match.groups() if g)
    return CountStatement(match.start(), match.end(), match.group(0),
                          int(digits.replace(",", "")), number_first)


def _word_before(text: str, position: int) -> str:
    words = text[max(0, position - 40):position].split()
    return words[-1].lower().strip("(,;:") if words else ""
