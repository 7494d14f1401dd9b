"""The request folder is written safely: a new folder per export, never overwriting an earlier
request, never left half-written (an error, a kill, a full or read-only disk, two exports at
once)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
from datetime import datetime
from pathlib import Path

import pytest

from jupyter_sdc.export.preflight import inspect_request
from jupyter_sdc.export.request import ExportError, export_records

sys.path.insert(0, str(Path(__file__).parent))
from test_request import (  # noqa: E402
    DAY,
    NOW,
    SDC_TOML,
    make_project,
    records,
    sdc_entries,
    staging_left,
    tree,
)


@pytest.fixture
def config(tmp_path: Path):
    return make_project(tmp_path / "project")


# -- the folder ---------------------------------------------------------------------------
def test_a_missing_sdc_folder_is_created(config) -> None:
    assert not config.sdc_folder.exists()
    result = export_records(records(), config, now=NOW)
    assert result.folder.parent == config.sdc_folder
    assert any("did not exist; it was created" in w for w in result.warnings)


def test_an_sdc_folder_that_is_a_file_is_refused(config) -> None:
    config.sdc_folder.write_text("not a folder")
    with pytest.raises(ExportError, match="is a file, not a folder"):
        export_records(records(), config, now=NOW)


def test_an_export_failing_half_way_leaves_nothing(config, monkeypatch) -> None:
    from jupyter_sdc.export import results_json

    export_records(records(), config, now=NOW)
    before = tree(config.sdc_folder)

    def crash(folder: Path) -> list[str]:
        raise RuntimeError("killed while writing checksums")

    monkeypatch.setattr(results_json, "write_checksums", crash)
    with pytest.raises(RuntimeError, match="killed"):
        export_records(records(), config, now=NOW)
    assert sdc_entries(config) == [DAY] and tree(config.sdc_folder) == before
    assert staging_left(config) == []


def test_an_export_killed_half_way_leaves_no_request_folder(config, tmp_path: Path) -> None:
    """A real SIGKILL in the middle of writing: the SDC folder holds no partial request."""
    data = tmp_path / "records.json"
    data.write_text(json.dumps(records()))
    script = textwrap.dedent("""
        import json, sys, time
        from jupyter_sdc.export import results_json
        from jupyter_sdc.export.config import load_config
        from jupyter_sdc.export.request import export_records
        def stall(folder):
            print("writing", flush=True)
            time.sleep(60)
        results_json.write_checksums = stall
        export_records(json.load(open(sys.argv[2])), load_config(sys.argv[1]))
    """)
    process = subprocess.Popen([sys.executable, "-c", script, str(config.path), str(data)],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "writing"
        assert sdc_entries(config) == []  # mid-write: nothing visible in the SDC folder
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert sdc_entries(config) == []
    assert len(staging_left(config)) == 1  # the hidden staging sibling, outside the SDC folder
    result = export_records(records(), config, now=NOW)  # the next export is unaffected
    assert result.folder.name == DAY and sdc_entries(config) == [DAY]
    assert staging_left(config) == []  # its lock named a process that is gone: removed


def test_staging_is_removed_only_when_its_lock_names_a_process_that_is_gone(config) -> None:
    """Not by age: a day-old staging folder may be a slow export still at work."""
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    host = socket.gethostname()
    locks = {"dead": f"{host} {gone}", "alive": f"{host} {os.getpid()}",
             "other-host": f"elsewhere.example {gone}", "unreadable": "garbage", "no-lock": None}
    day_ago = datetime.now().timestamp() - 25 * 3600
    for name, lock in locks.items():
        folder = config.root / f".SDC.staging-{name}"
        folder.mkdir()
        (folder / "outputs.docx").write_bytes(b"half")
        os.utime(folder, (day_ago, day_ago))
        if lock is not None:
            (config.root / f"{folder.name}.lock").write_text(lock)
    export_records(records(), config, now=NOW)
    assert sorted(staging_left(config)) == sorted(
        f".SDC.staging-{n}" for n in locks if n != "dead")
    assert not (config.root / ".SDC.staging-dead.lock").exists()


def test_two_exports_at_the_same_moment_both_succeed(config) -> None:
    barrier = threading.Barrier(4)
    results, errors = [], []

    def run() -> None:
        barrier.wait()
        try:
            results.append(export_records(records(), config, now=NOW))
        except Exception as exc:  # collected: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(r.folder.name for r in results) == [DAY, f"{DAY}_2", f"{DAY}_3", f"{DAY}_4"]
    for result in results:
        assert inspect_request(result.folder)["ok"]  # each is complete, checksums valid
    assert staging_left(config) == []


def test_two_processes_exporting_at_once_get_two_folders(config, tmp_path: Path) -> None:
    data = tmp_path / "records.json"
    data.write_text(json.dumps(records()))
    script = ("import json, sys\nfrom jupyter_sdc.export.config import load_config\n"
              "from jupyter_sdc.export.request import export_records\n"
              "print(export_records(json.load(open(sys.argv[2])), "
              "load_config(sys.argv[1])).folder.name)")
    processes = [subprocess.Popen([sys.executable, "-c", script, str(config.path), str(data)],
                                  stdout=subprocess.PIPE, text=True) for _ in range(2)]
    names = [p.communicate(timeout=120)[0].strip() for p in processes]
    assert all(p.returncode == 0 for p in processes)
    assert len(set(names)) == 2 and sorted(names) == sdc_entries(config)


# -- read-only and full disks, for real, in a private mount namespace -----------------------
def _unshare_works() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-Urm", "true"], capture_output=True).returncode == 0


needs_mounts = pytest.mark.skipif(
    not _unshare_works(),
    reason="needs `unshare -Urm` (user + mount namespaces) to mount a read-only or full disk")

_ISOLATED = textwrap.dedent("""
    import json, os, sys
    from pathlib import Path
    from jupyter_sdc.export.config import load_config
    from jupyter_sdc.export.request import ExportError, export_records
    project, records = Path(sys.argv[1]), json.load(open(sys.argv[2]))
    config = load_config(project / "sdc.toml")
    if sys.argv[3] == "full":  # leave 16 KiB free: the first document does not fit
        stat = os.statvfs(project)
        with open(project / "filler", "wb") as handle:
            handle.write(b"x" * (stat.f_bavail * stat.f_frsize - 16384))
    try:
        export_records(records, config)
        outcome = "exported"
    except ExportError as exc:
        outcome = str(exc)
    print(json.dumps({"outcome": outcome, "sdc": sorted(os.listdir(config.sdc_folder)),
                      "root": sorted(os.listdir(project))}))
