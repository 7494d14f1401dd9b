"""Read the records (and the code) saved in ``.ipynb`` files, without a kernel.

A notebook is read as JSON and checked for the shape the exporter relies on (nbformat 4: a
``cells`` list, code cells with an ``outputs`` list of output objects); anything else is
refused with a message that names the file and what is wrong, never its content.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from jupyter_sdc.core import schema
from jupyter_sdc.core.record import MIME_TYPE, SCHEMA_VERSION
from jupyter_sdc.export.scope import Scope

_CELL_TYPES = ("code", "markdown", "raw")
_NAME_MAX, _PATH_MAX = 255, 4096  # bytes, as Linux file systems allow


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
    if version < 1:
        return [f"{where}: the record's schema_version {version} is not a version jupyter_sdc "
                f"ever wrote; re-run the cell."]
    found = schema.problems(record) or _count_problems(record)
    return [f"{where}: {problem}; {_fix(problem)}." for problem in found]


#: fields the researcher sets: how to set them again
_SET_AGAIN = {"label": "--label or label=", "title": "--title or title=",
              "explanation": "--explain or explanation="}


def _fix(problem: str) -> str:
    field = problem.split(":", 1)[0].split(".", 1)[0]
    if field in _SET_AGAIN:
        return f"set it again ({_SET_AGAIN[field]}) and re-run the cell"
    return "re-run the cell"


def _count_problems(record: dict) -> list[str]:
    """Counts are whole numbers of records (or units), never text or below zero (every cell:
    the schema check looks at the first rows only)."""
    for row in record["counts"] or []:  # null: no counts, a problem the selection names
        for value in row:
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                return ["counts holds a value that is not a number"]
            if value < 0:
                return ["counts holds a negative count"]
    return []


def check_path(path: Path, scope: Scope | None = None) -> None:
    """Refuse a notebook path that cannot name a notebook (before anything looks it up)."""
    path = Path(path)
    shown = (scope or Scope()).show(path)
    if path.suffix != ".ipynb":
        raise NotebookError(f"{shown} is not a notebook (.ipynb). Give the notebook file.")
    encoded = os.fsencode(path)
    if b"\x00" in encoded:
        raise NotebookError(f"{shown} holds a NUL character. Check the notebook path.")
    if len(encoded) > _PATH_MAX or any(len(p) > _NAME_MAX for p in encoded.split(b"/")):
        raise NotebookError(f"{shown} is too long for a file name. Check the notebook path.")


def read_notebook(path: Path, scope: Scope | None = None) -> dict[str, Any]:
    """The notebook's JSON (nbformat 4), checked for the shape the exporter reads."""
    path = Path(path)
    shown = (scope or Scope()).show(path)
    check_path(path, scope)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        link = " (a link to a missing file)" if os.path.islink(path) else ""
        raise NotebookError(f"{shown} does not exist{link}. Check the notebook path.") from None
    except IsADirectoryError:
        raise NotebookError(f"{shown} is a folder, not a notebook file. Give the .ipynb file "
                            f"inside it.") from None
    except OSError as exc:
        raise NotebookError(f"{shown} cannot be read ({exc.strerror or 'unreadable'}). Check "
                            f"that you may read it.") from None
    return notebook_json(data, shown)


def notebook_json(data: bytes | str, shown: str) -> dict[str, Any]:
    """Parse and check a notebook's text; ``shown`` names it in messages."""
    not_one = f"{shown} is not a notebook"
    fix = "Open it in JupyterLab and save it, or give the right .ipynb file."
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise NotebookError(f"{not_one}: it is not UTF-8 text (a binary or data file named "
                            f".ipynb?). {fix}") from None
    if not text.strip():
        raise NotebookError(f"{not_one}: the file is empty. {fix}")
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as exc:  # the position only: never the file's content
        raise NotebookError(f"{not_one}: it is not valid JSON (line {exc.lineno}, column "
                            f"{exc.colno}). {fix}") from None
    except RecursionError:
        raise NotebookError(f"{not_one}: its JSON is nested too deeply. {fix}") from None
    if not isinstance(notebook, dict):
        raise NotebookError(f"{not_one}: its JSON is a {_json_type(notebook)}, not a notebook "
                            f"object. {fix}")
    version = notebook.get("nbformat")
    if version == 3 and isinstance(notebook.get("worksheets"), list):
        notebook = _upgraded(text, shown)
    elif not isinstance(version, int) or isinstance(version, bool):
        raise NotebookError(f"{not_one}: it has no nbformat version number. {fix}")
    elif version != 4:
        raise NotebookError(f"{shown} is in nbformat {version}; jupyter_sdc reads nbformat 4 "
                            f"notebooks. Save it from JupyterLab or Notebook 7, then export "
                            f"again.")
    problem = structure_problem(notebook)
    if problem:
        raise NotebookError(f"{shown} is not a readable notebook: {problem}. {fix}")
    return notebook


def structure_problem(notebook: Any) -> str | None:
    """What in a notebook's JSON the exporter cannot read (None when it can)."""
    if not isinstance(notebook, dict):
        return "it is not a JSON object"
    if not isinstance(notebook.get("metadata", {}), dict):
        return "its metadata is not an object"
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        return "it has no list of cells"
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") not in _CELL_TYPES:
            return f"cell {number} is not a code, markdown or raw cell"
        if cell["cell_type"] != "code":
            continue
        outputs = cell.get("outputs", [])
        if not isinstance(outputs, list):
            return f"the outputs of cell {number} are not a list"
        for output in outputs:
            if not isinstance(output, dict) or not isinstance(output.get("output_type"), str):
                return f"an output of cell {number} is not an output object"
            if not isinstance(output.get("data", {}), dict):
                return f"the data of an output of cell {number} is not an object"
    return None


