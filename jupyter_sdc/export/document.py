"""outputs.docx: the SDC-ready document a researcher saves into the project's SDC folder.

A cover (project, researchers, data source, sample, methodology, citation), then every output
numbered, titled and explained, each statistic with the unweighted count behind it, and a
checker summary of every rule result and exception. The layout follows the minimum
requirements of the UK Data Service and ONS output checking guidance (see DESIGN.md).
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.shared import Cm

from jupyter_sdc.export import results_json
from jupyter_sdc.export.count_text import released_reason
from jupyter_sdc.export.datasets import cited
from jupyter_sdc.export.figures import figure_jpeg
from jupyter_sdc.export.numbering import assign_labels
from jupyter_sdc.export.table_layout import (
    format_value,
    table_cells,
    table_rows,
    too_large_for_a_document,
)
from jupyter_sdc.export.template import (
    Cell,
    add_heading,
    add_labelled,
    add_note,
    add_paragraph,
    add_table,
    clean_document,
)

_FIGURE_WIDTH = Cm(15)


def write_outputs_docx(records: list[dict], config: dict, path: Path, *,
                       figures: dict[str, Path] | None = None,
                       exported_on: datetime.date | None = None) -> None:
    """Write outputs.docx for the included records (``include: false`` ones are left out)."""
    included = included_records(records)
    if not isinstance(config, Mapping):
        raise TypeError("config must be the parsed sdc.toml as a dict, "
                        f"not {type(config).__name__}")
    if figures is not None and not isinstance(figures, Mapping):
        raise TypeError("figures must map an output uid to its JPEG file")
    labels = assign_labels(included)  # the exporter's labels, kept: they are unique
    doc = clean_document()
    _cover(doc, config, len(included), exported_on or datetime.date.today())
    doc.add_page_break()
    add_heading(doc, "Outputs", 1)
    for record, label in zip(included, labels, strict=True):
        _output(doc, record, label, _source_note(config, record),
                (figures or {}).get(str(record.get("uid"))))
    _checker_summary(doc, included, labels)
    doc.save(str(path))


def included_records(records: Sequence[Mapping]) -> list[Mapping]:
    """The records that go into the request, in order; a clear error for anything else."""
    if not isinstance(records, Sequence) or isinstance(records, str | bytes):
        raise TypeError("records must be a list of record dicts (Output.to_dict())")
    for position, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise TypeError(f"records[{position}] is a {type(record).__name__}, not a record dict")
    return [record for record in records if record.get("include", True) is not False]


# --- cover --------------------------------------------------------------------------------
def _cover(doc: DocumentObject, config: Mapping, n_outputs: int, day: datetime.date) -> None:
    project = config.get("project") or {}
    add_heading(doc, "Outputs for release", 0)
    add_paragraph(doc, f"{project.get('id') or 'Project id not given'}: "
                      f"{project.get('title') or 'title not given'}")
    researchers = project.get("researchers") or []
    if isinstance(researchers, str):
        researchers = [researchers]
    rows = [
        ("Project", str(project.get("id") or "not given")),
        ("Project title", str(project.get("title") or "not given")),
        ("Researchers", "; ".join(str(r) for r in researchers) or "not given"),
        ("Output type", str(project.get("output_type") or "not given")),
        ("Date", day.isoformat()),
        ("Number of outputs", str(n_outputs)),
    ]
    add_table(doc, [[Cell(k, bold=True), Cell(v)] for k, v in rows], header_rows=0,
              alt_text="Request details", widths=[2600, 6800], font_half_points=20)
    add_heading(doc, "Data", 1)
    datasets = config.get("datasets") or []
    if not datasets:
        add_paragraph(doc, "No dataset is described in sdc.toml.")
    for dataset in datasets:
        add_heading(doc, str(dataset.get("name") or "Unnamed dataset"), 2)
        for key, heading in (("source", "Data source"), ("sample", "Sample"),
                             ("methodology", "Methodology"), ("citation", "Citation")):
            add_labelled(doc, f"{heading}:", dataset.get(key) or "not given")


def _source_note(config: Mapping, record: Mapping) -> str:
    """The output's own dataset (all of them when it names none)."""
    parts = []
    for dataset in cited(config.get("datasets") or [], record.get("dataset")):
        name, citation = dataset.get("name"), dataset.get("citation")
        parts.append(f"{name}. {citation}" if citation else str(name))
    return " ".join(parts) or "not given"


