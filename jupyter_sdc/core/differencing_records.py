"""Differencing fingerprints saved in records, and differencing over saved records.

``to_json`` / ``from_json``: a ``Fingerprint`` as the JSON a record keeps (so an export from
the notebook file can compare outputs); ``check_records``: the differencing of a request's
records (several notebooks make one request), against earlier requests' fingerprints too.
The attacks themselves are in ``core.differencing``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from jupyter_sdc.core.differencing import (
    Fingerprint,
    reasons_by_output,
    replace_reasons,
    status_of,
)
from jupyter_sdc.core.frames import frame_from_json, frame_to_json


def to_json(fp: Fingerprint) -> dict:
    """The fingerprint as JSON, saved in the record so an export from the file can use it."""
    data = {"dataset_key": fp.dataset_key, "n_rows": int(fp.n_rows),
            "sketch": [format(int(h), "016x") for h in fp.sketch],
            "group_vars": list(fp.group_vars), "counts": frame_to_json(fp.counts),
            "band_edges": {k: list(v) for k, v in fp.band_edges.items()}}
    if not fp.rows_known:
        data["rows_known"] = False
    # bands stay bands (labels would come back as text): saved typed, matched by label
    for key, level in (("row_bands", fp.counts.index), ("column_bands", fp.counts.columns)):
        if len(level) and all(isinstance(x, pd.Interval) for x in level):
            data[key] = [[float(x.left), float(x.right), x.closed] for x in level]
    return data


def _typed(index: pd.Index, bands: list | None) -> pd.Index:
    if not bands or len(bands) != len(index):
        return index
    return pd.Index([pd.Interval(left, right, closed) for left, right, closed in bands],
                    name=index.name)


def from_json(data: dict, label: str | None = None) -> Fingerprint:
    counts = frame_from_json(data["counts"])
    counts.index = _typed(counts.index, data.get("row_bands"))
    counts.columns = _typed(counts.columns, data.get("column_bands"))
    sketch = np.array([int(h, 16) for h in data["sketch"]], dtype=np.uint64)
    return Fingerprint(data["dataset_key"], int(data["n_rows"]), sketch,
                       tuple(data["group_vars"]), counts, counts.to_numpy(dtype=float),
                       {k: tuple(v) for k, v in data.get("band_edges", {}).items()}, label,
                       bool(data.get("rows_known", True)))


def check_records(records: list[dict], stats: dict | None = None,
                  earlier: Sequence[tuple[str, Fingerprint]] = ()) -> list[dict]:
    """Differencing over record dicts (several notebooks make one request).

    ``earlier``: fingerprints of outputs already released from the same SDC folder (uid and
    fingerprint, labelled with their request), compared too, so a re-banded table cannot
    difference against last month's release. Returns copies of ``records`` whose
    ``checks["differencing"]``, ``reasons`` and ``status`` say what was found; records without
    a fingerprint are returned unchanged.
    """
    from jupyter_sdc.core.status import worst

    out = [dict(r) for r in records]
    usable = [r for r in out if r.get("fingerprint")]
    if not usable:
        return out
    threshold = max(int((r.get("rules") or {}).get("threshold", 10)) for r in usable)
    zeros = any((r.get("rules") or {}).get("zeros", True) for r in usable)
    verdict = "fail" if any((r.get("rules") or {}).get("differencing") == "fail"
                            for r in usable) else "review"
    items = [(r["uid"], from_json(r["fingerprint"], r.get("label") or f"output {r['uid']}"))
             for r in usable]
    found = reasons_by_output([*items, *earlier], threshold=threshold, zeros=zeros,
                              stats=stats)
    for record in usable:
        old = list(record.get("differencing", []))
        record["differencing"] = found[record["uid"]]
        record["reasons"] = replace_reasons(record.get("reasons", []), old,
                                            record["differencing"])
        checks = dict(record.get("checks", {}))
        checks["differencing"] = status_of(record["differencing"], verdict)
        record["checks"] = checks
        record["status"] = worst(checks.values()).value
    return out