def records_from_notebook(path: Path, scope: Scope | None = None) -> list[dict]:
    """The records saved in one notebook's outputs, in notebook order (see found_records)."""
    shown = (scope or Scope()).show(path)
    return records_from_node(read_notebook(path, scope), shown)


def records_from_node(notebook: Any, name: str) -> list[dict]:
    """The records in an already-read notebook (``name`` is used in messages)."""
    return [record for _cell, record in found_records(notebook, name)]


def found_records(notebook: Any, name: str) -> list[tuple[tuple[int, str | None], dict]]:
    """``((cell index, cell id), record)`` for each record of a notebook, in notebook order.

    A display updated in place (or shown again) leaves several copies of one uid in its cell:
    the last copy wins, at the place of the first. One uid in two cells (a cell copied with
    its outputs) is refused naming both: keeping either would drop the other silently.
    """
    problem = structure_problem(notebook)
    if problem:
        raise NotebookError(f"{name} is not a readable notebook: {problem}. Open it in "
                            f"JupyterLab and save it, then export again.")
    by_uid: dict[str, tuple[tuple[int, str | None], dict]] = {}
    for index, cell in enumerate(notebook["cells"]):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs") or []:
            data = output.get("data") or {}
            if MIME_TYPE not in data:
                continue
            record = _record(data[MIME_TYPE], name)
            uid = record.get("uid") if isinstance(record, dict) else None
            key = uid if isinstance(uid, str) else f"#{len(by_uid)}"
            place = by_uid[key][0] if key in by_uid else (index, cell.get("id"))
            if place[0] != index:
                raise NotebookError(
                    f"{name}: output {uid} appears in both cell {place[0] + 1} and cell "
                    f"{index + 1} (a cell copied with its outputs?). Re-run one of them, or "
                    f"clear its output, so each output has its own id; then export again.")
            by_uid[key] = (place, record)  # dict keeps the first insertion's position
    return list(by_uid.values())


def records_from_notebooks(paths: list[Path], scope: Scope | None = None) -> list[dict]:
    """The records of several notebooks as one list; a uid seen in two notebooks is refused."""
    scope = scope or Scope()
    records: list[dict] = []
    seen: dict[str, str] = {}
    for path in paths:
        shown = scope.show(path)
        found = records_from_notebook(path, scope)
        if not found:
            raise NotebookError(
                f"{shown} holds no jupyter_sdc outputs. Run it with %load_ext jupyter_sdc and "
                f"the sdc checks, save it with its outputs, then export again."
            )
        for record in found:
            uid = record.get("uid") if isinstance(record, dict) else None
            if isinstance(uid, str) and uid in seen and seen[uid] != shown:
                raise NotebookError(
                    f"Output {uid} is in both {seen[uid]} and {shown}. Export the notebooks "
                    f"separately, or re-run one of them so its outputs get new ids."
                )
            if isinstance(uid, str):
                seen[uid] = shown
            if isinstance(record, dict):
                record.setdefault("source", {})
                if isinstance(record["source"], dict) and not record["source"].get("notebook"):
                    record["source"]["notebook"] = Path(path).name
            records.append(record)
    return records


def notebook_code(path: Path, scope: Scope | None = None) -> str:
    """The code cells of a notebook, outputs stripped, as one Python script."""
    notebook = read_notebook(path, scope)
    parts = [f"# Code of {Path(path).name} (code cells only; outputs removed)."]
    for number, cell in enumerate(notebook["cells"], start=1):
        source = _source(cell.get("source"))
        if cell["cell_type"] != "code" or not source.strip():
            continue
        # IPython magics and shell escapes are not Python: keep them visible, commented out.
        lines = [
            f"# {line}" if line.lstrip().startswith(("%", "!")) else line
            for line in source.rstrip().splitlines()
        ]
        parts.append(f"\n# Cell {number}\n" + "\n".join(lines) + "\n")
    return "\n".join(parts) + "\n"


def _source(value: Any) -> str:
    """A cell's source: nbformat allows a string or a list of lines."""
    if isinstance(value, list):
        return "".join(str(line) for line in value)
    return value if isinstance(value, str) else ""


def _record(value: Any, name: str) -> Any:
    if isinstance(value, str):  # some writers keep JSON mime data as text
        try:
            value = json.loads(value)
        except (json.JSONDecodeError, RecursionError):
            raise NotebookError(
                f"{name}: a saved record is not valid JSON; re-run the notebook."
            ) from None
    return _plain(value)


def _upgraded(text: str, shown: str) -> dict[str, Any]:
    """An nbformat 3 notebook, converted to nbformat 4 as Jupyter converts it."""
    import nbformat

    try:
        node = nbformat.reads(text, as_version=4)
    except Exception:  # noqa: BLE001 - any failure of the converter: not a readable notebook
        raise NotebookError(f"{shown} is an nbformat 3 notebook that cannot be converted. "
                            f"Open it in JupyterLab and save it, then export again.") from None
    return json.loads(nbformat.writes(node))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {list: "list", str: "string", bool: "boolean"}.get(type(value), "number")


def _plain(value: Any) -> Any:
    """NotebookNode → plain dicts and lists (records are handed on as JSON values).

    A record parsed by ``json`` is plain already: it is handed on as it is (a 10^6-cell
    record would take seconds to copy)."""
    if type(value) is dict:
        return value
    return _copied(value)


def _copied(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copied(v) for v in value]
    return value
