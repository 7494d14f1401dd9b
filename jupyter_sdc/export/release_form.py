"""release_request.docx: the Output Release Form, prefilled from sdc.toml and the records."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from docx.document import Document as DocumentObject

from jupyter_sdc.export.document import included_records
from jupyter_sdc.export.numbering import assign_labels
from jupyter_sdc.export.table_layout import format_value, rounded, suppressed_mask
from jupyter_sdc.export.template import (
    Cell,
    add_heading,
    add_labelled,
    add_note,
    add_paragraph,
    add_table,
    clean_document,
)

_MARGINS = {"All", "Total", "all", "total"}
DECLARATIONS = (
    "I confirm that the outputs in this request contain no information that identifies, or "
    "could identify, a person, household or organisation, alone or combined with other "
    "published outputs.",
    "I have read the statistical disclosure control guidance of the data service and applied "
    "it to every output in this request.",
    "Every table, figure and model result in outputs.docx is numbered, titled and explained, "
    "and gives the unweighted counts behind each statistic.",
    "The request holds no data files, no statistical package files, and no code that contains "
    "data, file paths or server names.",
    "Where I ask for an exception to a rule, I have given my reason, and I accept that the "
    "output checkers may refuse it.",
)


def write_release_request_docx(records: list[dict], config: dict, path: Path, *,
                               exported_on: datetime.date,
                               left_out: Sequence[tuple[str, str]] = ()) -> None:
    """Write the prefilled release form; ``left_out`` lists (output, reason) not requested."""
    if not isinstance(exported_on, datetime.date):
        raise TypeError("exported_on must be a datetime.date (the day of the request)")
    if not isinstance(config, Mapping):
        raise TypeError("config must be the parsed sdc.toml as a dict, "
                        f"not {type(config).__name__}")
    included = included_records(records)
    labels = assign_labels(included)
    project = config.get("project") or {}
    researchers = project.get("researchers") or []
    if isinstance(researchers, str):
        researchers = [researchers]
    doc = clean_document()
    add_heading(doc, "Output release request", 0)
    add_paragraph(doc, "This form asks the output checkers to release the outputs in "
                      "outputs.docx, saved in the same request folder.")
    _details(doc, project, researchers, exported_on, included)
    _datasets(doc, config)
    _outputs(doc, included, labels)
    _exceptions(doc, included, labels)
    _left_out(doc, left_out)
    add_heading(doc, "Declarations", 1)
    add_paragraph(doc, "Tick each statement, then sign and date the form.")
    for statement in DECLARATIONS:
        add_paragraph(doc, f"☐  {statement}")
    add_table(doc, [[Cell("Name", bold=True), Cell("")], [Cell("Signature", bold=True), Cell("")],
                    [Cell("Date", bold=True), Cell("")]], header_rows=0,
              alt_text="Signature", widths=[2000, 5000], font_half_points=22, row_height=560)
    add_note(doc, "Prefilled by jupyter_sdc from sdc.toml and the checks recorded in the "
                  "notebooks; the researcher remains responsible for the request.")
    doc.save(str(path))


def _details(doc: DocumentObject, project: Mapping, researchers: Sequence[object],
             exported_on: datetime.date, included: list[dict]) -> None:
    details = [
        ("Project", str(project.get("id") or "not given")),
        ("Project title", str(project.get("title") or "not given")),
        ("Researchers", "; ".join(str(r) for r in researchers) or "not given"),
        ("Date of request", exported_on.isoformat()),
        ("Output type", str(project.get("output_type") or "not given")),
        ("Outputs requested", str(len(included))),
        ("Exceptions requested", str(sum(1 for r in included if r.get("exception")))),
    ]
    add_table(doc, [[Cell(k, bold=True), Cell(v)] for k, v in details], header_rows=0,
              alt_text="Request details", widths=[2600, 6800], font_half_points=20)


def _datasets(doc: DocumentObject, config: Mapping) -> None:
    add_heading(doc, "Data used", 1)
    for dataset in config.get("datasets") or []:
        add_labelled(doc, f"{dataset.get('name') or 'Unnamed dataset'}.",
                     f"Citation: {dataset.get('citation') or 'not given'}", "ListBullet")


def _outputs(doc: DocumentObject, included: list[dict], labels: list[str]) -> None:
    add_heading(doc, "Outputs requested for release", 1)
    rows = [[Cell(h, bold=True, numeric=h.startswith(("N", "Smallest")))
             for h in ("Output", "Title and description", "N (unweighted)",
                       "Smallest cell count", "Status")]]
    for record, label in zip(included, labels, strict=True):
        description = str(record.get("title") or "untitled")
        if record.get("explanation"):
            description += f". {record['explanation']}"
        base = (record.get("mitigation") or {}).get("round_base")  # rounded, as the table
        total, smallest = (rounded(n, base) for n in output_size(record))
        rows.append([Cell(label, bold=True), Cell(description),
                     Cell(format_value(total, 0), numeric=True),
                     Cell(format_value(smallest, 0), numeric=True),
                     Cell(_status_text(record))])
    if len(rows) == 1:
        rows.append([Cell("none"), Cell("No output is requested."), Cell(""), Cell(""), Cell("")])
    add_table(doc, rows, alt_text="Outputs requested", widths=[1100, 4200, 1500, 1300, 1300],
              font_half_points=18)


def _exceptions(doc: DocumentObject, included: list[dict], labels: list[str]) -> None:
    add_heading(doc, "Exceptions requested", 1)
    exceptions = [(label, r) for r, label in zip(included, labels, strict=True)
                  if r.get("exception")]
    if not exceptions:
        add_paragraph(doc, "None: no output asks for an exception to a rule.")
    for label, record in exceptions:
        failed = [rule for rule, result in (record.get("checks") or {}).items() if result != "pass"]
        add_labelled(doc, f"{label}, rules {', '.join(failed) or 'none failed'}.",
                     f"Reason: {record['exception']}", "ListBullet")


def _left_out(doc: DocumentObject, left_out: Sequence[tuple[str, str]]) -> None:
    add_heading(doc, "Outputs left out of this request", 1)
    if not left_out:
        add_paragraph(doc, "None: every output checked in the notebooks is requested.")
    for name, reason in left_out:
        add_labelled(doc, f"{name}:", reason, "ListBullet")


def output_size(record: Mapping) -> tuple[object, object]:
    """(N behind the output, smallest cell count), suppressed cells left out of both.

    N is the summary's ``n``/``nobs`` when given; else the inner cells' counts added up
    (margins would count each record twice; a row whose counts repeat across its columns,
    as model parameters do, counts once). Array arithmetic, for tables of 10^6 cells.
    """
    summary = record.get("summary") or {}
    counts = _numbers(record.get("counts") or [])
    n_rows, n_cols = counts.shape
    table = record.get("table") or {}
    shown = ~np.array(suppressed_mask(record, n_rows, n_cols), dtype=bool).reshape(counts.shape)
    shown &= ~np.isnan(counts)
    index = table.get("index") or [[]] * n_rows
    columns = table.get("columns") or [[]] * n_cols
    margin_rows = np.array([r < len(index) and _is_margin(index[r]) for r in range(n_rows)],
                           dtype=bool)
    margin_cols = np.array([c < len(columns) and _is_margin(columns[c])
                            for c in range(n_cols)], dtype=bool)
    inner = shown & ~margin_rows[:, None] & ~margin_cols[None, :]
    repeats = record.get("statistic") not in ("frequency", "histogram") and _rows_repeat(
        counts)
    inner_counts = np.where(inner, counts, 0.0)
    if repeats:  # each row counts once: its first shown inner cell
        first = np.argmax(inner, axis=1)
        total = float(np.where(inner.any(axis=1), inner_counts[np.arange(n_rows), first],
                               0.0).sum()) if n_rows else 0.0
    else:
        total = float(inner_counts.sum())
    smallest = _plain_number(counts[shown].min()) if shown.any() else None
    for key in ("n", "nobs"):
        if _is_number(summary.get(key)):
            return summary[key], smallest
    return (_plain_number(total) if shown.any() else None), smallest


def _numbers(grid: Sequence[Sequence[object]]) -> np.ndarray:
    """A grid as floats, NaN where a cell is not a number (booleans are not numbers)."""
    try:  # a rectangular grid of numbers and nulls (what an export checked): one C pass
        out = np.array(grid, dtype=float)
        if out.ndim == 2 and not any(isinstance(v, bool) for v in (grid[0] if grid else [])):
            return out
    except (TypeError, ValueError):
        pass
    rows = [row if isinstance(row, list) else [] for row in grid]
    width = max((len(row) for row in rows), default=0)
    out = np.full((len(rows), width), np.nan)
    for r, row in enumerate(rows):
        values = [float(v) if _is_number(v) else np.nan for v in row]
        out[r, :len(values)] = values
    return out


def _rows_repeat(counts: np.ndarray) -> bool:
    """Whether every row's counts are one value repeated (model parameters' N)."""
    if not counts.size:
        return True
    first = counts[:, :1]
    same = (counts == first) | (np.isnan(counts) & np.isnan(first))
    return bool(same.all())


def _is_margin(labels: object) -> bool:
    values = labels if isinstance(labels, list) else [labels]
    return any(str(v) in _MARGINS for v in values)


def _plain_number(value: float) -> object:
    return int(value) if float(value).is_integer() else float(value)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _status_text(record: Mapping) -> str:
    status = str(record.get("status") or "review")
    if status == "fail" and record.get("exception"):
        return "fail: exception requested"
    return status
