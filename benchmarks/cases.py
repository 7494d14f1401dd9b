"""One benchmark case in one process: ``python benchmarks/cases.py CASE IMPL ROWS``.

Run by ``run.py``, each case in its own interpreter so that its peak memory is its own. The
process builds the data, warms the call up on a small slice (imports and first-call costs are
not what we measure), records its peak resident memory, then times the call on the full data
and reports the time and how far the call raised the peak, as one JSON line on stdout.

IMPL is ``bare`` (pandas / statsmodels alone), ``ours`` (jupyter_sdc) or ``acro`` (ACRO 1.0.2,
which needs the pandas-2 environment).
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import resource
import sys
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

CASES = ("counts", "mean", "pivot3", "ols")
IMPLS = ("bare", "ours", "acro")
MARK = "BENCH-RESULT "
SEED = 7
LEVELS_A, LEVELS_B, LEVELS_C = 20, 50, 6
FORMULA = "income ~ C(a) + C(b) + age"


KEYS = ("cat", "str")


def make_data(rows: int, seed: int = SEED, keys: str = "cat") -> pd.DataFrame:
    """Two keys (20 and 50 levels), a third key (6 levels), log-normal income, age.

    ``keys="cat"``: categoricals; ``keys="str"``: the strings ``pd.read_csv`` gives (pandas 3's
    ``str`` dtype; object on pandas 2). Generated straight into small dtypes so that building
    the data does not raise the process's peak memory above what the finished frame holds.
    """
    rng = np.random.default_rng(seed)

    def categorical(levels: int, prefix: str) -> pd.Categorical:
        codes = rng.integers(0, levels, size=rows, dtype=np.int8)
        return pd.Categorical.from_codes(codes, [f"{prefix}{i:02d}" for i in range(levels)])

    df = pd.DataFrame(
        {
            "a": categorical(LEVELS_A, "a"),
            "b": categorical(LEVELS_B, "b"),
            "c": categorical(LEVELS_C, "c"),
            "income": rng.lognormal(mean=10.0, sigma=1.0, size=rows),
            "age": rng.integers(18, 80, size=rows, dtype=np.int16),
        }
    )
    if keys == "str":
        for name in ("a", "b", "c"):
            df[name] = df[name].astype(str)
    return df


def _bare(case: str, df: pd.DataFrame) -> Callable[[], object]:
    if case == "counts":
        return lambda: pd.crosstab(df["a"], df["b"])
    if case == "mean":
        return lambda: pd.crosstab(df["a"], df["b"], values=df["income"], aggfunc="mean")
    if case == "pivot3":
        return lambda: pd.pivot_table(
            df, values="income", index=["a", "c"], columns="b", aggfunc="mean", observed=False
        )
    import statsmodels.formula.api as smf

    return lambda: smf.ols(FORMULA, data=df).fit()


def _ours(case: str, df: pd.DataFrame) -> Callable[[], object]:
    import jupyter_sdc as sdc

    sess = sdc.Session()
    if case == "counts":
        return lambda: sess.crosstab(df["a"], df["b"])
    if case == "mean":
        return lambda: sess.crosstab(df["a"], df["b"], values=df["income"], aggfunc="mean")
    if case == "pivot3":
        return lambda: sess.pivot_table(
            df, values="income", index=["a", "c"], columns="b", aggfunc="mean", observed=False
        )
    return lambda: sess.ols(FORMULA, data=df)


def _acro(case: str, df: pd.DataFrame) -> Callable[[], object]:
    from acro import ACRO

    session = ACRO(suppress=False)
    # ACRO logs every table it checks; that printing is not what we time.
    logging.getLogger("acro").setLevel(logging.ERROR)
    if case == "counts":
        return lambda: session.crosstab(df["a"], df["b"])
    if case == "mean":
        return lambda: session.crosstab(df["a"], df["b"], values=df["income"], aggfunc="mean")
    if case == "pivot3":
        return lambda: session.pivot_table(
            df, values="income", index=["a", "c"], columns="b", aggfunc="mean", observed=False
        )
    return lambda: session.olsr(FORMULA, data=df)


BUILDERS = {"bare": _bare, "ours": _ours, "acro": _acro}


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - start
    del result
    gc.collect()
    return elapsed


def run_case(case: str, impl: str, rows: int, repeat: int, paired: bool = False,
             keys: str = "cat") -> dict:
    """Time ``impl`` (best of ``repeat``) and the peak memory its first run adds.

    With ``paired``, the bare call is timed too, alternating with ``impl`` in this same
    process after the memory reading: on a shared machine a ratio of calls made seconds
    apart is steadier than one of calls made minutes apart in different processes.
    """
    warnings.simplefilter("ignore")
    df = make_data(rows, keys=keys)
    # First call on a small slice: imports, formula parsing caches, ACRO's ontology files.
    warm = df.iloc[:2000].copy()
    BUILDERS[impl](case, warm)()
    if paired:
        _bare(case, warm)()
    call = BUILDERS[impl](case, df)
    gc.collect()
    baseline = peak_mb()
    times = [_timed(call)]
    peak = peak_mb() - baseline
    bare_times = []
    check_seconds = None
    for k in range(repeat if paired else 0):
        if case == "ols" and impl == "ours" and k == repeat - 1:
            start = time.perf_counter()
            fitted = _bare(case, df)()
            bare_times.append(time.perf_counter() - start)
            check_seconds = _model_check_seconds(fitted, df)
            del fitted
            gc.collect()
        else:
            bare_times.append(_timed(_bare(case, df)))
        if k < repeat - 1:
            times.append(_timed(call))
    while len(times) < repeat:
        times.append(_timed(call))
    out = {
        "case": case,
        "impl": impl,
        "rows": rows,
        "keys": keys,
        "seconds": min(times),
        "all_seconds": times,
        "peak_mb": peak,
        "data_mb": baseline,
        "pandas": pd.__version__,
        "python": sys.version.split()[0],
    }
    if paired:
        out["paired_bare_seconds"] = min(bare_times)
        out["paired_bare_all_seconds"] = bare_times
    if check_seconds is not None:
        out["check_seconds"] = check_seconds
    return out


def _model_check_seconds(fitted: object, df: pd.DataFrame) -> float | None:
    """What our wrapper adds to a fit: the record built from the fitted results alone.

    A fit of this size varies by more than the check costs, so the check is also timed on
    its own (the same adapter call the wrapper makes after ``fit()``).
    """
    try:
        import jupyter_sdc as sdc
        from jupyter_sdc.adapters.statsmodels import check_model

        rules = sdc.Session().rules
        start = time.perf_counter()
        check_model(fitted, rules=rules, uid="bench", data=df, formula=FORMULA)
        return time.perf_counter() - start
    except (ImportError, TypeError) as err:  # the adapter's signature moved: say so, go on
        print(f"model check not timed on its own: {err}", file=sys.stderr)
        return None


def profile_case(case: str, rows: int, top: int = 15, keys: str = "cat") -> None:
    """Print where our wrapper's time goes (cProfile, by cumulative time)."""
    import cProfile
    import pstats

    warnings.simplefilter("ignore")
    df = make_data(rows, keys=keys)
    _ours(case, df.iloc[:2000].copy())()
    call = _ours(case, df)
    profiler = cProfile.Profile()
    profiler.runcall(call)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", choices=CASES)
    parser.add_argument("impl", choices=IMPLS)
    parser.add_argument("rows", type=int)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--paired", action="store_true",
                        help="also time the bare call, alternating, in this process")
    parser.add_argument("--profile", action="store_true", help="profile our wrapper instead")
    parser.add_argument("--keys", choices=KEYS, default="cat",
                        help="categorical keys or strings as read_csv gives them")
    args = parser.parse_args(argv)
    if args.profile:
        profile_case(args.case, args.rows, keys=args.keys)
        return 0
    result = run_case(args.case, args.impl, args.rows, args.repeat, args.paired, args.keys)
    sys.stdout.flush()
    os.write(1, (MARK + json.dumps(result) + "\n").encode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
