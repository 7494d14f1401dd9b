"""The main job on the example project: analyse, check, export a release request.

1. generate the synthetic data (if missing);
2. run ``analysis.ipynb`` in a real kernel (the ``%%sdc_check`` cells check every output);
3. print every output with its unweighted counts and status;
4. export an SDC-ready request into ``SDC/`` and list what it holds.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
MIME = "application/vnd.jupyter-sdc.output+json"


def _stale(csv: Path) -> bool:
    """Missing, or made by an older make_data.py (without the columns the notebook uses)."""
    if not csv.exists():
        return True
    with csv.open(encoding="utf-8") as handle:
        return "months_in_job" not in handle.readline()


def run_notebook() -> Path:
    if _stale(HERE / "data" / "lfs_synthetic.csv"):
        sys.path.insert(0, str(HERE))
        import make_data

        (HERE / "data").mkdir(exist_ok=True)
        make_data.make().to_csv(HERE / "data" / "lfs_synthetic.csv", index=False)
    nb = nbformat.read(HERE / "analysis.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(HERE)}}).execute()
    out = HERE / "executed" / "analysis.ipynb"
    out.parent.mkdir(exist_ok=True)
    nbformat.write(nb, out)
    return out


def show_records(path: Path) -> None:
    import pandas as pd

    from jupyter_sdc.core.record import Output

    nb = nbformat.read(path, as_version=4)
    latest: dict[str, dict] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            record = output.get("data", {}).get(MIME)
            if record:
                latest[record["uid"]] = record
    print(f"\n{len(latest)} checked outputs in {path.name}:")
    with pd.option_context("display.width", 120, "display.max_columns", 12):
        for record in latest.values():
            out = Output.from_dict(record)
            print(f"\n== {out.label or out.uid}: {out.title or ''}  [{out.status.value.upper()}]")
            for reason in out.reasons:
                print(f"   - {reason}")
            print("   unweighted counts:")
            print("   " + out.counts.to_string().replace("\n", "\n   "))


def export(path: Path) -> int:
    from jupyter_sdc.export.request import ExportRefused, export_notebooks

    try:
        result = export_notebooks([path], config_path=HERE / "sdc.toml")
    except ExportRefused as refused:
        print("\nExport refused; fix these and export again:")
        for problem in refused.problems:
            print(f"  - {problem}")
        return 1
    print(f"\nRequest written: {result.folder.relative_to(HERE)}")
    for item in sorted(result.folder.rglob("*")):
        if item.is_file():
            print(f"  {item.relative_to(result.folder)}  ({item.stat().st_size:,} bytes)")
    for uid, why in result.left_out:
        print(f"  left out {result.names.get(uid, uid)}: {why}")
    checker = result.folder.with_name(result.folder.name + ".checker")
    if checker.is_dir():
        print(f"For the output checkers (DO NOT RELEASE), beside it: {checker.relative_to(HERE)}/ "
              f"({', '.join(sorted(p.name for p in checker.iterdir()))})")
    findings = result.preflight.get("findings", [])
    print(f"preflight: {'ok' if result.preflight.get('ok') else 'problems'}, "
          f"{len(findings)} findings")
    for finding in findings:
        print(f"  - [{finding.get('severity')}] {finding.get('message')}")
    return 0


def main() -> int:
    executed = run_notebook()
    show_records(executed)
    return export(executed)


if __name__ == "__main__":
    sys.exit(main())
