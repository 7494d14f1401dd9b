"""The output record: one checked result, as it travels to the badge, the panel and the export.

``Output.to_dict()`` is the JSON form saved in notebooks under MIME
``application/vnd.jupyter-sdc.output+json`` (schema: ``output.schema.json`` beside this file).
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc._version import __version__
from jupyter_sdc.core.status import Status, worst

SCHEMA_VERSION = 1
MIME_TYPE = "application/vnd.jupyter-sdc.output+json"
KINDS = ("table", "figure", "model", "custom")


class SchemaVersionError(ValueError):
    """A record written by a newer jupyter_sdc."""


@dataclass
class Output:
    """One checked output. ``status`` follows from ``checks`` (any fail -> fail, ...)."""

    uid: str
    kind: str
    table: pd.DataFrame
    counts: pd.DataFrame
    flags: dict[str, pd.DataFrame] = field(default_factory=dict)
    checks: dict[str, Status] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    statistic: str = "frequency"
    label: str | None = None
    title: str | None = None
    explanation: str | None = None
    exception: str | None = None
    comments: list[str] = field(default_factory=list)
    include: bool = True
    rename: dict[str, str] = field(default_factory=dict)
    rules: dict[str, Any] = field(default_factory=dict)
    mitigation: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    figure: dict[str, str] | None = None
    source: dict[str, Any] = field(default_factory=dict)
    differencing: list[str] = field(default_factory=list)
    fingerprint: Any = field(default=None, repr=False, compare=False)
    created: str = field(
        default_factory=lambda: _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    )

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind {self.kind!r} is not one of {KINDS}")
        self.checks = {rule: Status(value) for rule, value in self.checks.items()}

    @property
    def status(self) -> Status:
        if not self.checks:
            return Status.REVIEW  # nothing was checked: never a silent pass
        return worst(self.checks.values())

    @property
    def n(self) -> int | None:
        """The number of contributing records or units behind the whole output."""
        if "n" in self.summary:
            return int(self.summary["n"])
        return None

    def failing_cells(self) -> pd.DataFrame:
        """True where any failing or review rule flags the cell."""
        result = pd.DataFrame(False, index=self.table.index, columns=self.table.columns)
        for rule, flag in self.flags.items():
            if rule != "secondary":
                result |= flag.to_numpy(dtype=bool)
        return result

    def __repr__(self) -> str:
        name = self.label or self.uid
        return f"<Output {name} {self.kind}/{self.statistic}: {self.status.value}>"

    # -- JSON ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "uid": self.uid,
            "kind": self.kind,
            "statistic": self.statistic,
            "status": self.status.value,
            "label": self.label,
            "title": self.title,
            "explanation": self.explanation,
            "exception": self.exception,
            "comments": list(self.comments),
            "include": bool(self.include),
            "rename": dict(self.rename),
            "checks": {rule: status.value for rule, status in self.checks.items()},
            "reasons": list(self.reasons),
            "table": frame_to_json(self.table),
            "counts": _grid(self.counts),
            "flags": {rule: _grid(flag, bool) for rule, flag in self.flags.items()},
            "rules": _jsonable(self.rules),
            "mitigation": _jsonable(self.mitigation),
            "summary": _jsonable(self.summary),
            "figure": self.figure,
            "source": _jsonable(self.source),
            "differencing": list(self.differencing),
            "fingerprint": _fingerprint_json(self.fingerprint),
            "created": self.created,
            "tool": {"name": "jupyter_sdc", "version": __version__},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Output:
        version = data.get("schema_version")
        if not isinstance(version, int):
            raise ValueError("not a jupyter_sdc record: it has no integer schema_version")
        if version > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"record {data.get('uid')!r} was written with record schema {version}, newer "
                f"than this jupyter_sdc understands ({SCHEMA_VERSION}): upgrade jupyter_sdc "
                "(pip install -U jupyter_sdc)"
            )
        table = frame_from_json(data["table"])

        def aligned(grid: list, dtype: Any = None) -> pd.DataFrame:
            return pd.DataFrame(grid, index=table.index, columns=table.columns, dtype=dtype)

        return cls(
            uid=data["uid"],
            kind=data["kind"],
            statistic=data.get("statistic", "custom"),
            table=table,
            counts=aligned(data["counts"]),
            flags={rule: aligned(grid, bool) for rule, grid in data.get("flags", {}).items()},
            checks=dict(data.get("checks", {})),
            reasons=list(data.get("reasons", [])),
            label=data.get("label"),
            title=data.get("title"),
            explanation=data.get("explanation"),
            exception=data.get("exception"),
            comments=list(data.get("comments", [])),
            include=bool(data.get("include", True)),
            rename=dict(data.get("rename", {})),
            rules=dict(data.get("rules", {})),
            mitigation=dict(data.get("mitigation", {})),
            summary=dict(data.get("summary", {})),
            figure=data.get("figure"),
            source=dict(data.get("source", {})),
            differencing=list(data.get("differencing", [])),
            fingerprint=_fingerprint_from(data.get("fingerprint"), data.get("label")),
            created=data.get("created", ""),
        )


def _fingerprint_json(fp: Any) -> dict[str, Any] | None:
    if fp is None:
        return None
    from jupyter_sdc.core.differencing import to_json

    return to_json(fp)


def _fingerprint_from(data: dict[str, Any] | None, label: str | None) -> Any:
    if not data:
        return None
    from jupyter_sdc.core.differencing import from_json

    return from_json(data, label)


# -- JSON helpers --------------------------------------------------------------------------
def _scalar(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else (value if math.isfinite(value) else str(value))
    if isinstance(value, bool | int | str):
        return value
    return str(value)


def _level_list(values: pd.Index) -> list[Any]:
    """One level's labels as JSON scalars (fast for numbers and text)."""
    if values.dtype.kind in "iub" or (values.dtype.kind == "O" and values.inferred_type
                                      == "string"):
        return values.tolist()
    if values.dtype.kind == "f":
        return _floats(values.to_numpy(dtype=float)[None, :])[0]
    return [_scalar(v) for v in values]


