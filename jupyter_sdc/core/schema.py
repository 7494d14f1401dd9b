"""The record's JSON Schema (``output.schema.json``): the one description of its shape.

``problems(data)`` checks a record dict against it. The schema is checked on a copy whose
grids (table data, counts, flags) keep only their first rows, and the grids are then checked
for shape in one pass each: a 10^6-cell record is checked in milliseconds, not seconds.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema

SCHEMA_FILE = "output.schema.json"
_SAMPLE_ROWS = 2


@cache
def schema() -> dict[str, Any]:
    text = resources.files("jupyter_sdc.core").joinpath(SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)


@cache
def _validator() -> Any:
    compiled = dict(schema())
    compiled.pop("$id", None)  # a relative $id would send the compiler looking for it online
    return fastjsonschema.compile(compiled)


def _sampled(data: dict[str, Any]) -> dict[str, Any]:
    """The record with each grid cut to its first rows (the schema sees every field)."""
    out = dict(data)
    table = out.get("table")
    if isinstance(table, dict) and isinstance(table.get("data"), list):
        out["table"] = {**table, "data": table["data"][:_SAMPLE_ROWS],
                        "index": (table.get("index") or [])[:_SAMPLE_ROWS]
                        if isinstance(table.get("index"), list) else table.get("index")}
    if isinstance(out.get("counts"), list):
        out["counts"] = out["counts"][:_SAMPLE_ROWS]
    if isinstance(out.get("flags"), dict):
        out["flags"] = _cut(out["flags"])
    evidence = out.get("evidence")
    if isinstance(evidence, dict) and isinstance(evidence.get("grids"), dict):
        out["evidence"] = {**evidence, "grids": _cut(evidence["grids"])}
    return out


def _cut(grids: dict[str, Any]) -> dict[str, Any]:
    return {k: v[:_SAMPLE_ROWS] if isinstance(v, list) else v for k, v in grids.items()}


def problems(data: Any) -> list[str]:
    """What makes ``data`` not a valid record (empty when it is one), in plain words."""
    if not isinstance(data, dict):
        return ["the saved record is not a JSON object"]
    try:
        _validator()(_sampled(data))
    except fastjsonschema.JsonSchemaValueException as err:
        where = str(err.name).removeprefix("data.").removeprefix("data") or "the record"
        return [f"{where}: {err.message.removeprefix(str(err.name) + ' ')}"]
    return _shape_problems(data)


def _shape_problems(data: dict[str, Any]) -> list[str]:
    table = data["table"]
    shape = (len(table["data"]), len(table["data"][0]) if table["data"] else 0)
    found = []
    if any(len(row) != shape[1] for row in table["data"]):
        found.append("table.data has rows of different lengths")
    if len(table["index"]) != shape[0]:
        found.append("table.index does not have one label per row")
    if shape[0] and len(table["columns"]) != shape[1]:
        found.append("table.columns does not have one label per column")
    grids = {f"flags.{k}": v for k, v in data["flags"].items()}
    evidence = data.get("evidence") or {}
    grids.update({f"evidence.{k}": v for k, v in (evidence.get("grids") or {}).items()})
    if data["counts"] is not None:
        grids["counts"] = data["counts"]
    for name, grid in grids.items():
        if len(grid) != shape[0] or any(len(row) != shape[1] for row in grid):
            found.append(f"{name} is not the shape of the table {shape}")
    return found
