"""Side-by-side timings: bare pandas/statsmodels, jupyter_sdc and ACRO 1.0.2 (``make bench``).

Every case runs in its own process (``cases.py``): ours and bare pandas in this interpreter's
environment (pandas 3), ACRO and bare pandas once more in the ACRO environment (pandas 2.3.3),
so that ACRO's ratio is against the pandas it runs on. Prints a table and writes
``benchmarks/results/latest.json``. Other benchmark modules in this folder that expose
``run() -> list[dict]`` are run too and their rows printed.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CASES_PY = HERE / "cases.py"
RESULTS = HERE / "results"
ACRO_PYTHON = ROOT / ".venv-acro" / "bin" / "python"
EXTRA_MODULES = ("bench_secondary", "bench_magic", "bench_export", "bench_big_record")
ENGINES_PY = HERE / "bench_engines.py"

#: case -> (target ratio to bare at the largest size, what the target covers)
TARGETS = {
    "counts": (1.1, "counts crosstab with all rules <= 1.1x bare pd.crosstab"),
    "mean": (1.3, "mean crosstab with all rules <= 1.3x bare mean crosstab"),
    "pivot3": (1.5, "3-key pivot_table with all rules <= 1.5x bare pd.pivot_table"),
    "ols": (1.1, "model checks <= 1.1x the fit alone"),
}
#: key dtypes of the table cases: categoricals, and strings as pd.read_csv gives them
KEYS = ("str", "cat")
MAGIC_TARGET = 1.3  # a checked groupby mean at 1M rows / the same cell unchecked
MEMORY_TARGET = 1.5
OLS_MAX_ROWS = 1_000_000  # the design matrix at 10M rows does not fit comfortably in memory
# One BLAS thread everywhere: on a small shared machine a threaded BLAS oversubscribes the
# cores and model fits vary several-fold from run to run; every implementation gets the same.
CHILD_ENV = os.environ | {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                          "MKL_NUM_THREADS": "1"}


def child(python: Path, case: str, impl: str, rows: int, repeat: int, keys: str = "cat") -> dict:
    """Run one case in a fresh interpreter and return its JSON result (or the error)."""
    cmd = [str(python), str(CASES_PY), case, impl, str(rows), "--repeat", str(repeat),
           "--keys", keys]
    if impl != "bare":
        cmd.append("--paired")
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=RESULTS, env=CHILD_ENV)
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line.removeprefix("BENCH-RESULT "))
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return {"case": case, "impl": impl, "rows": rows, "error": " | ".join(tail)}


def ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den <= 0:
        return None
    return num / den


def run_all(sizes: list[int], cases: list[str]) -> list[dict]:
    have_acro = ACRO_PYTHON.exists()
    if not have_acro:
        print(f"note: {ACRO_PYTHON.relative_to(ROOT)} is missing (make acro-env); ACRO skipped")
    rows_out = []
    for rows in sizes:
        for case in cases:
            if case == "ols" and rows > OLS_MAX_ROWS:
                continue
            for keys in (KEYS if case != "ols" else ("cat",)):
                row = run_one(case, keys, rows, have_acro)
                rows_out.append(row)
                print_row(row)
    return rows_out


def run_one(case: str, keys: str, rows: int, have_acro: bool) -> dict:
    """Bare, ours and ACRO (with its own bare pandas) on one case, each in its own process."""
    # Best of several runs: other work on a shared machine only ever adds time.
    # ACRO (up to minutes at 10M rows) and the model fits run once.
    repeat = 1 if case == "ols" else (5 if rows <= 1_000_000 else 3)
    runs = {
        "bare": child(Path(sys.executable), case, "bare", rows, repeat, keys),
        "ours": child(Path(sys.executable), case, "ours", rows, repeat, keys),
    }
    if have_acro:
        runs["bare_pd2"] = child(ACRO_PYTHON, case, "bare", rows, repeat, keys)
        runs["acro"] = child(ACRO_PYTHON, case, "acro", rows,
                             min(repeat, 3) if rows <= 1_000_000 else 1, keys)
    return summarise(case, rows, runs) | {"keys": keys}


def summarise(case: str, rows: int, runs: dict[str, dict]) -> dict:
    """Times and ratios; a ratio uses the bare time paired in the same process when there is one.

    The bare process's own time is kept too (``bare_alone_s``); its peak memory is the
    baseline for the memory ratio.
    """
    sec = {k: r.get("seconds") for k, r in runs.items()}
    mem = {k: r.get("peak_mb") for k, r in runs.items()}
    bare = runs["ours"].get("paired_bare_seconds", sec["bare"])
    bare_pd2 = runs.get("acro", {}).get("paired_bare_seconds", sec.get("bare_pd2"))
    target, covers = TARGETS[case]
    ours_ratio = ratio(sec["ours"], bare)
    check = runs["ours"].get("check_seconds")
    if check is not None and bare:
        # models: the fit itself varies by more than the check costs (see cases.py)
        fit_ratio = (bare + check) / bare
    else:
        fit_ratio = None
    mem_ratio = ratio(mem["ours"], mem["bare"])
    return {
        "case": case,
        "rows": rows,
        "bare_s": bare,
        "ours_s": sec["ours"],
        "ratio": ours_ratio,
        "bare_alone_s": sec["bare"],
        "check_s": check,
        "fit_plus_check_ratio": fit_ratio,
        "bare_pd2_s": bare_pd2,
        "acro_s": sec.get("acro"),
        "acro_ratio": ratio(sec.get("acro"), bare_pd2),
        "bare_peak_mb": mem["bare"],
        "ours_peak_mb": mem["ours"],
        "acro_peak_mb": mem.get("acro"),
        "memory_ratio": mem_ratio,
        "target": target,
        "target_text": covers,
        "time_target_met": None if target is None or ours_ratio is None else (
            (fit_ratio if fit_ratio is not None else ours_ratio) <= target),
        "memory_target_met": None if mem_ratio is None else mem_ratio <= MEMORY_TARGET,
        "errors": {k: r["error"] for k, r in runs.items() if "error" in r},
        "runs": runs,
    }


HEADER = (
    f"{'case':<8}{'keys':<5}{'rows':>11}{'bare s':>9}{'ours s':>9}{'ratio':>7}"
    f"{'pd2 s':>9}{'ACRO s':>9}{'ACRO x':>8}{'peak MB bare/ours':>20}"
)


def _f(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def print_row(row: dict) -> None:
    if not getattr(print_row, "header_done", False):
        print(HEADER)
        print_row.header_done = True  # type: ignore[attr-defined]
    peak = f"{_f(row['bare_peak_mb'], '.0f')}/{_f(row['ours_peak_mb'], '.0f')}"
    print(
        f"{row['case']:<8}{row.get('keys', 'cat'):<5}{row['rows']:>11,}"
        f"{_f(row['bare_s'], '.3f'):>9}"
        f"{_f(row['ours_s'], '.3f'):>9}{_f(row['ratio'], '.2f'):>7}"
        f"{_f(row['bare_pd2_s'], '.3f'):>9}{_f(row['acro_s'], '.3f'):>9}"
        f"{_f(row['acro_ratio'], '.1f'):>8}{peak:>20}",
        flush=True,
    )
    if row.get("fit_plus_check_ratio") is not None:
        print(f"    {row['case']}: the check alone took {row['check_s']:.3f} s: "
              f"(fit + check) / fit = {row['fit_plus_check_ratio']:.3f}", flush=True)
    for impl, err in row["errors"].items():
        print(f"    {impl} failed: {err}", flush=True)


def run_extra_modules() -> dict[str, list[dict]]:
    """Other helpers' benchmark modules, if present: each ``run() -> list[dict]``."""
    found = {}
    for name in EXTRA_MODULES:
        path = HERE / f"{name}.py"
        if not path.exists():
            continue
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        assert spec.loader is not None
        try:
            spec.loader.exec_module(module)
            rows = list(module.run())
        except Exception as exc:  # one module's failure must not lose the main table
            rows = [{"error": f"{type(exc).__name__}: {exc}"}]
        found[name] = rows
        print(f"\n{name}:")
        for row in rows:
            print("  " + ", ".join(f"{k}={_fmt_any(v)}" for k, v in row.items()))
    return found


