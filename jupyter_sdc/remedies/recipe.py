"""How an output was made, as the checked calls leave it on ``Output.recipe`` (never saved).

The wrappers (``jupyter_sdc.api``) and the capture of a checked cell (``jupyter_sdc.capture``)
know, when they make a record, which microdata and call stand behind it. They leave a plain
dict on the output, so neither needs this package:

- ``call``: what made it (``crosstab``, ``pivot_table``, ``groupby``, ``value_counts``,
  ``stat``, ``describe``, ``hist``, ``model``, ``points``);
- ``keys``: the grouping variables in order, each ``(name, series, role)`` with role
  ``"index"``, ``"columns"`` or ``"by"``;
- ``values``: the summarised variables, ``{name: series}``;
- ``frame``: the data frame the call read, where it had one;
- ``options``: the call's own options a remedy may change (``statistic``, ``q``, ``edges``,
  ``formula``, …);
- ``rebuild``: ``rebuild(keys=[series or None per key], values={...}, suppress=bool,
  round_base=int | None, **options) -> Output``: the same call on changed variables, judged
  by the same adapter and rules (None drops a key);
- ``code``: the code of the cell that made it, and ``calls``: the names of the calls in that
  code that may have made it (``("crosstab",)``), for the remedy's code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from jupyter_sdc.core.record import Output


@dataclass
class Key:
    """One grouping variable: its name, its values (aligned with the data) and its role."""

    name: str
    series: pd.Series
    role: str = "by"


@dataclass
class Variant:
    """A change to try: recoded or dropped keys, changed values, a mitigation, new options."""

    keys: dict[int, pd.Series] = field(default_factory=dict)
    drop: tuple[int, ...] = ()
    values: dict[str, pd.Series] = field(default_factory=dict)
    suppress: bool = False
    round_base: int | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Recipe:
    call: str
    keys: list[Key]
    values: dict[str, pd.Series]
    rebuild: Callable[..., Output]
    frame: pd.DataFrame | None = None
    options: dict[str, Any] = field(default_factory=dict)
    code: str | None = None
    calls: tuple[str, ...] = ()

    @classmethod
    def of(cls, output: Output) -> Recipe | None:
        """The output's recipe, or None when it has none (a record read back from a file)."""
        made = output.recipe
        if isinstance(made, Recipe):
            return made
        if not isinstance(made, dict) or not callable(made.get("rebuild")):
            return None
        keys = [Key(str(name), series, role) for name, series, role in made.get("keys", [])]
        return cls(call=str(made["call"]), keys=keys, values=dict(made.get("values") or {}),
                   rebuild=made["rebuild"], frame=made.get("frame"),
                   options=dict(made.get("options") or {}), code=made.get("code"),
                   calls=tuple(made.get("calls") or (made["call"],)))

    def build(self, variant: Variant, base_suppress: bool = False,
              base_round: int | None = None) -> Output:
        """The remedied output: the same call on the variant's variables, judged again."""
        keys = [None if i in variant.drop else variant.keys.get(i, key.series)
                for i, key in enumerate(self.keys)]
        values = {**self.values, **variant.values}
        return self.rebuild(keys=keys, values=values,
                            suppress=variant.suppress or base_suppress,
                            round_base=variant.round_base or base_round,
                            **{**self.options, **variant.options})

    @property
    def n(self) -> int:
        """Rows behind the output (for shares of records)."""
        if self.keys:
            return int(len(self.keys[0].series))
        first = next(iter(self.values.values()), None)
        return int(len(first)) if first is not None else 0
