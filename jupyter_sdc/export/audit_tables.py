"""The audit's table checks: suppressed cells, published counts and linked tables.

Each output's cells are read from every file that shows them: ``tables/<uid>.csv``, its
``.counts.csv``, its table in outputs.docx (under its label; a figure's counts table too),
results.json's ``outcome`` and the release form's row. A suppressed cell shows no number
anywhere; a published count is at least the threshold, or an allowed zero, or covered by an
exception, and under rounding a multiple of the base; no output publishes a count another
output of the request suppresses (linked tables).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from jupyter_sdc.export import results_json
from jupyter_sdc.export.audit_context import COUNT_STATISTICS, Context, OutputRules
from jupyter_sdc.export.request_names import OUTPUTS_DOCX, RELEASE_DOCX, finding
from jupyter_sdc.export.staged import DocumentTable, Staged

_DIGIT = re.compile(r"\d")
_COUNT_HEADER = re.compile(r"^(?:N\b.*|.*\bunweighted\b.*|smallest cell count)$", re.IGNORECASE)
_SHOWN_CELLS = 4  # cells named in one message; the rest are counted


@dataclass
class OutputView:
    """One output as written: its rules and the files that show its cells."""

    rules: OutputRules
    table_name: str | None
    table: list[list[str]] | None
    counts_name: str | None
    counts: list[list[str]] | None
    document: DocumentTable | None

    @property
    def shape(self) -> tuple[int, int]:
        rows = self.table or self.counts or [[]]
        return len(rows) - 1, max(len(rows[0]) - 1, 0)

    def label(self, r: int, c: int) -> str:
        rows = self.table or self.counts or []
        try:
            return f"{rows[r + 1][0]} × {rows[0][c + 1]}"
        except IndexError:
            return f"row {r + 1}, column {c + 1}"

    def key(self, r: int, c: int) -> tuple[str, str] | None:
        rows = self.table or self.counts or []
        try:
            return rows[r + 1][0], rows[0][c + 1]
        except IndexError:
            return None


def findings(staged: Staged, context: Context) -> list[dict[str, Any]]:
    views = output_views(staged, context)
    found: list[dict[str, Any]] = []
    for view in views:
        found += shape(view)
        found += hidden_cells(view)
        found += published_counts(view)
    found += outcomes(staged, context)
    found += release_form_counts(staged, context)
    found += linked_tables(views)
    return found


def output_views(staged: Staged, context: Context) -> list[OutputView]:
    documents: dict[str, DocumentTable] = {}
    for table in staged.tables(OUTPUTS_DOCX):
        if table.label:
            documents[table.label] = table  # the last table under a label is the output's
    views = []
    for uid, names in staged.listed.items():
        rules = context.outputs.get(uid)
        if rules is None:
            continue
        base = f"tables/{results_json.safe_name(uid)}"
        table_name = f"{base}.csv" if f"{base}.csv" in names else None
        counts_name = f"{base}.counts.csv" if f"{base}.counts.csv" in names else None
        if counts_name is None and rules.statistic in COUNT_STATISTICS:
            counts_name = table_name
        views.append(OutputView(
            rules, table_name, staged.csv(table_name) if table_name else None, counts_name,
            staged.csv(counts_name) if counts_name else None, documents.get(rules.label)))
    return views


# -- suppressed cells ------------------------------------------------------------------------
def shape(view: OutputView) -> list[dict[str, Any]]:
    """The files of one output agree on its shape (else its cells cannot be checked)."""
    found = []
    if view.table and view.counts and [len(view.table), len(view.table[0])] != [
            len(view.counts), len(view.counts[0])]:
        found.append(finding("audit-shape", f"{view.rules.name}: its counts file does not have "
                             "the shape of its table; export again.", view.counts_name or ""))
    if view.document is not None and min(view.shape) > 0 and document_cells(view)[0] is None:
        found.append(finding("audit-shape", f"{view.rules.name}: its table in the document "
                             "does not have the shape of its table file, so its cells cannot "
                             "be checked; export again.",
                             f"{OUTPUTS_DOCX}: {view.rules.label}"))
    return found


def hidden_cells(view: OutputView) -> list[dict[str, Any]]:
    """Every suppressed cell is blank (no number) in every file that shows it."""
    hidden = sorted(view.rules.hidden)
    if not hidden:
        return []
    found = []
    files = {view.table_name: view.table, view.counts_name: view.counts}
    for name, rows in files.items():
        if name and rows is not None:
            shown = [cell for cell in hidden if _has_number(_csv_cell(rows, *cell))]
            found += _shown(view, shown, name, "shows a number in a suppressed cell")
    values, counts = document_cells(view)
    if values is not None:
        shown = [cell for cell in hidden
                 if _has_number(values.get(cell)) or _has_number(counts.get(cell))]
        found += _shown(view, shown, f"{OUTPUTS_DOCX}: {view.rules.label}",
                        "shows a number in a suppressed cell")
    return found


def outcomes(staged: Staged, context: Context) -> list[dict[str, Any]]:
    """results.json's ``outcome`` names checks per cell, never a value."""
    found = []
    for uid, entry in ((staged.results or {}).get("results") or {}).items():
        outcome = entry.get("outcome") if isinstance(entry, dict) else None
        if not isinstance(outcome, dict):
            continue
        values = [v for column in outcome.values() if isinstance(column, dict)
                  for v in column.values()]
        if any(not isinstance(v, str) or _has_number(v) for v in values):
            owner = context.outputs.get(str(uid))
            found.append(finding("audit-outcome-value", f"The outcome of "
                                 f"{owner.name if owner else uid} holds a number; it may only "
                                 "name the checks each cell failed. Export again.",
                                 results_json.RESULTS_NAME))
    return found


