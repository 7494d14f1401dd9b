"""The record's table as static HTML: each value with its unweighted count, flagged cells marked.

Only inline styles and plain elements are used, so the same markup renders in classic Notebook,
JupyterLab, VS Code and nbconvert. Huge tables show their top-left corner only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.core.numbers import format_count, format_value
from jupyter_sdc.core.rule_table import MITIGATION_MARKS, rule_words
from jupyter_sdc.views.look import (
    CELL_FAIL,
    CELL_REVIEW,
    CELL_SECONDARY,
    LINE,
    MUTED,
    TEXT,
    display_name,
)

_TH = (
    f"padding:2px 8px;border:1px solid {LINE};background:#f6f8fa;color:{TEXT};"
    "font-weight:600;text-align:left;white-space:nowrap;"
)
_TD = f"padding:2px 8px;border:1px solid {LINE};color:{TEXT};text-align:right;white-space:nowrap;"
_N = f"color:{MUTED};font-size:11px;margin-left:4px;"
_GAP = f"padding:2px 8px;border:1px solid {LINE};color:{MUTED};text-align:center;"
_MAX_COLUMNS = 20


@dataclass(frozen=True)
class TableView:
    """The rendered table and what the badge should say about it."""

    html: str
    rows: int
    columns: int
    rows_shown: int
    columns_shown: int
    failing_cells: int
    review_cells: int
    problems: tuple[str, ...]

    @property
    def hidden_cells(self) -> int:
        return self.rows * self.columns - self.rows_shown * self.columns_shown


def _shape(data: Sequence[Sequence[Any]]) -> tuple[int, int]:
    rows = len(data)
    return rows, (len(data[0]) if rows else 0)


def _grid_ok(grid: Any, shape: tuple[int, int]) -> bool:
    """True when ``grid`` is a list of rows with exactly the table's shape."""
    if not isinstance(grid, Sequence) or len(grid) != shape[0]:
        return False
    return all(isinstance(row, Sequence) and len(row) == shape[1] for row in grid)


def _cell_marks(
    flags: Mapping[str, Any], checks: Mapping[str, Any], shape: tuple[int, int]
) -> tuple[dict[str, Any], list[str], np.ndarray, np.ndarray]:
    """Usable flag grids, the rules whose grids are malformed, and fail / review cell masks."""
    usable: dict[str, Any] = {}
    malformed: list[str] = []
    failing = np.zeros(shape, dtype=bool)
    review = np.zeros(shape, dtype=bool)
    for rule, grid in flags.items():
        if not _grid_ok(grid, shape):
            malformed.append(rule)
            continue
        usable[rule] = grid
        if rule in MITIGATION_MARKS or shape[0] * shape[1] == 0:
            continue
        # None (unknown) counts as flagged: fail closed.
        mask = np.array([[v is None or bool(v) for v in row] for row in grid], dtype=bool)
        if str(checks.get(rule, "fail")) == "fail":
            failing |= mask
        else:
            review |= mask
    return usable, malformed, failing, review & ~failing


def _spans(columns: Sequence[Sequence[Any]], level: int, last: bool) -> list[tuple[Any, int]]:
    """Labels of one header level, with repeats of an outer level merged (as pandas shows)."""
    spans: list[tuple[Any, int]] = []
    previous: tuple[Any, ...] | None = None
    for col in columns:
        label = col[level] if level < len(col) else ""
        prefix = tuple(col[: level + 1])
        if not last and spans and prefix == previous:
            spans[-1] = (spans[-1][0], spans[-1][1] + 1)
        else:
            spans.append((label, 1))
        previous = prefix
    return spans


def _sparse(labels: list[Any], previous: list[Any] | None) -> list[Any]:
    """Blank outer index labels that repeat the row above, so groups read at a glance."""
    if previous is None:
        return labels
    shown = list(labels)
    for level in range(len(labels) - 1):
        if labels[: level + 1] != previous[: level + 1]:
            break
        shown[level] = ""
    return shown


