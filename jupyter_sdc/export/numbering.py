"""One numbering per request: "Table 1", "Figure 1", "Model 1", computed once by the exporter.

A label the researcher gave ("Table 3", "Figure A2", or just "3") is kept; the other outputs
take the next free number of their kind, in notebook order. Two outputs given the same label
are a clash the exporter refuses, naming both: nothing is renumbered behind the researcher's
back. Messages cite an output as ``output <uid>`` (:func:`ref`) until the numbering is known;
:meth:`Numbering.render` then puts each output's final label in their place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from jupyter_sdc.export.superseded import in_request, superseded

LABEL_PATTERN = re.compile(r"^(Table|Figure|Model)\s+([A-Za-z]?\d+[A-Za-z]?)$")
_SHORT_ID = re.compile(r"^[A-Za-z]?\d+[A-Za-z]?$")  # "3", "A2", "4b": a number without its noun
_NOUN_BY_KIND = {"table": "Table", "figure": "Figure", "model": "Model", "custom": "Table"}


def noun_for(record: Mapping) -> str:
    """The label noun for a record's kind ("custom" outputs are tables)."""
    return _NOUN_BY_KIND.get(str(record.get("kind") or "table"), "Table")


def ref(uid: object) -> str:
    """How a message cites an output before the request's labels are known."""
    return f"output {uid}"


def given_label(record: Mapping) -> str | None:
    """The researcher's label in its full form ("3" on a table is "Table 3"), if it is one."""
    label = record.get("label")
    given = label.strip() if isinstance(label, str) else ""
    if _SHORT_ID.match(given):
        given = f"{noun_for(record)} {given}"
    given = re.sub(r"\s+", " ", given)
    return given if LABEL_PATTERN.match(given) else None


@dataclass(frozen=True)
class Numbering:
    """The final label of each output of a request (by uid), and how to name it."""

    labels: dict[str, str]
    titles: dict[str, str] = field(default_factory=dict)
    #: the researcher's labels of outputs marked not to include (not numbered), by uid
    excluded: dict[str, str] = field(default_factory=dict)
    #: outputs given a label another output has, by uid: the refusal naming both
    clashing: dict[str, str] = field(default_factory=dict)

    @property
    def clashes(self) -> list[str]:
        """The refusals, once each."""
        return list(dict.fromkeys(self.clashing.values()))

    def label(self, uid: object) -> str:
        return self.labels.get(str(uid)) or self.excluded.get(str(uid)) or ref(uid)

    def name(self, uid: object) -> str:
        """``Table 1 "People by region"``: how a message names an output (an untitled one
        with its uid, the only other name it has)."""
        title = self.titles.get(str(uid))
        label = self.label(uid)
        if title:
            return f'{label} "{title}"'
        return label if label == ref(uid) else f"{label} (untitled, {ref(uid)})"

    def render(self, text: str, *, titled: bool = False) -> str:
        """``text`` with each ``output <uid>`` of this request replaced by the output's label
        (with its title when ``titled``)."""
        if not (self.labels or self.excluded) or "output " not in text:
            return text
        return self._pattern().sub(
            lambda m: self.name(m.group(1)) if titled else self.label(m.group(1)), text)

    def _pattern(self) -> re.Pattern[str]:
        uids = sorted({*self.labels, *self.excluded}, key=len, reverse=True)  # "cell-10" first
        return re.compile(r"\boutput (" + "|".join(map(re.escape, uids)) + r")(?![\w-])")


def number_outputs(records: Iterable[Mapping]) -> Numbering:
    """Label every record, in order: kept where given, the next free number otherwise.

    Records marked ``include = false`` or superseded by a remedy are not in the request:
    they take no number (and their labels clash with none), but keep their own label and
    title for messages."""
    everything = [r for r in records if isinstance(r, Mapping)]
    replaced = superseded(everything)
    records = [r for r in everything if in_request(r, replaced)]
    labels, clashes = _numbered(records)
    clashing: dict[str, str] = {}
    for first, second in clashes:
        message = _clash(labels[first], records[first], records[second])
        clashing.setdefault(str(records[first].get("uid")), message)
        clashing[str(records[second].get("uid"))] = message
    titles = {str(r.get("uid")): str(r.get("title")).strip() for r in everything
              if isinstance(r.get("title"), str) and r.get("title").strip()}
    excluded = {str(r.get("uid")): label for r in everything
                if not in_request(r, replaced) and (label := given_label(r))}
    return Numbering(labels={str(r.get("uid")): label for r, label in zip(records, labels,
                                                                           strict=True)},
                     titles=titles, clashing=clashing, excluded=excluded)


def assign_labels(records: Iterable[Mapping]) -> list[str]:
    """One label per record, in order (for documents written without the exporter, which
    refuses a repeated label: here the second one takes the next free number)."""
    return _numbered(list(records))[0]


def _numbered(records: list[Mapping]) -> tuple[list[str], list[tuple[int, int]]]:
    """Labels by position, and the ``(first, repeat)`` positions of each repeated label."""
    wanted = [given_label(r) for r in records]
    first: dict[str, int] = {}
    clashes: list[tuple[int, int]] = []
    for position, label in enumerate(wanted):
        if label is None:
            continue
        if label in first:
            clashes.append((first[label], position))
        else:
            first[label] = position
    taken = set(first)
    next_number: dict[str, int] = {}
    labels: list[str] = []
    for position, (record, label) in enumerate(zip(records, wanted, strict=True)):
        if label is None or first[label] != position:
            noun = noun_for(record)
            number = next_number.get(noun, 1)
            while f"{noun} {number}" in taken:
                number += 1
            next_number[noun] = number + 1
            label = f"{noun} {number}"
            taken.add(label)
        labels.append(label)
    return labels, clashes


def _clash(label: str, first: Mapping, second: Mapping) -> str:
    return (f"{label} is the label of two outputs: {_described(first)} and "
            f"{_described(second)}. Give one of them another label (label= or --label) and "
            f"export again.")


def _described(record: Mapping) -> str:
    """An output named in a clash (never as ``output <uid>``: rendered, both would read the
    same label)."""
    title = record.get("title")
    named = f'"{title.strip()}"' if isinstance(title, str) and title.strip() else "untitled"
    source = record.get("source") if isinstance(record.get("source"), Mapping) else {}
    where = [str(source["notebook"])] if source.get("notebook") else []
    return f"{named} ({', '.join([*where, 'uid ' + str(record.get('uid'))])})"