# -- published counts ------------------------------------------------------------------------
def published_counts(view: OutputView) -> list[dict[str, Any]]:
    """Every count an output publishes is allowed by its rules."""
    found = []
    if view.counts_name and view.counts is not None:
        cells = {(r, c): view.counts[r + 1][c + 1] for r in range(len(view.counts) - 1)
                 for c in range(len(view.counts[r + 1]) - 1)}
        found += _count_findings(view, cells, view.counts_name)
    _, counts = document_cells(view)
    if counts:
        found += _count_findings(view, counts, f"{OUTPUTS_DOCX}: {view.rules.label}")
    return found


def _count_findings(view: OutputView, cells: dict[tuple[int, int], str],
                    where: str) -> list[dict[str, Any]]:
    rules = view.rules
    small, unrounded = [], []
    for cell, text in sorted(cells.items()):
        if cell in rules.hidden:
            continue  # a number there is reported as a suppressed cell shown
        value = parse_count(text)
        if value is None:
            continue
        if not count_allowed(value, rules, cell):
            small.append(cell)
        elif rules.round_base and value % rules.round_base:
            unrounded.append(cell)
    found = _shown(view, small, where, f"publishes a count below the threshold "
                   f"({rules.threshold}) that no exception covers", advice=(
                       "Suppress it (suppress=True), or request an exception with a reason."),
                   code="audit-small-count")
    found += _shown(view, unrounded, where, f"publishes a count that is not rounded to the "
                    f"base {rules.round_base}", advice="Export again with rounding applied.",
                    code="audit-unrounded-count")
    return found


def count_allowed(value: float, rules: OutputRules, cell: tuple[int, int] | None) -> bool:
    """A count may be published: at least the threshold, an allowed or declared zero, or a
    flagged cell of an output with an exception."""
    if value >= rules.threshold:
        return True
    if value == 0 and (not rules.zeros or (cell in rules.structural if cell is not None
                                            else bool(rules.structural))):
        return True  # a count with no cell (the release form's smallest): any declared zero
    return rules.exception and (cell in rules.flagged if cell is not None else True)


def release_form_counts(staged: Staged, context: Context) -> list[dict[str, Any]]:
    """The release form's count columns (N, smallest cell count) follow each output's rules."""
    by_label = {o.label: o for o in context.outputs.values() if o.label}
    found = []
    for table in staged.tables(RELEASE_DOCX):
        header = table.rows[0] if table.rows else []
        columns = [j for j, text in enumerate(header) if _COUNT_HEADER.match(text.strip())]
        for row in table.rows[1:]:
            rules = by_label.get(row[0]) if row else None
            if rules is None:
                continue
            for j in columns:
                value = parse_count(row[j]) if j < len(row) else None
                if value is None:
                    continue
                where = f"{RELEASE_DOCX}: {rules.label}"
                if not count_allowed(value, rules, None):
                    found.append(finding(
                        "audit-small-count", f"{rules.name}: its {header[j]!r} is below the "
                        f"threshold ({rules.threshold}) and no exception covers it. Mitigate "
                        "the output (suppress=True), or request an exception.", where))
                elif rules.round_base and value % rules.round_base:
                    found.append(finding(
                        "audit-unrounded-count", f"{rules.name}: its {header[j]!r} is not "
                        f"rounded to the base {rules.round_base}, as its table is. Export "
                        "again.", where))
    return found


# -- linked tables ---------------------------------------------------------------------------
def linked_tables(views: list[OutputView]) -> list[dict[str, Any]]:
    """A cell one output suppresses for its count is not published by another output over the
    same variables and labels (and the same population: their shared published counts agree)."""
    grids = [published(view) for view in views]
    holders: dict[tuple[str, str], set[int]] = {}
    for b, grid in enumerate(grids):
        for key in grid:
            holders.setdefault(key, set()).add(b)
    found = []
    for a, view in enumerate(views):
        given: dict[tuple[int, bool], list[tuple[int, int]]] = {}
        for cell in sorted(view.rules.protected):
            labels = view.key(*cell)
            if labels is None:
                continue
            for swapped, probe in ((False, labels), (True, (labels[1], labels[0]))):
                for b in holders.get(probe, ()):
                    if b != a:
                        given.setdefault((b, swapped), []).append(cell)
        for (b, swapped), cells in sorted(given.items()):
            if _same_population(view, grids[a], views[b], grids[b], swapped):
                found.append(_linked(view, views[b], cells))
    return found


