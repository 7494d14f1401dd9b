"""Differencing at export: outputs from two notebooks (two sessions) are compared too."""

import json
from pathlib import Path

import docx
import pandas as pd

import jupyter_sdc as sdc
from jupyter_sdc.export.config import load_config
from jupyter_sdc.export.request import export_records

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "project" / "sdc.toml"


def people() -> pd.DataFrame:
    spec = {"21-30": ((7, 19), (1, 1)), "31-40": ((5, 15), (5, 10)),
            "41-50": ((8, 18), (7, 12)), "51+": ((13, 25), (12, 15))}
    rows = []
    for band, ((m_yes, m_all), (f_yes, f_all)) in spec.items():
        rows += [(band, "M", "yes")] * m_yes + [(band, "M", "no")] * (m_all - m_yes)
        rows += [(band, "F", "yes")] * f_yes + [(band, "F", "no")] * (f_all - f_yes)
    return pd.DataFrame(rows, columns=["age_band", "sex", "heart_disease"])


def test_outputs_from_two_notebooks_are_differenced_at_export(tmp_path):
    # the project's rules are the ones the sessions used (the export judges under them too)
    config = EXAMPLE.read_text().replace('unit = "person_id"', "threshold = 5\nzeros = false")
    (tmp_path / "sdc.toml").write_text(config)
    df = people()
    first, second = sdc.Session(threshold=5, zeros=False), sdc.Session(threshold=5, zeros=False)
    first.crosstab(df.age_band, df.heart_disease, label="Table 1", title="Heart disease by age",
                   explanation="Everybody, by age band and heart disease.")
    men = df[df.sex == "M"]
    second.crosstab(men.age_band, men.heart_disease, label="Table 2",
                    title="Heart disease by age, men",
                    explanation="Men only, by age band and heart disease.")
    # each notebook on its own sees nothing wrong
    assert first.outputs[0].checks["differencing"] == "pass"
    records = [json.loads(json.dumps(o.to_dict())) for o in first.outputs + second.outputs]
    records[1]["uid"] = "other-notebook-1"
    result = export_records(records, load_config(tmp_path / "sdc.toml"))
    data = json.loads((result.folder / "results.json").read_text())
    assert len(result.included) == 2
    text = "\n".join(p.text for p in docx.Document(result.folder / "outputs.docx").paragraphs)
    cells = "\n".join(c.text for t in docx.Document(result.folder / "outputs.docx").tables
                      for row in t.rows for c in row.cells)
    assert "differencing" in (text + cells).lower()
    statuses = {v.get("status") for v in data["results"].values()}
    assert statuses == {"review"}