# --- one output ---------------------------------------------------------------------------
def _output(doc: DocumentObject, record: Mapping, label: str, source_note: str,
            figure_path: Path | None) -> None:
    rename = {str(k): str(v) for k, v in (record.get("rename") or {}).items()}
    title = str(record.get("title") or "").strip()
    add_heading(doc, f"{label}: {title}" if title else label, 2)
    explanation = str(record.get("explanation") or "").strip()
    if explanation:  # never invented: an output without one is caught by the inspector
        add_paragraph(doc, explanation)
    if record.get("kind") == "figure":
        image = Path(figure_path).read_bytes() if figure_path else figure_jpeg(record)
        if not image.startswith(b"\xff\xd8"):
            raise ValueError(f"figures[{record.get('uid')!r}] is not a JPEG file")
        shape = doc.add_picture(io.BytesIO(image), width=_FIGURE_WIDTH)
        shape._inline.docPr.set("descr", f"{label}: {title}")  # alt text for screen readers
        add_note(doc, f"Unweighted counts behind {label}:")
    notes: list[str] = []
    if record.get("table") and too_large_for_a_document(record):
        add_note(doc, _csv_only_note(record), label="Table:")
    elif record.get("table"):
        rows, header_rows, notes = table_rows(record, rename)
        add_table(doc, rows, header_rows=header_rows)
    summary = record.get("summary") or {}
    if record.get("kind") == "model" or "nobs" in summary:
        add_note(doc, _model_note(summary, rename), label="Model:")
    for note in notes + [str(n) for n in (record.get("mitigation") or {}).get("notes") or []]:
        add_note(doc, note, label="Note:")
    add_note(doc, source_note, label="Source:")


def _csv_only_note(record: Mapping) -> str:
    """Where a table too large for the document is: its CSV files in the request."""
    data = record["table"]["data"]
    name = results_json.safe_name(str(record.get("uid")))
    if results_json.published_counts(dict(record)) != data:
        files = (f"tables/{name}.csv, with its unweighted counts in "
                 f"tables/{name}.counts.csv")
    else:
        files = f"tables/{name}.csv (its values are the unweighted counts)"
    return (f"{len(data):,} rows by {len(data[0]):,} columns ({table_cells(record):,} cells): "
            f"too large to print in this document. The table is released as {files}, beside "
            f"this document, with its rule results in results.json.")


def _model_note(summary: Mapping, rename: Mapping[str, str]) -> str:
    parts = []
    if summary.get("model"):
        parts.append(f"{summary['model']}")
    if summary.get("dependent"):
        dependent = str(summary["dependent"])
        parts.append(f"dependent variable: {rename.get(dependent, dependent)}")
    if summary.get("nobs") is not None:
        parts.append(f"N = {format_value(summary['nobs'], 0)} observations (unweighted)")
    if summary.get("unit") and summary.get("n") is not None:
        parts.append(f"{format_value(summary['n'], 0)} distinct units ({summary['unit']})")
    if summary.get("df_resid") is not None:
        parts.append(f"residual degrees of freedom = {format_value(summary['df_resid'], 0)}")
    if summary.get("formula"):
        parts.append("specification: " + re.sub(
            r"[A-Za-z_]\w*", lambda m: rename.get(m.group(0), m.group(0)), summary["formula"]))
    return "; ".join(parts) + "." if parts else "N and residual degrees of freedom not recorded."


def _setting(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


# --- checker summary ----------------------------------------------------------------------
def _checker_summary(doc: DocumentObject, records: Sequence[Mapping], labels: list[str]) -> None:
    doc.add_page_break()
    add_heading(doc, "Checker summary", 1)
    add_paragraph(doc, "Every output in this document with the result of each disclosure rule "
                      "checked, the reasons the checks gave, and any exception requested.")
    rows = [[Cell(h, bold=True) for h in ("Output", "Status", "Rule results", "Reasons",
                                          "Exception requested")]]
    for record, label in zip(records, labels, strict=True):
        checks = record.get("checks") or {}
        reasons = [released_reason(r, record) for r in record.get("reasons") or []]
        reasons += [f"Comment: {c}" for c in record.get("comments") or []]
        rows.append([
            Cell(label, bold=True),
            Cell(str(record.get("status") or "review")),
            Cell("; ".join(f"{rule}: {result}" for rule, result in checks.items())
                 or "no rule checked"),
            Cell(" ".join(reasons) or "none"),
            Cell(str(record.get("exception") or "none")),
        ])
    add_table(doc, rows, alt_text="Checker summary", widths=[1100, 900, 2600, 3012, 1800],
              font_half_points=16)
    _rules_applied(doc, records, labels)
    exceptions = [(label, r) for r, label in zip(records, labels, strict=True)
                  if r.get("exception")]
    add_heading(doc, "Exceptions requested", 2)
    if not exceptions:
        add_paragraph(doc, "No exception is requested: every output passed its checks or was "
                          "reviewed.")
    for label, record in exceptions:
        failed = [rule for rule, result in (record.get("checks") or {}).items() if result != "pass"]
        add_labelled(doc, f"{label} ({', '.join(failed) or 'no failing rule'}):",
                     record["exception"], "ListBullet")


def _rules_applied(doc: DocumentObject, records: Sequence[Mapping], labels: list[str]) -> None:
    """The rules each output was judged under (unit included): one note per set of rules,
    naming the outputs it applies to."""
    groups: dict[str, list[str]] = {}
    for record, label in zip(records, labels, strict=True):
        rules = record.get("rules") or {}
        if not rules:
            continue
        values = ", ".join(f"{k} = {_setting(v)}" for k, v in rules.items() if k != "profile")
        groups.setdefault(f"{rules.get('profile') or 'custom'}: {values}.", []).append(label)
    for text, named in groups.items():
        add_note(doc, text, label=f"Rules applied to {', '.join(named)}:")
