"""Read the records (and the code) saved in ``.ipynb`` files, without a kernel."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat

from jupyter_sdc.core import schema
from jupyter_sdc.core.record import MIME_TYPE, SCHEMA_VERSION


class NotebookError(ValueError):
    """A notebook cannot be read, or a record in it is unusable; the message says what to do."""


def check_record(record: Any, where: str) -> list[str]:
    """Return the problems that make a record dict unusable (empty when it is fine)."""
    if not isinstance(record, dict):
        return [f"{where}: the saved record is not a JSON object; re-run the cell."]
    version = record.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        return [f"{where}: the record has no integer schema_version; re-run the cell."]
    if version > SCHEMA_VERSION:
        return [
            f"{where}: the record has schema version {version} but this jupyter_sdc reads up to "
            f"{SCHEMA_VERSION}. Upgrade jupyter_sdc (pip install -U jupyter_sdc) and export "
            "again."
        ]
    return [f"{where}: {problem}; re-run the cell." for problem in schema.problems(record)]


def read_notebook(path: Path) -> nbformat.NotebookNode:
    path = Path(path)
    if path.suffix != ".ipynb":
        raise NotebookError(f"{path} is not a notebook (.ipynb). Give the notebook file.")
    try:
        return nbformat.read(path, as_version=4)
    except FileNotFoundError:
        raise NotebookError(f"{path} does not exist. Check the notebook path.") from None
    except (json.JSONDecodeError, nbformat.reader.NotJSONError) as exc:
        raise NotebookError(f"{path} is not a readable notebook ({exc}).") from None


def records_from_notebook(path: Path) -> list[dict]:
    """The records saved in one notebook's outputs, in notebook order (see found_records)."""
    return records_from_node(read_notebook(path), Path(path).name)


def records_from_node(notebook: nbformat.NotebookNode, name: str) -> list[dict]:
    """The records in an already-read notebook (``name`` is used in messages)."""
    return [record for _cell, record in found_records(notebook, name)]


def found_records(notebook: Any, name: str) -> list[tuple[tuple[int, str | None], dict]]:
    """``((cell index, cell id), record)`` for each record of a notebook, in notebook order.

    A display updated in place (or shown again) can leave several copies of one uid: the last
    copy wins, at the place of the first.
    """
    by_uid: dict[str, tuple[tuple[int, str | None], dict]] = {}
    for index, cell in enumerate(notebook.get("cells") or []):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs") or []:
            data = output.get("data") or {}
            if MIME_TYPE not in data:
                continue
            record = data[MIME_TYPE]
            if isinstance(record, str):  # some writers keep JSON mime data as text
                try:
                    record = json.loads(record)
                except json.JSONDecodeError:
                    raise NotebookError(
                        f"{name}: a saved record is not valid JSON; re-run the notebook."
                    ) from None
            record = _plain(record)
            uid = record.get("uid") if isinstance(record, dict) else None
            key = uid if isinstance(uid, str) else f"#{len(by_uid)}"
            place = by_uid[key][0] if key in by_uid else (index, cell.get("id"))
            by_uid[key] = (place, record)  # dict keeps the first insertion's position
    return list(by_uid.values())


def records_from_notebooks(paths: list[Path]) -> list[dict]:
    """The records of several notebooks as one list; a uid seen in two notebooks is refused."""
    records: list[dict] = []
    seen: dict[str, Path] = {}
    for path in paths:
        found = records_from_notebook(path)
        if not found:
            raise NotebookError(
                f"{path} holds no jupyter_sdc outputs. Run it with %load_ext jupyter_sdc and the "
                f"sdc checks, save it with its outputs, then export again."
            )
        for record in found:
            uid = record.get("uid") if isinstance(record, dict) else None
            if isinstance(uid, str) and uid in seen and seen[uid] != Path(path):
                raise NotebookError(
                    f"Output {uid} is in both {seen[uid]} and {path}. Export the notebooks "
                    f"separately, or re-run one of them so its outputs get new ids."
                )
            if isinstance(uid, str):
                seen[uid] = Path(path)
            if isinstance(record, dict):
                record.setdefault("source", {})
                if isinstance(record["source"], dict) and not record["source"].get("notebook"):
                    record["source"]["notebook"] = Path(path).name
            records.append(record)
    return records


def notebook_code(path: Path) -> str:
    """The code cells of a notebook, outputs stripped, as one Python script."""
    notebook = read_notebook(path)
    parts = [f"# Code of {Path(path).name} (code cells only; outputs removed)."]
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        # IPython magics and shell escapes are not Python: keep them visible, commented out.
        lines = [
            f"# {line}" if line.lstrip().startswith(("%", "!")) else line
            for line in cell.source.rstrip().splitlines()
        ]
        parts.append(f"\n# Cell {number}\n" + "\n".join(lines) + "\n")
    return "\n".join(parts) + "\n"


def _plain(value: Any) -> Any:
    """NotebookNode → plain dicts and lists (records are handed on as JSON values)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
