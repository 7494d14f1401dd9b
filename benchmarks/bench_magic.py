"""Overhead of ``%%sdc_check``: a cell with no pandas work, and a groupby checked vs plain.

Runs a real IPython shell in this process. ``run()`` returns one row per case with the median
time per cell; the target is <= 2 ms extra for a checked cell that does no pandas work.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import pandas as pd

TARGET_EMPTY_MS = 2.0
TARGET_GROUPBY = 1.3  # a checked groupby mean at 1M rows, against the same cell unchecked


def _shell():
    import matplotlib

    matplotlib.use("Agg")
    from IPython.terminal.interactiveshell import TerminalInteractiveShell
    from IPython.testing.globalipapp import start_ipython

    start_ipython()
    ip = TerminalInteractiveShell.instance()
    ip.run_line_magic("load_ext", "jupyter_sdc")
    return ip


def _median_ms(ip, code: str, repeat: int) -> float:
    from IPython.utils.capture import capture_output

    times = []
    for _ in range(repeat):
        with capture_output():
            start = time.perf_counter()
            result = ip.run_cell(code)
            times.append((time.perf_counter() - start) * 1000)
        if not result.success:
            raise RuntimeError(f"benchmark cell failed: {result.error_in_exec!r}")
    return statistics.median(times)


def _paired_ms(ip, plain_code: str, checked_code: str, repeat: int) -> tuple[float, float]:
    """Median times of two cells run in turn (plain, checked, plain, ...), so both see the
    same load on a shared machine."""
    plain, checked = [], []
    for _ in range(repeat):
        plain.append(_median_ms(ip, plain_code, 1))
        checked.append(_median_ms(ip, checked_code, 1))
    return statistics.median(plain), statistics.median(checked)


def run(rows: int = 1_000_000, repeat: int = 15) -> list[dict]:
    import jupyter_sdc

    ip = _shell()
    rng = np.random.default_rng(0)
    ip.user_ns["df"] = pd.DataFrame({
        "rgn": rng.choice(["North", "South", "East", "West"], rows),
        "sex": rng.choice(["F", "M"], rows),
        "income": rng.gamma(2.0, 15_000, rows),
    })
    ip.user_ns["pd"] = pd
    out = []
    empty = "x = sum(range(100))"
    plain = _median_ms(ip, empty, repeat * 4)
    checked = _median_ms(ip, "%%sdc_check\n" + empty, repeat * 4)
    out.append({"case": "cell without pandas work", "plain_ms": plain, "checked_ms": checked,
                "overhead_ms": checked - plain, "target_ms": TARGET_EMPTY_MS,
                "met": checked - plain <= TARGET_EMPTY_MS})
    ip.run_line_magic("sdc_check", "on")
    auto = _median_ms(ip, empty, repeat * 4)
    ip.run_line_magic("sdc_check", "off")
    out.append({"case": "cell without pandas work, auto mode", "plain_ms": plain,
                "checked_ms": auto, "overhead_ms": auto - plain, "target_ms": TARGET_EMPTY_MS,
                "met": auto - plain <= TARGET_EMPTY_MS})
    group = "r = df.groupby(['rgn', 'sex'])['income'].mean()"
    _paired_ms(ip, group, "%%sdc_check\n" + group, 2)  # first calls (imports) not timed
    plain, checked = _paired_ms(ip, group, "%%sdc_check\n" + group, repeat * 2)
    out.append({"case": f"groupby mean, {rows:,} rows", "plain_ms": plain,
                "checked_ms": checked, "overhead_ms": checked - plain,
                "ratio": checked / plain, "target": TARGET_GROUPBY,
                "met": checked / plain <= TARGET_GROUPBY})
    unseen = "df.groupby(['rgn', 'sex'])['income'].mean(); x = 1"
    plain, checked = _paired_ms(ip, unseen, "%%sdc_check\n" + unseen, repeat)
    out.append({"case": "groupby not shown nor assigned (not checked)", "plain_ms": plain,
                "checked_ms": checked, "overhead_ms": checked - plain,
                "ratio": checked / plain})
    jupyter_sdc.set_session(None)
    return out


if __name__ == "__main__":
    for row in run():
        print(", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                        for k, v in row.items()))
