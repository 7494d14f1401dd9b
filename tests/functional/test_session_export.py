"""``session.export()``: kernel records straight to a request folder."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

import jupyter_sdc as sdc
from jupyter_sdc.export.request import ExportRefused

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "project" / "sdc.toml"


def test_session_export_writes_a_request_and_leaves_out_failing_outputs(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / "sdc.toml")
    session = sdc.Session(project_dir=tmp_path, unit=None)
    df = pd.DataFrame({"area": ["North"] * 30 + ["South"] * 25 + ["Tiny"] * 3,
                       "tenure": (["Own", "Rent"] * 29)})
    session.crosstab(df.area, df.tenure, suppress=True, label="Table 1",
                     title="Households by area and tenure",
                     explanation="Counts of households by area and tenure; small cells suppressed.")
    session.crosstab(df.area, df.tenure, label="Table 2", title="Unsuppressed",
                     explanation="The same table without suppression, which fails.")
    result = session.export()
    assert result.folder.parent == tmp_path / "SDC"
    assert (result.folder / "outputs.docx").exists()
    assert [uid for uid, _ in result.left_out] == [session.get("Table 2").uid]
    again = session.export()
    assert again.folder != result.folder and result.folder.exists()


def test_session_export_without_config_is_refused_clearly(tmp_path):
    session = sdc.Session(project_dir=tmp_path)
    with pytest.raises(ExportRefused, match="sdc.toml"):
        session.export()
