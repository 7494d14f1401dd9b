"""REST handlers for the JupyterLab extension (thin: they check the path and delegate).

Contract (all authenticated, JSON in and out; every error is ``{"message": ...}``):

- ``POST /jupyter-sdc/export`` ``{"path": "<notebook relative to the server root>"}``
  → 200 ``{"folder", "preflight", "included", "left_out", "names", "warnings"}``;
  409 ``{"message", "problems": [...]}`` when the export is refused or cannot be written
  (not a readable notebook, no or a bad ``sdc.toml`` — looked for up to the server root only —,
  an SDC folder outside the project, failing outputs without an exception, missing
  explanations, a newer record schema, a full disk, an export of the same notebook already
  running); 400 for a malformed request (a body that is not JSON, a bad, absolute, ``..``,
  too long or NUL-holding path, a folder); 403 for a path leading outside the root; 404 for a
  missing file. Messages name files relative to the server root.
- ``GET /jupyter-sdc/outputs?path=...`` → 200 ``{"path", "outputs": [record, ...]}``; 400 for
  a bad path or a file that is not a readable notebook, 403 and 404 as above.
- ``POST /jupyter-sdc/plan`` ``{"notebook": <the notebook's nbformat JSON, as on screen>}``
  → 200 ``{"outputs": [{"uid", "cell_index", "cell_id", "label", "title", "status", "reason",
  "disposition", "why"}, ...], "counts": {"pass", "review", "fail"}}``: what an export would do
  with each record (``disposition``: included, exception, needs-explanation, left-out,
  excluded), decided by the exporter itself; 400 for a body without a notebook.
- ``GET /jupyter-sdc/version`` → 200 ``{"version"}``.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from jupyter_sdc._version import __version__
from jupyter_sdc.export.scope import Scope
from jupyter_sdc.server.paths import PathRefused, notebook_path, relative_to_root

_ALLOWED = "jupyter_sdc_allowed_sdc_folders"


class SdcHandler(APIHandler):
    """Base: JSON errors with a message and never a traceback."""

    @property
    def root_dir(self) -> Path:
        root = getattr(self.contents_manager, "root_dir", None) or self.settings.get(
            "server_root_dir", "."
        )
        return Path(root).expanduser()

    @property
    def scope(self) -> Scope:
        """Config discovery stops at the server root; messages are relative to it."""
        return Scope.of(root=self.root_dir, allowed=self.settings.get(_ALLOWED, ()))

    def body(self) -> Any:
        """The request's JSON body (400 when it is not JSON, whatever else it is)."""
        try:
            return json.loads(self.request.body or b"null")
        except (ValueError, RecursionError):
            raise tornado.web.HTTPError(
                400, 'The request body is not JSON. Give {"path": "<notebook path>"}.'
            ) from None

    def notebook(self, requested: object) -> Path:
        try:
            return notebook_path(self.root_dir, requested)
        except PathRefused as exc:
            raise tornado.web.HTTPError(exc.status, str(exc)) from None

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, tornado.web.HTTPError) and exc.log_message:
            message = exc.log_message
        elif status_code >= 500:
            message = "The SDC export failed on the server; the server log has the details."
        else:
            message = self._reason
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"message": message}))

    def reply_error(self, status: int, message: str, problems: list[str] | None = None) -> None:
        self.set_status(status)
        self.finish(json.dumps({"message": message, "problems": list(problems or [])}))


class ExportHandler(SdcHandler):
    # Notebooks being exported now: a second request for one of them is refused, not queued.
    running: set[Path] = set()

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.body()
        path = self.notebook(body.get("path") if isinstance(body, dict) else None)
        if path in self.running:
            self.reply_error(409, "An export of this notebook is already running; wait for it.")
            return
        # Imported here so the server extension loads even when the exporter cannot.
        from jupyter_sdc.export.request import ExportError, ExportRefused, export_notebooks

        self.running.add(path)
        try:
            # Writing documents takes a while: keep the server answering meanwhile.
            result = await asyncio.to_thread(export_notebooks, [path], scope=self.scope)
        except ExportRefused as exc:
            message = "The export was refused: fix the problems listed, then export again."
            self.reply_error(409, message, exc.problems)
            return
        except ExportError as exc:  # disk full, no permission: the message says what to do
            self.reply_error(409, str(exc), [str(exc)])
            return
        finally:
            self.running.discard(path)
        folder = relative_to_root(self.root_dir, result.folder)
        self.finish(json.dumps(result.to_dict(folder), default=str))


class OutputsHandler(SdcHandler):
    @tornado.web.authenticated
    def get(self) -> None:
        # tornado's get_query_argument turns control characters into spaces: read it raw
        raw = self.request.query_arguments.get("path") or [None]
        path = self.notebook(raw[-1].decode("utf-8", "replace") if raw[-1] is not None else None)
        from jupyter_sdc.export.notebook import NotebookError, records_from_notebook

        try:
            records = records_from_notebook(path, self.scope)
        except NotebookError as exc:
            self.reply_error(400, str(exc), [str(exc)])
            return
        self.finish(
            json.dumps(
                {"path": relative_to_root(self.root_dir, path), "outputs": records}, default=str
            )
        )


class PlanHandler(SdcHandler):
    @tornado.web.authenticated
    def post(self) -> None:
        body = self.body()
        notebook = body.get("notebook") if isinstance(body, dict) else None
        if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
            self.reply_error(400, 'Give "notebook": the notebook\'s JSON (nbformat 4).')
            return
        from jupyter_sdc.export.notebook import NotebookError
        from jupyter_sdc.export.plan import plan_notebook

        try:
            plan = plan_notebook(notebook)
        except NotebookError as exc:
            self.reply_error(400, str(exc), [str(exc)])
            return
        self.finish(json.dumps(plan, default=str))


class VersionHandler(SdcHandler):
    @tornado.web.authenticated
    def get(self) -> None:
        self.finish(json.dumps({"version": __version__}))


def setup_handlers(web_app: tornado.web.Application,
                   allowed_sdc_folders: list[str] | tuple[str, ...] = ()) -> None:
    """Register the handlers; ``allowed_sdc_folders`` is the administrator's setting."""
    web_app.settings[_ALLOWED] = tuple(allowed_sdc_folders)
    base_url = web_app.settings["base_url"]
    routes = [
        (url_path_join(base_url, "jupyter-sdc", "export"), ExportHandler),
        (url_path_join(base_url, "jupyter-sdc", "outputs"), OutputsHandler),
        (url_path_join(base_url, "jupyter-sdc", "plan"), PlanHandler),
        (url_path_join(base_url, "jupyter-sdc", "version"), VersionHandler),
    ]
    web_app.add_handlers(".*$", routes)
