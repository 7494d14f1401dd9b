"""Engines side by side: the bare engine aggregate against the same table checked by us.

Cases (a 2-key mean table, region x sex, of a log-normal income):

* ``mem``: 10^7 rows in memory — pandas with string keys and with categoricals, a Polars
  DataFrame, an Arrow table through DuckDB; and Spark in local mode reading the same rows
  from parquet.
* ``big``: a 10^8-row parquet file read by DuckDB (``memory_limit`` set) and by a Polars
  LazyFrame (``scan_parquet``, streaming): no row comes to Python.

Each measurement runs in its own process (its peak RSS is its own), bare and ours alternate
so that load on a shared machine hits both, and the best of the runs counts. ``unit=`` (a
person id, ~10 rows each) is timed as well. ``--quick`` runs everything at 1/100 of the size.

    python benchmarks/bench_engines.py [--quick] [--mem-rows N] [--big-rows N] [--only CASE]

Results: ``benchmarks/results/engines.json`` (``--out`` to change).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
#: ACRO 1.0.2 pins pandas 2: it runs in its own environment (``make acro-env``)
ACRO_PYTHON = HERE.parent / ".venv-acro" / "bin" / "python"
BIG_TARGET = 2.0
SPARK_TARGET = 3.0
RSS_TARGET_GIB = 4.0
DUCKDB_MEMORY = "3GB"
ROWS_PER_UNIT = 10
REGIONS = [f"region {i:02d}" for i in range(12)]

#: (case, engine, layout) -> source kind; every one is timed bare, ours and ours with unit=
CASES = {
    "mem": ["pandas-str", "pandas-cat", "polars", "duckdb-arrow", "spark", "acro"],
    "big": ["duckdb-parquet", "polars-scan"],
}


# -- data ---------------------------------------------------------------------------------
def write_parquet(path: Path, rows: int, seed: int = 7) -> None:
    """``rows`` records of ``rows / 10`` people: region and sex belong to the person."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    people = max(rows // ROWS_PER_UNIT, 1)
    region_of = rng.integers(0, len(REGIONS), people).astype(np.int32)
    sex_of = rng.integers(0, 2, people).astype(np.int32)
    regions, sexes = pa.array(REGIONS), pa.array(["F", "M"])
    tmp = path.with_suffix(".partial")
    writer = None
    chunk = 5_000_000
    for start in range(0, rows, chunk):
        m = min(chunk, rows - start)
        person = rng.integers(0, people, m)
        table = pa.table({
            # plain strings in the schema (parquet still dictionary-encodes them on disk)
            "region": regions.take(pa.array(region_of[person])),
            "sex": sexes.take(pa.array(sex_of[person])),
            "age": pa.array(rng.integers(16, 90, m).astype(np.int16)),
            "income": pa.array(rng.lognormal(10, 1, m)),
            "person_id": pa.array(person.astype(np.int64)),
        })
        writer = writer or pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table, row_group_size=1_000_000)
    writer.close()
    tmp.rename(path)


def data_file(folder: Path, rows: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"people_{rows}.parquet"
    if not path.exists():
        write_parquet(path, rows)
    return path


# -- one measurement, in a child process ----------------------------------------------------
def _spark():
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
               .config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.memory", "3g")
               .config("spark.sql.shuffle.partitions", "4").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return session


def _load(engine: str, path: Path) -> Any:
    """The source a user of ``engine`` would hold (loading is not timed)."""
    if engine.startswith("pandas") or engine == "acro":
        import pandas as pd

        frame = pd.read_parquet(path)  # strings: pandas 3's str dtype; object on pandas 2
        if engine == "pandas-cat":
            frame = frame.astype({"region": "category", "sex": "category"})
        return frame
    if engine == "polars":
        import polars as pl

        return pl.read_parquet(path)
    if engine == "polars-scan":
        import polars as pl

        return pl.scan_parquet(path)
    if engine == "duckdb-arrow":
        import pyarrow.parquet as pq

        return pq.read_table(path)
    if engine == "duckdb-parquet":
        return path
    if engine == "spark":
        return _spark().read.parquet(str(path))
    raise ValueError(engine)


def _bare(engine: str, source: Any) -> Any:
    """The engine's own aggregate for the same mean table, no checks."""
    if engine.startswith("pandas") or engine == "acro":
        import pandas as pd

        return pd.pivot_table(source, values="income", index="region", columns="sex",
                              aggfunc="mean")
    if engine.startswith("polars"):
        import polars as pl

        return source.lazy().group_by(["region", "sex"]).agg(pl.col("income").mean()) \
            .collect(engine="streaming")
    if engine.startswith("duckdb"):
        import duckdb

        con = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY})
        rel = con.from_arrow(source) if engine == "duckdb-arrow" else \
            con.sql(f"SELECT * FROM read_parquet('{source}', can_have_nan = true)")
        return rel.query("t", "SELECT region, sex, avg(income) FROM t GROUP BY ALL") \
            .to_arrow_table()
    if engine == "spark":
        from pyspark.sql import functions as F

        return source.groupBy("region", "sex").agg(F.avg("income")).toArrow()
    raise ValueError(engine)