""")


def _run_isolated(tmp_path: Path, mounts: str, mode: str) -> dict:
    project = tmp_path / "project"
    data = tmp_path / "records.json"
    data.write_text(json.dumps(records()))
    shell = (f"{mounts} && cp \"$4\" \"$1/sdc.toml\" && mkdir -p \"$1/SDC\" && "
             f"{{ [ \"$3\" != ro ] || mount -o remount,bind,ro \"$1/SDC\"; }} && "
             f"exec \"$5\" -c \"$6\" \"$1\" \"$2\" \"$3\"")
    toml = tmp_path / "sdc.toml"
    toml.write_text(SDC_TOML.replace("{on_problems}", "refuse").replace("{include_code}",
                                                                          "false"))
    project.mkdir()
    done = subprocess.run(
        ["unshare", "-Urm", "sh", "-c", shell, "sh", str(project), str(data), mode, str(toml),
         sys.executable, _ISOLATED], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@needs_mounts
def test_a_full_disk_gives_a_clear_message_and_leaves_nothing(tmp_path: Path) -> None:
    report = _run_isolated(tmp_path, 'mount -t tmpfs -o size=2m tmpfs "$1"', "full")
    assert "is full: nothing was written" in report["outcome"]
    assert report["sdc"] == []
    assert [n for n in report["root"] if "staging" in n] == []


@needs_mounts
def test_a_read_only_sdc_folder_gives_a_clear_message(tmp_path: Path) -> None:
    mounts = 'mkdir -p "$1/SDC" && mount --bind "$1/SDC" "$1/SDC"'
    report = _run_isolated(tmp_path, mounts, "ro")
    assert "is read-only for you: nothing was written" in report["outcome"]
    assert report["sdc"] == [] and [n for n in report["root"] if "staging" in n] == []
