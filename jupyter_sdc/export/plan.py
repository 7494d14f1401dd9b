"""What an export would do with each record of a notebook, and why: the exporter's own decisions.

The JupyterLab sidebar asks for this (``POST /jupyter-sdc/plan``) instead of re-implementing
the exporter's rules, so what it promises is what ``jupyter sdc export`` does.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from jupyter_sdc.core.status import Status
from jupyter_sdc.export.notebook import check_record, found_records
from jupyter_sdc.export.numbering import number_outputs, ref
from jupyter_sdc.export.request import select_outputs

#: what the sidebar shows for each way an export treats an output
DISPOSITIONS = ("included", "exception", "needs-explanation", "left-out", "excluded")


def plan_notebook(notebook: Any, name: str = "notebook") -> dict[str, Any]:
    """Per record of ``notebook`` (nbformat JSON): cell, final label, status and disposition."""
    found = [(cell, r if isinstance(r, dict) else {}) for cell, r in found_records(notebook, name)]
    # a record the export cannot read is refused by it: shown as left out, with the reason
    unusable = {id(r): problems[0] for i, (_cell, r) in enumerate(found)
                if (problems := check_record(r, f"record {i + 1}"))}
    records = [r for _cell, r in found if id(r) not in unusable]
    # the labels the request will print: numbered once, as the export numbers them
    numbering = number_outputs(records)
    included, left_out, _problems, notes = select_outputs(records, numbering)
    why_out = dict(left_out) | numbering.clashing  # the export refuses both: say so on each
    kept = {r["uid"] for r in included} - set(why_out)
    outputs = []
    for (cell_index, cell_id), record in found:
        uid = record.get("uid")
        if id(record) in unusable:
            disposition, why = "left-out", f"Left out: {unusable[id(record)]}"
        else:
            disposition, why = _disposition(record, uid in kept, why_out.get(uid, ""), notes)
        reasons = record.get("reasons") or []
        outputs.append({
            "uid": uid, "cell_index": cell_index, "cell_id": cell_id,
            "label": numbering.labels.get(str(uid), record.get("label")),
            "title": record.get("title"),
            "status": _status(record).value,
            "reason": reasons[0] if reasons else _no_reason(record),
            "disposition": disposition, "why": why,
        })
    counts = Counter(item["status"] for item in outputs)
    return {"outputs": outputs, "counts": {s.value: counts.get(s.value, 0) for s in Status}}


def _status(record: dict) -> Status:
    try:
        return Status(record.get("status"))
    except ValueError:
        return Status.REVIEW  # unreadable: fail closed


def _no_reason(record: dict) -> str:
    return "All checks passed." if _status(record) == Status.PASS else "No reason given."


def _disposition(record: dict, kept: bool, why_out: str,
                 notes: list[str]) -> tuple[str, str]:
    if record.get("include", True) is False:
        return "excluded", "Excluded: marked not to include."
    if not kept:
        if "explain" in why_out.lower() or "no title" in why_out.lower():
            return "needs-explanation", f"Left out until fixed: {why_out}"
        return "left-out", f"Left out: {why_out}"
    prefix = f"{ref(record.get('uid'))}: "
    warnings = [n.removeprefix(prefix) for n in notes if n.startswith(prefix)]
    tail = f" ({' '.join(warnings)})" if warnings else ""
    if _status(record) == Status.FAIL:
        return "exception", f"Included as an exception request.{tail}"
    return "included", f"Included.{tail}"