def _ours(engine: str, source: Any, unit: str | None) -> Any:
    """The same table checked: ``sdc.pivot_table`` on pandas (what a pandas user calls),
    the engines' evidence and layout elsewhere, ACRO's ``pivot_table`` in its environment."""
    kwargs = dict(values="income", index="region", columns="sex", aggfunc="mean")
    if engine.startswith("pandas"):
        import jupyter_sdc as sdc

        return sdc.Session().pivot_table(source, unit=unit, **kwargs)
    if engine == "acro":
        import logging

        from acro import ACRO

        logging.getLogger("acro").setLevel(logging.ERROR)
        return ACRO(suppress=False).pivot_table(source, **kwargs)
    from jupyter_sdc.engines import pivot

    options = {"memory_limit": DUCKDB_MEMORY} if engine.startswith("duckdb") else {}
    return pivot(source, values="income", index="region", columns="sex", aggfunc="mean",
                 unit=unit, **options)


def child(engine: str, impl: str, path: Path, repeat: int) -> dict:
    source = _load(engine, path)
    if impl == "ours-unit" and engine == "acro":
        return {"engine": engine, "impl": impl, "error": "ACRO has no unit="}
    run = {"bare": lambda: _bare(engine, source),
           "ours": lambda: _ours(engine, source, None),
           "ours-unit": lambda: _ours(engine, source, "person_id")}[impl]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    return {"engine": engine, "impl": impl, "best_s": min(times), "times_s": times,
            "peak_rss_gib": peak, "rss_before_gib": before}


def _run_child(engine: str, impl: str, path: Path, repeat: int) -> dict:
    python = ACRO_PYTHON if engine == "acro" else Path(sys.executable)
    if not python.exists():
        return {"engine": engine, "impl": impl, "error": f"{python} is missing (make acro-env)"}
    cmd = [str(python), str(Path(__file__).resolve()), "--child", engine, impl, str(path),
           str(repeat)]
    env = os.environ | {"PYTHONPATH": os.pathsep.join(
        [str(HERE.parent), *filter(None, [os.environ.get("PYTHONPATH")])])}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line.removeprefix("BENCH-RESULT "))
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return {"engine": engine, "impl": impl, "error": " | ".join(tail)}


# -- the run --------------------------------------------------------------------------------
def measure(engine: str, path: Path, repeat: int, rounds: int) -> dict:
    """Bare and ours alternate for ``rounds``; the best time of each counts."""
    runs: dict[str, list[dict]] = {"bare": [], "ours": [], "ours-unit": []}
    for _ in range(rounds):
        for impl in ("bare", "ours"):
            runs[impl].append(_run_child(engine, impl, path, repeat))
    runs["ours-unit"].append(_run_child(engine, "ours-unit", path, 1))
    out: dict[str, Any] = {"engine": engine}
    for impl, results in runs.items():
        good = [r for r in results if "error" not in r]
        if not good:
            out[impl] = {"error": results[-1].get("error")}
            continue
        out[impl] = {"best_s": min(r["best_s"] for r in good),
                     "peak_rss_gib": max(r["peak_rss_gib"] for r in good),
                     # what the call added to the process (the data loaded is not the call's)
                     "call_rss_gib": max(r["peak_rss_gib"] - r["rss_before_gib"] for r in good)}
    bare = out["bare"].get("best_s")
    for impl in ("ours", "ours-unit"):
        if bare and out[impl].get("best_s"):
            out[impl]["ratio"] = out[impl]["best_s"] / bare
        if out["bare"].get("call_rss_gib") and out[impl].get("call_rss_gib") is not None:
            out[impl]["memory_ratio"] = out[impl]["call_rss_gib"] / out["bare"]["call_rss_gib"]
    return out


