"""A real office suite reads our documents: LibreOffice converts them to PDF, and the PDF's text
holds every table with its counts."""

from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "unit"))
from docx_samples import CONFIG, records  # noqa: E402

from jupyter_sdc.export.document import write_outputs_docx  # noqa: E402
from jupyter_sdc.export.release_form import write_release_request_docx  # noqa: E402

pytestmark = [
    pytest.mark.office,
    pytest.mark.skipif(shutil.which("soffice") is None,
                       reason="LibreOffice (soffice) is not installed: apt-get install "
                              "libreoffice-writer-nogui, or run make system-deps"),
]

# Every value and count of every included sample output, as a reader sees it.
EXPECTED_ROWS = [
    "16-29 41 17", "30-49 103 22", "50-64 70 23",                    # frequency: counts
    "North 512.50 14 * *", "South 498.25 31 611.75 30",               # means beside N
    "Public 38.4 33 61.6 52", "Private 27.9 51 72.1 140",             # weighted % beside N
    "Intercept 402.118 25.310 <0.001 200", "Region: South -14.207 9.842 0.151 95",
    "Age (years) 3.402 0.611 <0.001 200",                             # model, N per parameter
    "(0, 20] 30", "(20, 35] 70", "(35, 45] 55", "(45, 60] 20",       # figure's counts
    "North 2,500.00 20", "South 2,500.00 61",                         # exception output
]


def _pdf_text(docx_path: Path, workdir: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed: apt-get install poppler-utils")
    # A private profile, so parallel runs (and a user's open LibreOffice) do not clash.
    profile = (workdir / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(workdir), str(docx_path)],
                   check=True, capture_output=True, timeout=180)
    pdf = workdir / (docx_path.stem + ".pdf")
    assert pdf.is_file(), "LibreOffice wrote no PDF"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return text


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def test_outputs_docx_converts_and_keeps_every_value_and_count(tmp_path):
    path = tmp_path / "outputs.docx"
    write_outputs_docx(records(), CONFIG, path, exported_on=datetime.date(2026, 11, 25))
    text = _pdf_text(path, tmp_path)
    lines = _lines(text)
    for row in EXPECTED_ROWS:
        assert row in lines, f"{row!r} not found in the PDF text"
    flat = " ".join(lines)
    for expected in ("Table 1: Employment status by age band", "Model 1: Weekly pay regressed",
                     "Figure 1: Distribution of usual weekly hours", "Unweighted count",
                     "N (unweighted)", "Mean (unweighted)", "% (weighted)", "Checker summary",
                     "N = 200 observations (unweighted); residual degrees of freedom = 197",
                     "DOI: 10.5255/UKDA-SN-0000-1", "P-1234"):
        assert expected in flat
    assert "postcode" not in flat


def test_release_request_docx_converts_with_outputs_and_declarations(tmp_path):
    path = tmp_path / "release_request.docx"
    write_release_request_docx(records(), CONFIG, path, exported_on=datetime.date(2026, 11, 25),
                               left_out=[("Respondents by postcode district",
                                          "fails the threshold rule")])
    lines = _lines(_pdf_text(path, tmp_path))
    flat = " ".join(lines)
    for expected in ("Output release request", "P-1234", "Earnings and hours after the pandemic",
                     "2026-11-25", "Working paper", "Respondents by postcode district",
                     "I have read the statistical disclosure control guidance", "Signature"):
        assert expected in flat
    for label, n in (("Table 1", "276"), ("Table 2", "75"), ("Model 1", "200"),
                     ("Figure 1", "175")):
        assert any(line.startswith(label) and f" {n} " in f" {line} " for line in lines), label
