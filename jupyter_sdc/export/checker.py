"""What the output checkers get beside a request, never inside it: ``SDC/<request>.checker/``.

``checker_summary.json`` / ``.csv`` (outputs × variables, populations, statuses, exceptions;
marked DO NOT RELEASE) and ``fingerprints.json`` (what differencing needs, so a later request
from the same SDC folder is compared with this one). Published in the same staged step as the
request folder.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jupyter_sdc.core.differencing import Fingerprint
from jupyter_sdc.core.differencing_records import from_json

CHECKER_SUFFIX = ".checker"
SUMMARY_JSON = "checker_summary.json"
SUMMARY_CSV = "checker_summary.csv"
FINGERPRINTS = "fingerprints.json"
DO_NOT_RELEASE = ("DO NOT RELEASE: for the output checkers only. It describes the request "
                  "beside it; it is not part of it.")


def checker_summary(records: Sequence[dict], left_out: Sequence[tuple[str, str]] = (),
                    ) -> dict[str, Any]:
    """One row per output: label, title, status, each check, variables, population, exception;
    and the outputs left out, with why. (The request is the folder's name without
    ``.checker``: a request's final name is chosen when it is published.)"""
    rows = []
    for record in records:
        table = record.get("table") or {}
        variables = [str(n) for n in (table.get("index_names") or []) + (
            table.get("column_names") or []) if n is not None]
        summary = record.get("summary") or {}
        rows.append({
            "uid": record.get("uid"), "label": record.get("label"),
            "title": record.get("title"), "kind": record.get("kind"),
            "statistic": record.get("statistic"), "status": record.get("status"),
            "checks": dict(record.get("checks") or {}), "variables": variables,
            "population": summary.get("n", summary.get("nobs")),
            "unit": (record.get("rules") or {}).get("unit") or "records",
            "dataset": record.get("dataset"), "exception": record.get("exception") or "",
            "notebook": (record.get("source") or {}).get("notebook"),
        })
    return {"notice": DO_NOT_RELEASE, "outputs": rows,
            "left_out": [{"output": name, "reason": why} for name, why in left_out]}


def summary_csv(summary: dict[str, Any]) -> str:
    """The summary as CSV for a spreadsheet: the notice first, then one row per output."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([summary["notice"]])
    columns = ["label", "title", "kind", "statistic", "status", "checks", "variables",
               "population", "unit", "dataset", "exception", "notebook", "uid"]
    writer.writerow(columns)
    for row in summary["outputs"]:
        cells = dict(row, checks="; ".join(f"{k}: {v}" for k, v in row["checks"].items()),
                     variables=", ".join(row["variables"]))
        writer.writerow(["" if cells.get(c) is None else cells[c] for c in columns])
    return buffer.getvalue()


def fingerprints(records: Sequence[dict]) -> dict[str, Any]:
    """The differencing fingerprints of a request's outputs, for the requests after it."""
    return {"notice": DO_NOT_RELEASE,
            "outputs": [{"uid": r["uid"], "label": r.get("label"),
                         "fingerprint": r["fingerprint"]}
                        for r in records if r.get("fingerprint")]}


def write_checker_folder(folder: Path, records: Sequence[dict],
                         left_out: Sequence[tuple[str, str]] = ()) -> None:
    """Write the checkers' files into ``folder`` (staged, renamed with the request)."""
    folder.mkdir(parents=True, exist_ok=True)
    summary = checker_summary(records, left_out)
    (folder / SUMMARY_JSON).write_text(json.dumps(summary, indent=2, default=str), "utf-8")
    (folder / SUMMARY_CSV).write_text(summary_csv(summary), "utf-8")
    (folder / FINGERPRINTS).write_text(
        json.dumps(fingerprints(records), default=str), "utf-8")


def earlier_fingerprints(sdc_folder: Path) -> list[tuple[str, Fingerprint]]:
    """The fingerprints saved with earlier requests in ``sdc_folder``; unreadable ones skipped
    (an earlier request is never changed)."""
    found: list[tuple[str, Fingerprint]] = []
    for path in sorted(sdc_folder.glob(f"*{CHECKER_SUFFIX}/{FINGERPRINTS}")):
        try:
            data = json.loads(path.read_text("utf-8"))
            request = path.parent.name[: -len(CHECKER_SUFFIX)]
            for item in data.get("outputs") or []:
                name = f"{item.get('label') or item['uid']} of request {request}"
                found.append((f"{request}/{item['uid']}", from_json(item["fingerprint"], name)))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return found
