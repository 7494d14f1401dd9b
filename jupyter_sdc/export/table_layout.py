"""One output's table as document rows: every statistic with the unweighted count beside it.

Frequencies are counts already (one column each); statistics get an ``N (unweighted)``
column: one per value column ("paired"), or a single one when the count is the same across a
row ("single": model parameters, one-column tables). Suppressed cells and their counts show
the suppression symbol; the notes under the table say what the symbols mean.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from jupyter_sdc.core import numbers
from jupyter_sdc.core.mitigation import SUPPRESSED_SYMBOL
from jupyter_sdc.core.statistic import Statistic
from jupyter_sdc.export.template import Cell

#: a table with more cells than this is released as CSV only: a document cannot show it
#: readably, and writing it would take minutes (the document says where the table is)
DOCUMENT_CELL_LIMIT = 10_000
#: a table with more cells than this is refused at export: no output checker can check it
#: cell by cell (and its results.json alone would run to hundreds of megabytes)
EXPORT_CELL_LIMIT = 100_000
SUPPRESSED = SUPPRESSED_SYMBOL
MISSING = "–"
COUNT_HEADER = "N (unweighted)"
STAT_NAMES = {
    "frequency": "Count", "percentage": "%", "sum": "Sum", "mean": "Mean", "median": "Median",
    "quantile": "Quantile", "min": "Minimum", "max": "Maximum", "mode": "Mode",
    "std": "Standard deviation", "var": "Variance", "nunique": "Distinct values",
    "histogram": "Count", "model": "Estimate", "records": "Value", "custom": "Value",
    "mixed": "Statistic", "survival": "Survival estimate", "correlation": "Correlation",
    "points": "Value", "describe": "Statistic",
}
_AGGFUNC_NAMES = {k: STAT_NAMES.get(k, "Count") for k in (
    "mean", "median", "sum", "std", "var", "min", "max", "nunique", "count", "size")}
_MODEL_COLUMNS = {"coef": "Coefficient", "std err": "Standard error", "t": "t", "z": "z",
                  "P>|t|": "p-value", "P>|z|": "p-value", "[0.025": "95% CI lower",
                  "0.975]": "95% CI upper", "parameter": "Parameter"}
_PATSY_LEVEL = re.compile(r"^(?:C\((\w+)[^)]*\)|(\w+))\[T\.(.+)\]$")  # C(region)[T.North]


def table_cells(record: Mapping) -> int:
    """How many cells the record's table has."""
    data = (record.get("table") or {}).get("data") or []
    return len(data) * (len(data[0]) if data and isinstance(data[0], list) else 0)


def too_large_for_a_document(record: Mapping) -> bool:
    return table_cells(record) > DOCUMENT_CELL_LIMIT


def too_large_to_export(record: Mapping) -> bool:
    return table_cells(record) > EXPORT_CELL_LIMIT


def format_value(value: object, decimals: int = 2) -> str:
    """A number as a checker reads it: thousands separated, fixed decimals, no float noise."""
    return numbers.format_value(value, decimals, missing=MISSING)


def table_rows(record: Mapping,
               rename: Mapping[str, str]) -> tuple[list[list[Cell]], int, list[str]]:
    """The rows of an output's table; returns rows, the number of header rows and notes."""
    layout = TableLayout(record, rename)
    header = layout.header()
    return header + layout.body(), len(header), layout.notes()