def _labels(index: pd.Index) -> list[list[Any]]:
    levels = [_level_list(index.get_level_values(i)) for i in range(index.nlevels)]
    return [list(entry) for entry in zip(*levels, strict=True)] if levels else []


def _names(index: pd.Index) -> list[Any]:
    return [_scalar(name) for name in index.names]


def _floats(values: np.ndarray) -> list[list[Any]]:
    """A float grid as lists, NaN -> None and infinities -> text, in vectorised passes."""
    grid = values.tolist()
    for i, j in zip(*np.nonzero(~np.isfinite(values)), strict=True):
        grid[i][j] = _scalar(float(values[i, j]))
    return grid


def _grid(frame: pd.DataFrame, dtype: Any = None) -> list[list[Any]]:
    if dtype is bool:
        return frame.to_numpy(dtype=bool).tolist()
    kinds = {t.kind for t in frame.dtypes} if frame.shape[1] else set()
    if kinds and kinds <= set("iub") and not any(
            isinstance(t, pd.api.extensions.ExtensionDtype) for t in frame.dtypes):
        return frame.to_numpy().tolist()
    if kinds and kinds <= set("iuf") and not any(
            isinstance(t, pd.api.extensions.ExtensionDtype) for t in frame.dtypes):
        return _floats(frame.to_numpy(dtype=float))
    return [[_scalar(v) for v in row] for row in frame.to_numpy(dtype=object)]


def frame_to_json(frame: pd.DataFrame) -> dict[str, Any]:
    return {
        "index": _labels(frame.index),
        "index_names": _names(frame.index),
        "columns": _labels(frame.columns),
        "column_names": _names(frame.columns),
        "data": _grid(frame),
    }


def _index_from(labels: list[list[Any]], names: list[Any]) -> pd.Index:
    if len(names) > 1:
        return pd.MultiIndex.from_tuples([tuple(x) for x in labels], names=names)
    return pd.Index([x[0] for x in labels], name=names[0] if names else None)


def frame_from_json(data: dict[str, Any]) -> pd.DataFrame:
    index = _index_from(data["index"], data.get("index_names", [None]))
    columns = _index_from(data["columns"], data.get("column_names", [None]))
    frame = pd.DataFrame(data["data"], index=index, columns=columns)
    return frame.infer_objects()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return _scalar(value)
