"""Hand-built records and a project config, shaped exactly like ``Output.to_dict()``.

Shared by the document, inspector and LibreOffice tests.
"""

from __future__ import annotations

import base64
import copy
import io

from PIL import Image, ImageDraw

CONFIG = {
    "project": {
        "id": "P-1234",
        "title": "Earnings and hours after the pandemic",
        "researchers": ["A. Researcher <a.researcher@example.ac.uk>", "B. Colleague"],
        "output_type": "Working paper",
    },
    "datasets": [{
        "name": "Quarterly Labour Force Survey",
        "citation": "Office for National Statistics (2020). Quarterly Labour Force Survey, "
                    "2020. UK Data Service. SN: 0000. DOI: 10.5255/UKDA-SN-0000-1",
        "source": "UK Data Service SecureLab, secure access edition",
        "sample": "Adults aged 16-64 in employment, April-June 2020 (n = 276)",
        "methodology": "Cross-tabulations and OLS regression of gross weekly pay",
    }],
}
RULES = {"threshold": 10, "nk_n": 2, "nk_k": 0.9, "p_percent": 0.1, "dof": 10, "zeros": True,
         "missing": False, "class_disclosure": True, "min_max": "fail", "round_base": 5,
         "unit": None, "profile": "acro-default"}


def _record(uid: str, kind: str, statistic: str, **fields) -> dict:
    base = {
        "schema_version": 1, "uid": uid, "kind": kind, "statistic": statistic,
        "status": "pass", "label": None, "title": "", "explanation": "", "exception": None,
        "comments": [], "include": True, "rename": {}, "checks": {}, "reasons": [],
        "table": None, "counts": None, "flags": {}, "rules": RULES,
        "mitigation": {"suppressed": False, "round_base": None, "notes": []},
        "summary": {}, "figure": None,
        "source": {"call": "crosstab", "code": "", "cell_id": "c1", "notebook": None},
        "created": "2026-11-25T12:00:00+00:00",
        "tool": {"name": "jupyter_sdc", "version": "0.1.0"},
    }
    base.update(fields)
    return base


def histogram_png() -> str:
    """A small transparent-background bar chart, base64 PNG, as matplotlib would give."""
    image = Image.new("RGBA", (320, 200), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    for i, height in enumerate((60, 140, 110, 40)):
        draw.rectangle((30 + i * 70, 190 - height, 80 + i * 70, 190), fill=(31, 119, 180, 255))
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=None)
    return base64.b64encode(out.getvalue()).decode()


