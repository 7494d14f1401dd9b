"""Write the fixture notebooks the browser tests open (saved outputs, no kernel needed).

Run from the repository root: ``python ui-tests/make_notebooks.py``. The records are the
hand-built ones the server tests use (tests/integration/sdc_notebooks.py).
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "integration"))
sys.path.insert(0, str(HERE.parent / "tests"))  # record_kit

import nbformat  # noqa: E402
from sdc_notebooks import FAILING, PASSING, REVIEW, SDC_TOML, notebook, with_exception  # noqa: E402

EXCEPTION = "The small cell is a structural count that ONS already publishes."


def main() -> None:
    folder = HERE / "notebooks"
    folder.mkdir(exist_ok=True)
    (folder / "sdc.toml").write_text(SDC_TOML, encoding="utf-8")
    # Exports: pass, review with an explanation, fail with an exception request.
    nbformat.write(notebook([PASSING, REVIEW, with_exception(FAILING, EXCEPTION)]),
                   folder / "checked.ipynb")
    # Refused: a failing output without an exception and one to review without explanation;
    # one more is marked not to include.
    unexplained = {**REVIEW, "uid": "t4", "label": "Table 4", "explanation": None}
    excluded = {**PASSING, "uid": "t5", "label": "Table 5", "include": False}
    failing = {**FAILING, "explanation": "People with a second job, by region and sex."}
    nbformat.write(notebook([PASSING, failing, unexplained, excluded]), folder / "failing.ipynb")
    # What the exporter decides: a passing output without label or explanation (held back
    # until explained), a failing one without exception (left out), one marked not to include.
    bare = {**PASSING, "uid": "t6", "label": None, "explanation": None, "title": "People by region"}
    nbformat.write(notebook([bare, failing, excluded]), folder / "decisions.ipynb")
    # Exports: the unlabelled output is numbered by the export.
    unlabelled = {**bare, "explanation": "Counts of survey respondents by region."}
    nbformat.write(notebook([PASSING, unlabelled, with_exception(FAILING, EXCEPTION)]),
                   folder / "numbered.ipynb")
    # Run in the browser's kernel: a table with a sparse region, whose remedy is applied.
    nbformat.write(remedy_notebook(), folder / "remedy.ipynb")


REMEDY_SETUP = """\
%load_ext jupyter_sdc
import pandas as pd
import jupyter_sdc as sdc
regions = ["North"] * 120 + ["South"] * 100 + ["East"] * 80 + ["Wales"] * 6
df = pd.DataFrame({"region": regions, "sex": (["F", "M"] * 153)})"""
REMEDY_TABLE = '%%sdc_check --label "Table 1"\npd.crosstab(df.region, df.sex)'


def remedy_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(REMEDY_SETUP), nbformat.v4.new_code_cell(REMEDY_TABLE)]
    return nb


if __name__ == "__main__":
    main()
