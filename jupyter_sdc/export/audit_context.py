"""What one audit knows: the rules and declared cells of each output (``OutputRules``) and the
request's names to look for (``Context``), taken from the records or from results.json."""

from __future__ import annotations

from dataclasses import dataclass

from jupyter_sdc.core.statistic import Statistic

Cells = frozenset[tuple[int, int]]
#: statistics whose table is its own counts: every hidden cell hides a count
COUNT_STATISTICS = (Statistic.FREQUENCY.value, Statistic.HISTOGRAM.value)
#: rules whose flagged cells are protected for their count (not only their value)
_COUNT_RULES = ("threshold", "zeros", "secondary")
#: login names shared by everyone on a system, which name nobody
_SHARED_LOGINS = {"root", "jovyan", "user", "admin", "ubuntu", "nobody", "runner", "app"}


@dataclass(frozen=True)
class OutputRules:
    """What the audit may take from a record: the rules and the declared cells."""

    uid: str
    label: str
    title: str
    statistic: str
    threshold: int
    zeros: bool                  # zeros are disclosive
    round_base: int | None       # published counts are multiples of it
    exception: bool
    hidden: Cells = frozenset()      # declared suppressed
    flagged: Cells = frozenset()     # flagged by a rule (published only with an exception)
    structural: Cells = frozenset()  # declared structural zeros
    protected: Cells = frozenset()   # hidden for their count: no other output may give it
    index_levels: int | None = None

    @property
    def name(self) -> str:
        """The output as messages name it: its label and title."""
        return f"{self.label} ({self.title})" if self.title else (self.label or self.uid)


@dataclass(frozen=True)
class Context:
    """The rules of one audit."""

    outputs: dict[str, OutputRules]
    threshold: int
    zeros: bool = True
    allow_code: bool = False
    written: tuple[str, ...] = ()  # what the researcher wrote for the release in sdc.toml
    data_names: tuple[str, ...] = ()
    logins: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    homes: tuple[str, ...] = ()