def records() -> list[dict]:
    frequency = _record(
        "aa11-1", "table", "frequency", title="Employment status by age band",
        explanation="Number of survey respondents in each age band by employment status.",
        rename={"ageband": "Age band", "empstat": "Employment status"},
        checks={"threshold": "pass", "zeros": "pass", "class_disclosure": "pass"},
        table={"index": [["16-29"], ["30-49"], ["50-64"]], "index_names": ["ageband"],
               "columns": [["Employed"], ["Not employed"]], "column_names": ["empstat"],
               "data": [[41, 17], [103, 22], [70, 23]]},
        counts=[[41, 17], [103, 22], [70, 23]],
        flags={"threshold": [[False] * 2] * 3, "zeros": [[False] * 2] * 3},
    )
    mean = _record(
        "bb22-1", "table", "mean", title="Mean weekly pay by region and sex",
        explanation="Mean gross weekly pay in pounds; one cell had too few respondents and is "
                    "suppressed.",
        rename={"rgn": "Region", "sex": "Sex"},
        checks={"threshold": "fail", "nk": "pass", "p_percent": "pass"},
        reasons=["1 cell has fewer than 10 contributing records (threshold)."],
        table={"index": [["North"], ["South"]], "index_names": ["rgn"],
               "columns": [["Female"], ["Male"]], "column_names": ["sex"],
               "data": [[512.5, None], [498.25, 611.75]]},
        counts=[[14, 6], [31, 30]],
        flags={"threshold": [[False, True], [False, False]],
               "nk": [[False, False], [False, False]]},
        mitigation={"suppressed": True, "round_base": None, "notes": []},
    )
    percentage = _record(
        "cc33-1", "table", "percentage", title="Share working from home by sector",
        explanation="Weighted percentage of workers who mostly worked from home, by sector.",
        rename={"sector": "Industry sector", "wfh": "Worked from home"},
        checks={"threshold": "pass"}, summary={"weighted": True},
        table={"index": [["Public"], ["Private"]], "index_names": ["sector"],
               "columns": [["Yes"], ["No"]], "column_names": ["wfh"],
               "data": [[38.4, 61.6], [27.9, 72.1]]},
        counts=[[33, 52], [51, 140]],
        flags={"threshold": [[False, False], [False, False]]},
    )
    model = _record(
        "dd44-1", "model", "model", title="Weekly pay regressed on age and region",
        explanation="Ordinary least squares regression of gross weekly pay on age and region.",
        rename={"pay": "Weekly pay", "age": "Age (years)", "rgn": "Region"},
        checks={"dof": "pass"},
        table={"index": [["Intercept"], ["C(rgn)[T.South]"], ["age"]],
               "index_names": ["parameter"],
               "columns": [["coef"], ["std err"], ["P>|t|"]], "column_names": [None],
               "data": [[402.118, 25.31, 0.0], [-14.207, 9.842, 0.151], [3.402, 0.611, 0.0]]},
        counts=[[200, 200, 200], [95, 95, 95], [200, 200, 200]],
        summary={"n": 200, "nobs": 200, "df_resid": 197.0, "df_model": 2.0, "model": "OLS",
                 "formula": "pay ~ age + C(rgn)", "dependent": "pay"},
        source={"call": "ols", "code": "", "cell_id": "c4", "notebook": None},
    )
    figure = _record(
        "ee55-1", "figure", "histogram", title="Distribution of usual weekly hours",
        explanation="Histogram of usual weekly hours worked; counts rounded to base 5.",
        rename={"hours": "Usual weekly hours"},
        checks={"threshold": "pass", "zeros": "pass"},
        table={"index": [["(0, 20]"], ["(20, 35]"], ["(35, 45]"], ["(45, 60]"]],
               "index_names": ["hours"], "columns": [["count"]], "column_names": [None],
               "data": [[30], [70], [55], [20]]},
        counts=[[30], [70], [55], [20]],
        mitigation={"suppressed": False, "round_base": 5, "notes": []},
        figure={"png": histogram_png()},
        source={"call": "hist", "code": "", "cell_id": "c5", "notebook": None},
    )
    exception = _record(
        "ff66-1", "table", "max", status="fail", title="Highest weekly pay by region",
        explanation="Maximum gross weekly pay by region, as published in the survey tables.",
        rename={"rgn": "Region", "pay": "Weekly pay"},
        checks={"threshold": "pass", "min_max": "fail"},
        reasons=["A maximum is a single record's value (min_max)."],
        exception="Weekly pay is top-coded at 2,500 pounds in the released survey, so the "
                  "maximum is the published top code and reveals no respondent.",
        table={"index": [["North"], ["South"]], "index_names": ["rgn"],
               "columns": [["pay"]], "column_names": [None],
               "data": [[2500.0], [2500.0]]},
        counts=[[20], [61]],
        flags={"threshold": [[False], [False]], "min_max": [[True], [True]]},
    )
    left_out = _record(
        "gg77-1", "table", "frequency", status="fail", include=False,
        title="Left out: respondents by postcode district",
        table={"index": [["AB1"]], "index_names": ["pcd"], "columns": [["n"]],
               "column_names": [None], "data": [[3]]},
        counts=[[3]],
    )
    return [frequency, mean, percentage, model, figure, exception, left_out]


def many_records(n: int) -> list[dict]:
    """n outputs cycling through the table, figure and model samples (for timing)."""
    base = [r for r in records() if r["include"]]
    out = []
    for i in range(n):
        record = copy.deepcopy(base[i % len(base)])
        record["uid"] = f"{record['uid']}-{i}"
        out.append(record)
    return out