def run_engines(quick: bool) -> tuple[dict | None, list[str]]:
    """``bench_engines.py`` (Polars, DuckDB, Spark, pandas, ACRO side by side; 10^8 rows from
    parquet) in its own process: it prints its table as it goes. Its report and the misses."""
    out = RESULTS / ("engines_quick.json" if quick else "engines.json")
    cmd = [sys.executable, str(ENGINES_PY), "--out", str(out), *(["--quick"] if quick else [])]
    print(flush=True)
    proc = subprocess.run(cmd, env=CHILD_ENV, text=True, check=False)
    if proc.returncode or not out.exists():
        return None, [f"the engines benchmark failed (exit {proc.returncode})"]
    report = json.loads(out.read_text())
    return report, engine_misses_of(report)


def engine_misses_of(report: dict | None) -> list[str]:
    """The engines' targets missed in their report."""
    return [f"{case} {r['engine']} at {block['rows']:,} rows: {r['verdict']}"
            for case, block in (report or {}).get("cases", {}).items()
            for r in block["results"] if r["verdict"] not in ("met", "-")]


def extra_misses(extra: dict[str, list[dict]] | None) -> list[str]:
    """Rows of the other modules that name a target and miss it."""
    return [f"{name}: {row.get('case', row)}" + (f" ({row['ratio']:.2f}x, target "
                                                  f"{row['target']}x)" if "ratio" in row and
                                                  "target" in row else "")
            for name, rows in (extra or {}).items() for row in rows if row.get("met") is False]


