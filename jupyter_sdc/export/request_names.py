"""What preflight and the audit share: a request's file names, the files that may never be in
one, and the shape of a finding (``code``, ``severity``, ``message``, ``where``)."""

from __future__ import annotations

from typing import Any

PREFLIGHT_NAME = "preflight.json"
OUTPUTS_DOCX = "outputs.docx"
RELEASE_DOCX = "release_request.docx"
# Data and statistics-package files: never in a request (archives too: they hide files).
FORBIDDEN_SUFFIXES = {
    ".csv", ".tsv", ".tab", ".dat", ".txt", ".dta", ".sav", ".zsav", ".por", ".rds", ".rdata",
    ".rda", ".parquet", ".feather", ".arrow", ".h5", ".hdf5", ".hdf", ".sas7bdat", ".sas7bcat",
    ".xpt", ".pkl", ".pickle", ".joblib", ".npy", ".npz", ".mat", ".xlsx", ".xlsm", ".xls",
    ".ods", ".db", ".sqlite", ".dbf", ".ipynb", ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z",
    ".tar", ".rar", ".do", ".ado", ".sps", ".r", ".rmd", ".sas", ".json", ".jsonl", ".xml",
}
_ERROR, _WARNING = "error", "warning"


def finding(code: str, message: str, where: str, severity: str = _ERROR) -> dict[str, Any]:
    return {"code": code, "severity": severity, "message": message, "where": where}
