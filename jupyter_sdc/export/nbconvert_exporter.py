"""``jupyter nbconvert --to sdc NOTEBOOK.ipynb``: export a notebook's checked outputs.

The request goes into the project's SDC folder, as ``jupyter sdc export`` writes it. nbconvert
itself writes one file beside the notebook, ``NOTEBOOK.sdc.json``: a short JSON summary of the
export (the request folder, the outputs included and left out, the preflight result).
With ``--execute`` the notebook is run first and the fresh records are exported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nbconvert.exporters import Exporter
from traitlets import Unicode

from jupyter_sdc.export.config import ConfigError, find_config, load_config
from jupyter_sdc.export.notebook import NotebookError, records_from_node
from jupyter_sdc.export.request import ExportRefused, export_records


class SDCExporter(Exporter):
    """Export the jupyter_sdc outputs of a notebook as a release request."""

    file_extension = Unicode(".sdc.json").tag(config=True)
    output_mimetype = "application/json"
    export_from_notebook = "SDC release request"
    sdc_toml = Unicode(
        "", help="Path of the project's sdc.toml (default: the one above the notebook)."
    ).tag(config=True)

    def from_notebook_node(
        self, nb: Any, resources: dict | None = None, **kw: Any
    ) -> tuple[str, dict]:
        nb, resources = super().from_notebook_node(nb, resources, **kw)
        metadata = resources.get("metadata") or {}
        folder = Path(metadata.get("path") or ".")
        name = f"{metadata.get('name') or 'notebook'}.ipynb"
        try:
            config = load_config(Path(self.sdc_toml) if self.sdc_toml else find_config(folder))
            records = records_from_node(nb, name)
        except (ConfigError, NotebookError) as exc:
            raise ExportRefused([str(exc)]) from exc
        if not records:
            raise ExportRefused([f"{name} holds no jupyter_sdc outputs. Run it with "
                                 f"%load_ext jupyter_sdc and the sdc checks, save it with its "
                                 f"outputs (or add --execute), then export again."])
        for record in records:
            if isinstance(record, dict) and isinstance(record.get("source"), dict):
                record["source"].setdefault("notebook", name)
        notebook = folder / name
        result = export_records(records, config,
                                notebooks=[notebook] if notebook.is_file() else [])
        summary = {
            "folder": str(result.folder),
            "included": result.included,
            "left_out": [list(item) for item in result.left_out],
            "warnings": result.warnings,
            "preflight_ok": result.preflight["ok"],
        }
        for warning in result.warnings:
            self.log.warning(warning)
        self.log.info("Request written to %s", result.folder)
        resources["output_extension"] = self.file_extension
        return json.dumps(summary, indent=2) + "\n", resources
