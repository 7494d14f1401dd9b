"""The output record: one checked result, as it travels to the badge, the panel and the export.

``Output.to_dict()`` is the JSON form saved in notebooks under MIME
``application/vnd.jupyter-sdc.output+json`` (schema: ``output.schema.json`` beside this file).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc._version import __version__
from jupyter_sdc.core import schema
from jupyter_sdc.core.evidence import CellEvidence
from jupyter_sdc.core.frames import frame_from_json, frame_to_json, grid, jsonable
from jupyter_sdc.core.status import Status, worst

SCHEMA_VERSION = 2
MIME_TYPE = "application/vnd.jupyter-sdc.output+json"
KINDS = ("table", "figure", "model", "custom")
#: what a checked call (or a magic option) may set on its record; ``dataset`` names the
#: ``[[datasets]]`` entry of sdc.toml the output comes from
RECORD_FIELDS = ("label", "title", "explanation", "dataset")
#: what the researcher may edit afterwards (panel, ``Session.update``; ``superseded_by`` when
#: a remedy is applied)
EDITABLE_FIELDS = (*RECORD_FIELDS, "include", "rename", "superseded_by")
#: what a re-run of the cell keeps from the researcher's edits
CARRIED_FIELDS = (*EDITABLE_FIELDS, "exception", "comments")


class SchemaVersionError(ValueError):
    """A record written by a newer jupyter_sdc."""


@dataclass
class Evidence:
    """What judging the output needs, saved with it: grids aligned cell by cell with its table.

    Never the contributions themselves: counts (the record's ``counts``), missing and negative
    contributions, the largest contributions' shares of the total, the p% ratio, holders of
    extremes, degrees of freedom, margins, structural zeros. The evidence stays in the notebook:
    nothing of it is written into a request.
    """

    grids: dict[str, pd.DataFrame]
    unit: str = "records"
    notes: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, ev: CellEvidence, like: pd.DataFrame) -> Evidence:
        grids = {name: pd.DataFrame(grid, index=like.index, columns=like.columns)
                 for name, grid in ev.saved_grids().items()}
        return cls(grids, ev.unit_label, list(ev.notes), list(ev.review))

    def cell_evidence(self, counts: pd.DataFrame) -> CellEvidence:
        arrays = {name: _array(name, grid) for name, grid in self.grids.items()}
        count = counts.to_numpy(dtype=float, na_value=np.nan)
        return CellEvidence.from_saved(arrays, np.nan_to_num(count, nan=0).astype(np.int64),
                                       unit_label=self.unit, notes=self.notes,
                                       review=self.review)

    def to_json(self) -> dict[str, Any]:
        return {"unit": self.unit, "notes": list(self.notes), "review": list(self.review),
                "grids": {name: grid(frame, bool if name in _BOOL_GRIDS else None)
                          for name, frame in self.grids.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any], like: pd.DataFrame) -> Evidence:
        grids = {name: pd.DataFrame(g, index=like.index, columns=like.columns)
                 for name, g in (data.get("grids") or {}).items()}
        return cls(grids, str(data.get("unit") or "records"), list(data.get("notes") or []),
                   list(data.get("review") or []))


_BOOL_GRIDS = {"margin", "structural_zero"}


def _array(name: str, frame: pd.DataFrame) -> np.ndarray:
    if name == "statistic":
        return frame.to_numpy(dtype=object)
    if name in _BOOL_GRIDS:
        return frame.fillna(False).to_numpy(dtype=bool)
    return frame.to_numpy(dtype=float, na_value=np.nan)


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
    evidence: Evidence | None = field(default=None, repr=False, compare=False)
    dataset: str | None = None
    superseded_by: str | None = None
    #: remedies (``jupyter_sdc.remedies``) as saved: plain dicts, best first
    remedies: list[dict[str, Any]] = field(default_factory=list)
    fingerprint: Any = field(default=None, repr=False, compare=False)
    #: how the output was made (its microdata and a rebuild function), kept in the kernel for
    #: remedies and never saved: see ``jupyter_sdc.remedies.recipe``
    recipe: Any = field(default=None, repr=False, compare=False)
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

    def add_review(self, reason: str) -> None:
        """The check is incomplete: a checker must review it (kept in the evidence too, so
        judging the record again gives the same verdict)."""
        if self.evidence is not None:
            self.evidence.review.append(reason)
        self.checks["custom"] = Status.REVIEW
        self.reasons.append(reason)

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
        """The record's JSON form, checked against ``output.schema.json``."""
        data = {
            "schema_version": SCHEMA_VERSION,
            "uid": self.uid,
            "kind": self.kind,
            "statistic": str(self.statistic),
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
            "counts": grid(self.counts),
            "flags": {rule: grid(flag, bool) for rule, flag in self.flags.items()},
            "rules": jsonable(self.rules),
            "mitigation": jsonable(self.mitigation),
            "summary": jsonable(self.summary),
            "figure": self.figure,
            "source": jsonable(self.source),
            "differencing": list(self.differencing),
            "evidence": self.evidence.to_json() if self.evidence is not None else None,
            "dataset": self.dataset,
            "superseded_by": self.superseded_by,
            "remedies": [dict(r) for r in self.remedies],
            "fingerprint": _fingerprint_json(self.fingerprint),
            "created": self.created,
            "tool": {"name": "jupyter_sdc", "version": __version__},
        }
        _valid(data)
        return data

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
        _valid(data)
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
            evidence=Evidence.from_json(data["evidence"], table) if data.get("evidence")
            else None,
            dataset=data.get("dataset"),
            superseded_by=data.get("superseded_by"),
            remedies=[dict(r) for r in data.get("remedies") or []],
            fingerprint=_fingerprint_from(data.get("fingerprint"), data.get("label")),
            created=data.get("created", ""),
        )


def _valid(data: dict[str, Any]) -> None:
    found = schema.problems(data)
    if found:
        raise ValueError(f"record {data.get('uid')!r} does not match output.schema.json: "
                         + "; ".join(found))


def _fingerprint_json(fp: Any) -> dict[str, Any] | None:
    if fp is None:
        return None
    from jupyter_sdc.core.differencing_records import to_json

    return to_json(fp)


def _fingerprint_from(data: dict[str, Any] | None, label: str | None) -> Any:
    if not data:
        return None
    from jupyter_sdc.core.differencing_records import from_json

    return from_json(data, label)