def _header_rows(
    columns: Sequence[Sequence[Any]],
    column_names: Sequence[Any],
    index_names: Sequence[Any],
    index_levels: int,
    shown: int,
    more_columns: bool,
    rename: Mapping[str, Any],
) -> list[str]:
    levels = max((len(c) for c in columns[:shown]), default=1) or 1
    rows = []
    for level in range(levels):
        corner = [f'<th style="{_TH}"></th>'] * max(index_levels - 1, 0)
        name = column_names[level] if level < len(column_names) else None
        corner.append(
            f'<th style="{_TH}font-style:italic;color:{MUTED};">'
            f"{escape(display_name(name, rename))}</th>"
        )
        cells = []
        for label, span in _spans(columns[:shown], level, last=level == levels - 1):
            colspan = f' colspan="{span}"' if span > 1 else ""
            cells.append(f'<th{colspan} style="{_TH}">{escape(display_name(label, rename))}</th>')
        if more_columns:
            cells.append(f'<th style="{_TH}color:{MUTED};">\u2026</th>')
        rows.append("<tr>" + "".join(corner + cells) + "</tr>")
    if any(n is not None and str(n) != "" for n in index_names):
        names = [f'<th style="{_TH}">{escape(display_name(n, rename))}</th>' for n in index_names]
        blanks = [f'<th style="{_TH}"></th>'] * (shown + int(more_columns))
        rows.append("<tr>" + "".join(names + blanks) + "</tr>")
    return rows


def _cell(
    value: Any,
    count: Any,
    rules_here: list[str],
    failing: bool,
    review: bool,
    show_count: bool,
    rule_values: Mapping[str, Any] | None,
) -> str:
    style = _TD
    title = ""
    if rules_here:
        if failing:
            background, border = CELL_FAIL
        elif review:
            background, border = CELL_REVIEW
        else:
            background, border = CELL_SECONDARY
        # A border, not an outline or shadow: JupyterLab's HTML sanitizer keeps borders.
        style += f"background:{background};border:2px solid {border};"
        words = "; ".join(rule_words(rule, rule_values) for rule in rules_here)
        title = f' title="{escape(words, quote=True)}"'
    text = escape(format_value(value))
    if show_count:
        text += f'<span style="{_N}">(n={escape(format_count(count))})</span>'
    return f'<td style="{style}"{title}>{text}</td>'


@dataclass(frozen=True)
class Whole:
    """Facts about the whole table when the record holds only its shown corner."""

    shape: tuple[int, int]
    failing_cells: int
    review_cells: int