def verdict(case: str, row: dict) -> str:
    ratio = row["ours"].get("ratio")
    rss = row["ours"].get("peak_rss_gib")
    if ratio is None:
        return "error: " + str(row["ours"].get("error"))
    if case == "big":
        ok = ratio <= BIG_TARGET and rss is not None and rss <= RSS_TARGET_GIB
        return "met" if ok else f"MISSED (target <= {BIG_TARGET}x, <= {RSS_TARGET_GIB} GiB)"
    if row["engine"] == "spark":
        return "met" if ratio <= SPARK_TARGET else f"MISSED (target <= {SPARK_TARGET}x)"
    return "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=4, metavar=("ENGINE", "IMPL", "PATH", "REPEAT"))
    parser.add_argument("--quick", action="store_true", help="1/100 of the sizes")
    parser.add_argument("--mem-rows", type=int, default=10_000_000)
    parser.add_argument("--big-rows", type=int, default=100_000_000)
    parser.add_argument("--only", choices=sorted(CASES), action="append")
    parser.add_argument("--engines", nargs="*", help="only these engines")
    parser.add_argument("--data", type=Path,
                        default=Path(tempfile.gettempdir()) / "jupyter_sdc_bench")
    parser.add_argument("--out", type=Path, default=RESULTS / "engines.json")
    args = parser.parse_args(argv)
    if args.child:
        engine, impl, path, repeat = args.child
        result = child(engine, impl, Path(path), int(repeat))
        print("BENCH-RESULT " + json.dumps(result), flush=True)
        return 0
    scale = 100 if args.quick else 1
    sizes = {"mem": args.mem_rows // scale, "big": args.big_rows // scale}
    report: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
        "versions": _versions(), "targets": {"big": BIG_TARGET, "spark": SPARK_TARGET,
                                             "rss_gib": RSS_TARGET_GIB},
        "duckdb_memory_limit": DUCKDB_MEMORY, "cases": {},
    }
    print(f"{'case':5} {'rows':>11} {'engine':15} {'bare s':>8} {'ours s':>8} {'ratio':>6} "
          f"{'unit s':>8} {'ratio':>6} {'RSS GiB':>8} {'mem x':>6}  target")
    print("(acro: bare is pandas 2's pivot_table, ours is ACRO's, both in ACRO's environment)")
    for case in args.only or list(CASES):
        path = data_file(args.data, sizes[case])
        rows = []
        for engine in CASES[case]:
            if args.engines and engine not in args.engines:
                continue
            repeat = 3 if case == "mem" else 1
            row = measure(engine, path, repeat, rounds=2)
            row["verdict"] = verdict(case, row)
            rows.append(row)
            print(_line(case, sizes[case], row), flush=True)
        report["cases"][case] = {"rows": sizes[case], "results": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {args.out}")
    return 0


def _fmt(value: float | None, spec: str) -> str:
    return format(value, spec) if isinstance(value, int | float) else "-"


def _line(case: str, rows: int, row: dict) -> str:
    bare, ours, unit = row["bare"], row["ours"], row["ours-unit"]
    return (f"{case:5} {rows:>11,} {row['engine']:15} {_fmt(bare.get('best_s'), '8.2f')} "
            f"{_fmt(ours.get('best_s'), '8.2f')} {_fmt(ours.get('ratio'), '6.2f')} "
            f"{_fmt(unit.get('best_s'), '8.2f')} {_fmt(unit.get('ratio'), '6.2f')} "
            f"{_fmt(ours.get('peak_rss_gib'), '8.2f')} {_fmt(ours.get('memory_ratio'), '6.2f')}"
            f"  {row['verdict']}")


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("pandas", "numpy", "polars", "duckdb", "pyspark", "pyarrow"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "absent"
    return out


def run() -> list[dict]:
    """For ``benchmarks/run.py``: the quick size, as rows of its extra table."""
    out = RESULTS / "engines_quick.json"
    main(["--quick", "--out", str(out)])
    report = json.loads(out.read_text())
    return [{"case": f"engines-{case}", "engine": r["engine"],
             "ratio": r["ours"].get("ratio"), "verdict": r["verdict"]}
            for case, block in report["cases"].items() for r in block["results"]]


if __name__ == "__main__":
    raise SystemExit(main())
