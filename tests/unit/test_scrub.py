"""The syntax file scan: server names, paths and inline data must not leave with the code."""

from __future__ import annotations

import base64

import pytest

from jupyter_sdc.export.scrub import BASE64_RUN, LONG_LITERAL, scan_code


def codes(code: str) -> list[str]:
    return sorted({f["code"] for f in scan_code(code, "code/a.py")})


@pytest.mark.parametrize(
    "line",
    [
        'con = connect("Server=tre-sql01;Database=lfs")',
        'engine = create_engine("mssql+pyodbc://analyst@tre-db01/lfs")',
        'url = "http://10.20.30.40:8080/extract"',
        'host = "db01.tre.internal"',
    ],
)
def test_server_names_are_found(line: str) -> None:
    assert "code-server-name" in codes(line)


def test_unc_paths_are_found() -> None:
    assert "code-unc-path" in codes('df = pd.read_stata(r"\\\\fileserver01\\secure\\lfs.dta")')


@pytest.mark.parametrize(
    "path",
    ["/home/alice/lfs.dta", "C:\\\\Users\\\\bob\\\\lfs.dta", "D:/data/lfs.dta", "~/lfs.dta"],
)
def test_absolute_paths_are_found_in_strings_and_comments(path: str) -> None:
    assert codes(f'df = pd.read_stata("{path}")') == ["code-absolute-path"]
    assert "code-absolute-path" in codes(f'# data from "{path}"\nx = 1')


def test_relative_paths_and_ordinary_code_are_clean() -> None:
    code = (
        "import pandas as pd\n"
        'df = pd.read_stata("data/lfs.dta")\n'
        "table = sdc.crosstab(df.rgn, df.sex, margins=True)\n"
        "model = sdc.ols('hours ~ age + C(rgn)', data=df).fit()\n"
        "ages = [16, 25, 35, 45, 55, 65]\n"
    )
    assert scan_code(code, "code/a.py") == []


def test_a_literal_list_is_data_from_the_long_literal_bound() -> None:
    short = "x = [" + ", ".join(str(i) for i in range(LONG_LITERAL - 1)) + "]"
    long = "x = [" + ", ".join(str(i) for i in range(LONG_LITERAL)) + "]"
    assert codes(short) == [] and codes(long) == ["code-inline-data"]


def test_a_data_frame_built_from_literals_is_data() -> None:
    code = ("df = pd.DataFrame({'id': [1, 2, 3, 4, 5, 6, 7, 8, 9],\n"
            "                   'pay': [9, 8, 7, 6, 5, 4, 3, 2, 1]})")
    found = scan_code(code, "code/a.py")
    assert [f["code"] for f in found] == ["code-inline-data"]  # reported once, not per list
    assert "DataFrame" in found[0]["message"] and found[0]["where"] == "code/a.py line 1"


def test_an_embedded_base64_file_is_data() -> None:
    blob = base64.b64encode(bytes(range(256)) * 2).decode()[:BASE64_RUN]
    assert codes(f'img = "{blob}"') == ["code-inline-data"]
    assert codes(f'img = "{blob[:-1]}"') == []


def test_every_finding_is_an_error_with_a_place() -> None:
    (found,) = scan_code('x = 1\ny = "/srv/data/lfs.dta"\n', "code/a.py")
    assert found["severity"] == "error" and found["where"] == "code/a.py line 2"