def _fmt_any(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def check_targets(rows: list[dict]) -> list[str]:
    """Plain statements of the targets missed at the largest size run."""
    largest = max(r["rows"] for r in rows)
    missed = []
    for r in rows:
        top = r["rows"] == largest or (r["case"] == "ols" and r["rows"] == OLS_MAX_ROWS)
        if not top:
            continue
        if r["time_target_met"] is False:
            shown = r.get("fit_plus_check_ratio") or r["ratio"]
            missed.append(f"{r['case']} ({r.get('keys', 'cat')} keys) at {r['rows']:,} rows: "
                          f"{shown:.2f}x bare (target {r['target']}x)")
        if r["memory_target_met"] is False:
            missed.append(f"{r['case']} ({r.get('keys', 'cat')} keys) at {r['rows']:,} rows: "
                          "peak memory "
                          f"{r['memory_ratio']:.2f}x bare (target {MEMORY_TARGET}x)")
    return missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1M rows only (development)")
    parser.add_argument("--rows", type=int, nargs="*", help="sizes to run (overrides --quick)")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    parser.add_argument("--cases", nargs="*", choices=list(TARGETS), default=list(TARGETS),
                        help="run only these cases")
    parser.add_argument("--no-engines", action="store_true",
                        help="skip bench_engines.py (Polars, DuckDB, Spark, 10^8 rows)")
    parser.add_argument("--merge", action="store_true",
                        help="replace only the rows run now in an existing --out file (the "
                             "other modules' rows and the engines' report are kept unless "
                             "run again)")
    parser.add_argument("--extras", action="store_true",
                        help="with --merge: run the other modules (bench_magic, …) again")
    args = parser.parse_args(argv)
    sizes = args.rows or ([1_000_000] if args.quick else [1_000_000, 10_000_000])
    RESULTS.mkdir(exist_ok=True)
    started = time.time()
    load_at_start = os.getloadavg()  # other work on the machine makes timings noisy
    rows = run_all(sizes, args.cases)
    machine = {"python": platform.python_version(), "cpus": os.cpu_count(),
               "system": platform.system(), "load_average_at_start": load_at_start}
    merged = None
    extra = run_extra_modules() if not args.merge or args.extras else None
    previous_engines = None
    if args.merge and args.out.exists():
        previous = json.loads(args.out.read_text())
        done = {(r["case"], r.get("keys", "cat"), r["rows"]) for r in rows}
        rows = [r for r in previous["results"]
                if (r["case"], r.get("keys", "cat"), r["rows"]) not in done] + rows
        rows.sort(key=lambda r: (r["rows"], list(TARGETS).index(r["case"])))
        extra = extra if extra is not None else previous.get("extra", {})
        previous_engines = previous.get("engines")
        sizes = previous.get("sizes", sizes)
        merged = {"rows": sorted(done), "machine": machine, "into": previous.get("created")}
        machine = previous.get("machine", machine)
    if args.merge or args.no_engines:
        engines, engine_misses = previous_engines, engine_misses_of(previous_engines)
    else:
        engines, engine_misses = run_engines(args.quick)
    missed = check_targets(rows) + extra_misses(extra) + engine_misses
    print("\ntargets:", "all met" if not missed else "MISSED: " + "; ".join(missed))
    report = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine,
        "merged": merged,
        "sizes": sizes,
        "targets": {k: v[1] for k, v in TARGETS.items()} | {"memory": f"<= {MEMORY_TARGET}x bare"},
        "results": rows,
        "targets_missed": missed,
        "extra": extra,
        "engines": engines,
        "wall_seconds": round(time.time() - started, 1),
    }
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"saved {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