def corner_size(shape: tuple[int, int], max_cells: int) -> tuple[int, int]:
    """Rows and columns shown: at most ``_MAX_COLUMNS`` columns and ``max_cells`` cells."""
    max_cells = max(int(max_cells), 1)
    columns = min(shape[1], _MAX_COLUMNS, max_cells)
    return min(shape[0], max(max_cells // max(columns, 1), 1)), columns


def corner_of(output: Any, max_cells: int) -> tuple[dict[str, Any], Whole]:
    """The record of an ``Output`` cut to its shown corner, and the whole table's totals.

    Serialising a million-cell record takes seconds; the badge needs only the corner.
    """
    rows, columns = output.table.shape
    r, c = corner_size((rows, columns), max_cells)
    failing = np.zeros((rows, columns), dtype=bool)
    review = np.zeros((rows, columns), dtype=bool)
    for rule, frame in output.flags.items():
        if rule in MITIGATION_MARKS or frame.shape != (rows, columns):
            continue
        mask = frame.to_numpy(dtype=bool, na_value=True)  # unknown counts as flagged
        if str(output.checks.get(rule, "fail")) == "fail":
            failing |= mask
        else:
            review |= mask
    counts = output.counts
    cut = dataclasses.replace(
        output,
        table=output.table.iloc[:r, :c],
        counts=counts.iloc[:r, :c] if isinstance(counts, pd.DataFrame) else counts,
        flags={rule: frame.iloc[:r, :c] for rule, frame in output.flags.items()},
    )
    whole = Whole((rows, columns), int(failing.sum()), int((review & ~failing).sum()))
    return cut.to_dict(), whole


def render_table(
    record: Mapping[str, Any], *, max_cells: int = 400, whole: Whole | None = None
) -> TableView | None:
    """Render ``record["table"]`` with counts and flags; ``None`` when the record has no table.

    With ``whole``, the record holds only the corner to show (see ``corner_of``).
    """
    table = record.get("table")
    if not isinstance(table, Mapping) or not isinstance(table.get("data"), Sequence):
        return None
    data = table["data"]
    shape = _shape(data)
    problems: list[str] = []
    if not _grid_ok(data, shape):
        return TableView("", shape[0], shape[1], 0, 0, 0, 0, ("the table's rows differ in length",))
    rename = record.get("rename") or {}
    counts = record.get("counts")
    if counts is not None and not _grid_ok(counts, shape):
        problems.append("the counts do not have the table's shape, so they are not shown")
        counts = None
    if counts is None:
        problems.append("no unweighted counts are attached to this table")
    flags, malformed, failing, review = _cell_marks(
        record.get("flags") or {}, record.get("checks") or {}, shape
    )
    if malformed:
        problems.append("flags of " + ", ".join(sorted(malformed)) + " do not fit the table")

    full = whole.shape if whole is not None else shape
    rows_shown, columns_shown = corner_size(full, max_cells)
    if rows_shown > shape[0] or columns_shown > shape[1]:
        raise ValueError(f"the record holds {shape} cells, fewer than the corner to show")
    index = table.get("index") or [[i] for i in range(shape[0])]
    columns = table.get("columns") or [[j] for j in range(shape[1])]
    index_levels = max((len(r) for r in index[:rows_shown]), default=1) or 1

    lines = [
        # line-height is set because ipywidgets' HTML widget would give each row 28px.
        '<table style="border-collapse:collapse;margin:6px 0;font-size:12px;line-height:1.4;'
        f'color:{TEXT};background:#ffffff;">',
        "<thead>",
        *_header_rows(
            columns,
            table.get("column_names") or [],
            table.get("index_names") or [],
            index_levels,
            columns_shown,
            columns_shown < full[1],
            rename,
        ),
        "</thead><tbody>",
    ]
    lines += _body_rows(record, data, counts, flags, failing, review, index, index_levels,
                        (rows_shown, columns_shown), columns_shown < full[1])
    if rows_shown < full[0]:
        span = index_levels + columns_shown + int(columns_shown < full[1])
        lines.append(f'<tr><td colspan="{span}" style="{_GAP}">\u22ee</td></tr>')
    lines.append("</tbody></table>")
    return TableView(
        html="".join(lines),
        rows=full[0],
        columns=full[1],
        rows_shown=rows_shown,
        columns_shown=columns_shown,
        failing_cells=whole.failing_cells if whole is not None else int(failing.sum()),
        review_cells=whole.review_cells if whole is not None else int(review.sum()),
        problems=tuple(problems),
    )


def _body_rows(record: Mapping[str, Any], data: Sequence[Sequence[Any]], counts: Any,
               flags: dict[str, Any], failing: np.ndarray, review: np.ndarray,
               index: Sequence[Sequence[Any]], index_levels: int, shown: tuple[int, int],
               cut_columns: bool) -> list[str]:
    """The ``<tr>`` of each row shown: labels (sparse, as pandas prints them), then cells."""
    rename = record.get("rename") or {}
    rule_values = record.get("rules") or {}
    # A frequency table's value is its count: repeating it adds noise, unless they differ
    # (rounding or suppression changed the value).
    frequency = record.get("statistic") == "frequency"
    lines = []
    previous: list[Any] | None = None
    for i in range(shown[0]):
        labels = list(index[i]) if i < len(index) else [i]
        labels += [""] * (index_levels - len(labels))
        sparse = _sparse(labels, previous)
        previous = labels
        cells = [f'<th style="{_TH}">{escape(display_name(v, rename))}</th>' for v in sparse]
        for j in range(shown[1]):
            value = data[i][j]
            count = counts[i][j] if counts is not None else None
            here = [rule for rule, grid in flags.items() if grid[i][j] is None or grid[i][j]]
            show_count = counts is not None and not (
                frequency and format_value(value) == format_count(count)
            )
            cells.append(
                _cell(value, count, here, failing[i, j], review[i, j], show_count, rule_values)
            )
        if cut_columns:
            cells.append(f'<td style="{_GAP}">\u2026</td>')
        lines.append("<tr>" + "".join(cells) + "</tr>")
    return lines
