"""Hand-built record outputs and projects, as the kernel side saves them (docs/architecture.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
from record_kit import with_evidence

MIME_TYPE = "application/vnd.jupyter-sdc.output+json"

SDC_TOML = """\
[project]
id = "P-1234"
title = "Earnings and hours after the pandemic"
researchers = ["A. Researcher <a.researcher@example.ac.uk>"]
output_type = "Working paper"

[[datasets]]
name = "Synthetic Labour Survey"
citation = "jupyter_sdc developers (2026). Synthetic Labour Survey. DOI: 10.5255/UKDA-SN-0000-1"
source = "Synthetic data generated for the tests."
sample = "2,000 synthetic people."
methodology = "Cross-tabulations and means."

[rules]
profile = "acro-default"

[export]
sdc_folder = "SDC"
"""


def record(
    uid: str,
    status: str,
    label: str,
    title: str,
    *,
    data: list[list[Any]],
    counts: list[list[int]],
    threshold: list[list[bool]] | None = None,
    explanation: str | None = None,
    exception: str | None = None,
    include: bool = True,
    reasons: list[str] | None = None,
    statistic: str = "frequency",
) -> dict[str, Any]:
    """A record dict for a 2 x 2 table of region by sex."""
    threshold = threshold or [[False] * len(row) for row in data]
    failing = any(any(row) for row in threshold)
    return with_evidence({
        "schema_version": 1,
        "uid": uid,
        "kind": "table",
        "statistic": statistic,
        "status": status,
        "label": label,
        "title": title,
        "explanation": explanation,
        "exception": exception,
        "comments": [],
        "include": include,
        "rename": {"rgn": "Region"},
        "checks": {"threshold": "fail" if failing else "pass", "zeros": "pass"},
        "reasons": reasons or [],
        "table": {
            "index": [["North"], ["South"]],
            "index_names": ["rgn"],
            "columns": [["F"], ["M"]],
            "column_names": ["sex"],
            "data": data,
        },
        "counts": counts,
        "flags": {"threshold": threshold, "zeros": [[False] * len(row) for row in data]},
        "rules": {
            "threshold": 10,
            "nk_n": 2,
            "nk_k": 0.9,
            "p_percent": 0.1,
            "dof": 10,
            "zeros": True,
            "missing": False,
            "class_disclosure": True,
            "min_max": "fail",
            "round_base": 5,
            "unit": None,
            "profile": "acro-default",
        },
        "mitigation": {"suppressed": False, "round_base": None, "notes": []},
        "summary": {"n": sum(sum(row) for row in counts)},
        "figure": None,
        "source": {
            "call": "crosstab",
            "code": "sdc.crosstab(df.rgn, df.sex)",
            "cell_id": uid,
            "notebook": None,
        },
        "created": "2026-11-25T12:00:00+00:00",
        "tool": {"name": "jupyter_sdc", "version": "0.1.0"},
    })


PASSING = record(
    "t1",
    "pass",
    "Table 1",
    "People by region and sex",
    data=[[120, 131], [98, 110]],
    counts=[[120, 131], [98, 110]],
    explanation="Counts of survey respondents.",
)
REVIEW = record(
    "t2",
    "review",
    "Table 2",
    "Mean hours by region and sex",
    data=[[37.5, 39.0], [36.2, 38.1]],
    counts=[[120, 131], [98, 110]],
    statistic="mean",
    reasons=["Negative contributions make dominance undefined (negative)."],
    explanation="Hours include negative adjustments from the payroll survey.",
)
FAILING = record(
    "t3",
    "fail",
    "Table 3",
    "People with a second job by region and sex",
    data=[[12, 4], [15, 22]],
    counts=[[12, 4], [15, 22]],
    threshold=[[False, True], [False, False]],
    reasons=["1 cell has fewer than 10 contributing records (threshold)."],
)


def notebook(records: list[dict[str, Any]]) -> nbformat.NotebookNode:
    """A notebook whose saved outputs hold ``records`` (one code cell each), as after a run."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells.append(nbformat.v4.new_markdown_cell("# Checked outputs"))
    for number, item in enumerate(records, start=1):
        cell = nbformat.v4.new_code_cell(f"sdc.crosstab(df.rgn, df.sex)  # {item['label']}")
        cell.execution_count = number
        badge = f"<b>{item['status'].upper()}</b> {item['label']}"
        cell.outputs.append(
            nbformat.v4.new_output(
                "display_data", data={MIME_TYPE: item, "text/html": badge, "text/plain": badge}
            )
        )
        nb.cells.append(cell)
    return nb


def write_project(
    folder: Path,
    records: list[dict[str, Any]],
    name: str = "analysis.ipynb",
    *,
    config: bool = True,
) -> Path:
    """A project folder with ``sdc.toml`` (when ``config``) and one notebook; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    if config:
        (folder / "sdc.toml").write_text(SDC_TOML, encoding="utf-8")
    path = folder / name
    nbformat.write(notebook(records), path)
    return path


def with_exception(item: dict[str, Any], reason: str) -> dict[str, Any]:
    """``item`` with an exception requested (and the explanation every released output needs)."""
    explanation = item.get("explanation") or "People with a second job, by region and sex."
    return json.loads(json.dumps({**item, "exception": reason, "explanation": explanation}))