def published(view: OutputView) -> dict[tuple[str, str], float]:
    """An output's published counts by (row label, column label)."""
    rows = view.counts
    if not rows:
        return {}
    grid = {}
    for row in rows[1:]:
        for c, text in enumerate(row[1:]):
            value = parse_count(text)
            if value is not None and c + 1 < len(rows[0]):
                grid[(row[0], rows[0][c + 1])] = value
    return grid


def _same_population(a: OutputView, grid_a: dict, b: OutputView, grid_b: dict,
                     swapped: bool) -> bool:
    if not swapped:
        corner_a, corner_b = _corner(a), _corner(b)
        if corner_a and corner_b and corner_a != corner_b:
            return False
    shared = [(key, value) for key, value in grid_a.items()
              if (key[::-1] if swapped else key) in grid_b]
    return all(grid_b[key[::-1] if swapped else key] == value for key, value in shared)


def _corner(view: OutputView) -> str:
    rows = view.table or view.counts or [[""]]
    return rows[0][0] if rows and rows[0] else ""


def _linked(a: OutputView, b: OutputView, cells: list[tuple[int, int]]) -> dict[str, Any]:
    names = ", ".join(a.label(*cell) for cell in cells[:_SHOWN_CELLS])
    more = f" and {len(cells) - _SHOWN_CELLS} more" if len(cells) > _SHOWN_CELLS else ""
    return finding(
        "audit-linked-table",
        f"{b.rules.name} gives back cells that {a.rules.name} suppresses: it publishes the "
        f"counts of {names}{more}. Suppress the same cells in {b.rules.label or 'it'}, or "
        f"leave it out (include = false).", b.counts_name or b.table_name or "")


# -- the document's table ------------------------------------------------------------------
def document_cells(view: OutputView) -> tuple[dict | None, dict]:
    """The output's table in outputs.docx as {(row, col): value text} and {(row, col): count
    text}; (None, {}) when there is none, or it cannot be laid over the output's cells."""
    table, (n_rows, n_cols) = view.document, view.shape
    if table is None or n_rows <= 0 or n_cols <= 0 or len(table.rows) < n_rows:
        return None, {}
    body = table.rows[-n_rows:]
    levels = _levels(view, body, n_cols)
    if levels is None:
        return None, {}
    values: dict[tuple[int, int], str] = {}
    counts: dict[tuple[int, int], str] = {}
    for r, row in enumerate(body):
        data = row[levels:]
        for c in range(n_cols):
            if len(data) == 2 * n_cols:         # each value with its N beside it
                values[(r, c)], counts[(r, c)] = data[2 * c], data[2 * c + 1]
            elif len(data) == n_cols + 1:       # one N for the row
                values[(r, c)], counts[(r, c)] = data[c], data[-1]
            else:                               # the values are the counts, if any
                values[(r, c)] = data[c]
                if view.rules.statistic in COUNT_STATISTICS:
                    counts[(r, c)] = data[c]
    return values, counts


def _levels(view: OutputView, body: list[list[str]], n_cols: int) -> int | None:
    """How many label cells start each row: the record's index levels, else the first that
    fits every row (a folder on disk: the corner names the levels, when they have names)."""
    known = view.rules.index_levels
    guesses = [known] if known else [max(1, _corner(view).count(" / ") + 1), 1, 2, 3, 4]
    for levels in dict.fromkeys(guesses):
        widths = {len(row) - levels for row in body}
        if len(widths) == 1 and widths <= {n_cols, 2 * n_cols, n_cols + 1}:
            return levels
    return None


# -- small helpers ---------------------------------------------------------------------------
def parse_count(text: str | None) -> float | None:
    """A count as a file prints it ("1,473", "1473.0"); None for a blank or non-number."""
    if text is None:
        return None
    cleaned = text.strip().replace(",", "").replace("\u202f", "").replace(" ", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _has_number(text: str | None) -> bool:
    return text is not None and _DIGIT.search(text) is not None


def _csv_cell(rows: list[list[str]], r: int, c: int) -> str | None:
    try:
        return rows[r + 1][c + 1]
    except IndexError:
        return None


def _shown(view: OutputView, cells: list[tuple[int, int]], where: str, what: str,
           advice: str = "Export again; never edit a request by hand.",
           code: str = "audit-suppressed-shown") -> list[dict[str, Any]]:
    if not cells:
        return []
    names = "; ".join(view.label(*cell) for cell in cells[:_SHOWN_CELLS])
    more = f" and {len(cells) - _SHOWN_CELLS} more" if len(cells) > _SHOWN_CELLS else ""
    cell_word = "cell" if len(cells) == 1 else f"{len(cells)} cells"
    return [finding(code, f"{view.rules.name} {what}: {cell_word} ({names}{more}). {advice}",
                    where)]