class TableLayout:
    """What one record's table needs to be laid out: its cells, counts and their modes."""

    def __init__(self, record: Mapping, rename: Mapping[str, str]) -> None:
        table = record["table"]
        self.rename = rename
        self.data = table.get("data") or []
        self.index = table.get("index") or [[i + 1] for i in range(len(self.data))]
        self.columns = table.get("columns") or [
            [j] for j in range(len(self.data[0]) if self.data else 0)]
        counts = record.get("counts")
        if counts is None or len(counts) != len(self.data):
            raise ValueError(f"record {record.get('uid')!r} has no counts aligned with its "
                             "table; every statistic needs its unweighted counts")
        self.counts = counts
        # p-values below 0.001 read better as "<0.001" than in scientific notation
        self.p_values = {c for c, col in enumerate(self.columns)
                         if str(col[-1] if col else "").startswith("P>|")}
        self.n_levels = max(1, len(self.index[0]) if self.index else 1)
        self.index_names = list(table.get("index_names") or [None] * self.n_levels)
        self.column_names = [n for n in (table.get("column_names") or []) if n is not None]
        self.statistic = str(record.get("statistic") or Statistic.CUSTOM)
        self.weighted = is_weighted(record)
        self.weighting = "weighted" if self.weighted else "unweighted"
        self.round_base = (record.get("mitigation") or {}).get("round_base")
        self.suppressed = suppressed_mask(record, len(self.data), len(self.columns))
        self.is_model = record.get("kind") == "model" or self.statistic == Statistic.MODEL
        self.mode = self._mode()
        self.stat_name = "Model estimate" if self.is_model else STAT_NAMES.get(
            self.statistic, "Value")
        # pandas' normalize= gives shares of 1, not of 100: call them proportions.
        self.proportions = self.statistic == Statistic.PERCENTAGE and all(
            abs(v) <= 1 for row in self.data for v in row if isinstance(v, int | float))
        if self.proportions:
            self.stat_name = "Proportion"

    def _mode(self) -> str:
        if self.statistic in (Statistic.FREQUENCY, Statistic.HISTOGRAM) and not self.weighted:
            return "values"
        if all(len(set(map(str, row))) <= 1 for row in self.counts):
            return "single"
        return "paired"

    def label_text(self, value: object) -> str:
        """A label as the researcher named it (model levels as "variable: level")."""
        text = "" if value is None else str(value)
        rename = self.rename
        if self.is_model:
            match = _PATSY_LEVEL.match(text)
            if match:
                variable, level = match.group(1) or match.group(2), match.group(3)
                return f"{rename.get(variable, variable)}: {rename.get(level, level)}"
            return rename.get(text, _MODEL_COLUMNS.get(text, text))
        return rename.get(text, _AGGFUNC_NAMES.get(text, text))

    # -- header ------------------------------------------------------------------------------
    def header(self) -> list[list[Cell]]:
        columns = self.columns
        mode, stat_name, weighting = self.mode, self.stat_name, self.weighting
        col_levels = max(1, len(columns[0]) if columns else 1)
        value_span = 2 if mode == "paired" else 1
        names = ", ".join(self.label_text(n) for n in self.column_names)
        header: list[list[Cell]] = []
        compact = False
        if len(columns) == 1 and col_levels == 1 and not names:
            # One value column: say what it holds in its own header, no banner row.
            columns = [[self._single_column_header(self.label_text(columns[0][0]))]]
        else:
            # Many paired columns: say it once above them, and keep the sub-headers short.
            compact = mode == "paired" and len(columns) > 2
            banner = self._banner(names, compact)
            if banner:
                header.append([Cell("")] * self.n_levels
                              + [Cell(banner, bold=True, span=len(columns) * value_span)]
                              + [Cell("")] * (mode == "single"))
        for level in range(col_levels):
            last = level == col_levels - 1
            row = [Cell(self.label_text(n) if last else "", bold=True) for n in self.index_names]
            for column in columns:
                row.append(Cell(self.label_text(column[level]), bold=True,
                                numeric=mode != "paired", span=value_span))
            if mode == "single":
                row.append(Cell(COUNT_HEADER if last else "", bold=True, numeric=True))
            header.append(row)
        if mode == "paired":
            row = [Cell("")] * self.n_levels
            for _ in columns:
                row += [Cell(stat_name if compact else f"{stat_name} ({weighting})", bold=True,
                             numeric=True),
                        Cell("N" if compact else COUNT_HEADER, bold=True, numeric=True)]
            header.append(row)
        return header

    def _single_column_header(self, only: str) -> str:
        if self.mode == "values":
            return "Unweighted count"
        if only.lower() not in ("", "count", "size", "value", "0"):
            return f"{only}: {self.stat_name.lower()} ({self.weighting})"
        return f"{self.stat_name} ({self.weighting})"

    def _banner(self, names: str, compact: bool) -> str:
        stat_name, weighting = self.stat_name, self.weighting
        banner = {"values": "unweighted count", "single": f"{stat_name} ({weighting})",
                  "paired": f"{stat_name.lower()} ({weighting}) and N (unweighted count)"
                  if compact else ""}[self.mode]
        banner = ": ".join(t for t in (names, banner) if t)
        return banner[0].upper() + banner[1:] if banner else ""

    # -- body --------------------------------------------------------------------------------
    def body(self) -> list[list[Cell]]:
        decimals = {"frequency": 0, "histogram": 0, "nunique": 0, "percentage": 1}.get(
            self.statistic, 3 if self.is_model else 2)
        if self.proportions:
            decimals = 3
        rows = []
        for r, (labels, values) in enumerate(zip(self.index, self.data, strict=True)):
            row = [Cell(self.label_text(v)) for v in labels]
            for c, value in enumerate(values):
                row += self._cell(r, c, value, decimals)
            if self.mode == "single":
                hidden = any(self.suppressed[r])
                count = rounded(self.counts[r][0] if self.counts[r] else None, self.round_base)
                row.append(Cell(SUPPRESSED if hidden else format_value(count, 0), numeric=True))
            rows.append(row)
        return rows

    def _cell(self, r: int, c: int, value: object, decimals: int) -> list[Cell]:
        hidden = self.suppressed[r][c]
        text = format_value(value, decimals)
        if c in self.p_values and isinstance(value, float) and 0 <= value < 0.001:
            text = "<0.001"
        cells = [Cell(SUPPRESSED if hidden else text, numeric=True)]
        if self.mode == "paired":
            count = rounded(self.counts[r][c], self.round_base)
            cells.append(Cell(SUPPRESSED if hidden else format_value(count, 0), numeric=True))
        return cells

    def notes(self) -> list[str]:
        notes = []
        if any(any(row) for row in self.suppressed):
            notes.append(f"{SUPPRESSED} Suppressed to protect confidentiality: the cell (and "
                         "its count) failed a disclosure rule, or would reveal one that did.")
        if any(value is None and not hidden
               for row, hidden_row in zip(self.data, self.suppressed, strict=True)
               for value, hidden in zip(row, hidden_row, strict=True)):
            notes.append(f"{MISSING} No value (no contributing records, or not defined).")
        if self.round_base:
            notes.append(f"Values and counts are rounded to the nearest {self.round_base}.")
        if self.weighted:
            notes.append("Statistics are weighted; counts are the unweighted numbers of "
                         "records.")
        return notes


def is_weighted(record: Mapping) -> bool:
    """Whether the statistics were computed with survey weights."""
    summary = record.get("summary") or {}
    source = record.get("source") or {}
    return bool(record.get("weighted") or summary.get("weighted") or summary.get("weights")
                or "weights=" in str(source.get("code") or ""))


def suppressed_mask(record: Mapping, n_rows: int, n_cols: int) -> list[list[bool]]:
    """Which cells are hidden: flagged or blank cells of a suppressed record."""
    mitigation = record.get("mitigation") or {}
    mask = [[False] * n_cols for _ in range(n_rows)]
    if not mitigation.get("suppressed"):
        return mask
    data = record["table"].get("data") or []
    for flags in (record.get("flags") or {}).values():
        for r, row in enumerate(flags or []):
            for c, flagged in enumerate(row):
                if flagged and r < n_rows and c < n_cols:
                    mask[r][c] = True
    for r, row in enumerate(data):  # a suppressed record's blank cell is a suppressed cell
        for c, value in enumerate(row):
            mask[r][c] = mask[r][c] or value is None
    return mask


def rounded(count: object, base: int | None) -> object:
    if not base or not isinstance(count, int | float) or isinstance(count, bool):
        return count
    return int(base) * round(float(count) / int(base))
