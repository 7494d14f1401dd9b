"""Issue 9, class 9: confinement and permissions (Build 2 and 8, DESIGN "Modes").

- a server export stops looking for sdc.toml at the server root;
- ``sdc_folder`` must resolve inside the project: ``..``, an absolute path, a symlink out or a
  dangling symlink is refused (exit 1 / 409) and nothing is written anywhere;
- request folders and files are never group- or world-writable, even under a 1777 SDC folder;
- staging is never inside the SDC folder (also when it is its own mount point, killed mid-way);
- messages are relative to the project or server root and echo no file content.

(From tests9; its ``jupyter sdc inspect FOLDER`` cases are the AUDIT engineer's.)
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from release_kit import (
    assert_clean_message,
    cli,
    notebook_of,
    only_request,
    passing_record,
    project_with_notebook,
    snapshot,
    write_project,
)


async def post_export(jp_fetch, path: str) -> tuple[int, dict]:
    response = await jp_fetch("jupyter-sdc", "export", method="POST",
                              body=json.dumps({"path": path}), raise_error=False)
    text = response.body.decode()
    try:
        return response.code, json.loads(text)
    except json.JSONDecodeError:
        return response.code, {"raw": text}


# -- config discovery stops at the server root -------------------------------------------------
async def test_a_server_export_ignores_an_sdc_toml_above_the_server_root(jp_fetch, jp_root_dir):
    outside = jp_root_dir.parent
    write_project(outside, sdc_folder='"released"')  # above the root: not this server's
    notebook_of(jp_root_dir / "analysis.ipynb", [passing_record()])
    before = sorted(p.name for p in outside.iterdir())
    code, reply = await post_export(jp_fetch, "analysis.ipynb")
    assert code == 409, reply
    assert "sdc.toml" in json.dumps(reply)
    assert not (outside / "released").exists()
    assert sorted(p.name for p in outside.iterdir()) == before


async def test_a_server_sdc_folder_outside_the_server_root_is_refused(jp_fetch, jp_root_dir):
    project_with_notebook(jp_root_dir / "project", sdc_folder='"../../escaped"')
    code, reply = await post_export(jp_fetch, "project/analysis.ipynb")
    assert code == 409, reply
    assert not (jp_root_dir.parent / "escaped").exists()
    assert_clean_message(json.dumps(reply), roots=[jp_root_dir])


# -- sdc_folder must stay inside the project ---------------------------------------------------
ESCAPES = ["dot-dot", "absolute outside", "symlink out", "dangling symlink"]


@pytest.mark.parametrize("escape", ESCAPES)
def test_an_sdc_folder_outside_the_project_is_refused(tmp_path, escape):
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "project"
    if escape == "dot-dot":
        project_with_notebook(root, sdc_folder='"../outside"')
    elif escape == "absolute outside":
        project_with_notebook(root, sdc_folder=json.dumps(str(outside)))
    else:
        project_with_notebook(root)
        target = outside if escape == "symlink out" else outside / "missing"
        (root / "SDC").symlink_to(target, target_is_directory=True)
    before = snapshot(tmp_path)
    done = cli("export", "analysis.ipynb", cwd=root)
    text = done.stdout + done.stderr
    assert done.returncode == 1, text
    assert snapshot(tmp_path) == before, "something was written"
    assert "sdc_folder" in text or "SDC folder" in text, text
    assert_clean_message(text, roots=[tmp_path])


# -- modes -------------------------------------------------------------------------------------
def test_request_folders_and_files_are_not_group_or_world_writable_under_a_1777_sdc(tmp_path):
    root = project_with_notebook(tmp_path / "project")
    (root / "SDC").mkdir()
    os.chmod(root / "SDC", 0o1777)  # a shared drop folder, as some TREs set it up
    done = cli("export", "analysis.ipynb", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    folder = only_request(root / "SDC")
    writable = [p.relative_to(root).as_posix() + f" {stat.filemode(p.stat().st_mode)}"
                for p in [folder, *folder.rglob("*")]
                if p.stat().st_mode & (stat.S_IWGRP | stat.S_IWOTH)]
    assert not writable, "group- or world-writable:\n" + "\n".join(writable)


# -- staging is never inside the SDC folder ----------------------------------------------------
DRIVER = """\
import os, signal, sys
from pathlib import Path

def die(*args, **kwargs):  # SIGKILL at the moment the request would be published
    os.kill(os.getpid(), signal.SIGKILL)

os.rename = os.replace = die
from jupyter_sdc.export.request import export_notebooks
export_notebooks([Path(sys.argv[1])])
"""

SCRIPT = """\
mount -t tmpfs tmpfs "$1" || exit 97
"$2" "$3" "$4"
echo "::entries::"
find "$1" -mindepth 1 -maxdepth 2 -printf '%P\\n'
umount "$1"
"""


def test_a_killed_export_leaves_nothing_in_an_sdc_folder_that_is_its_own_mount_point(tmp_path):
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs unshare and root to mount a private tmpfs")
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "true"],
                           capture_output=True)
    if probe.returncode != 0:
        pytest.skip("mount namespaces are not available here")
    root = project_with_notebook(tmp_path / "project")
    (root / "SDC").mkdir()
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    done = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", SCRIPT, "sh",
         str(root / "SDC"), sys.executable, str(driver), str(root / "analysis.ipynb")],
        capture_output=True, text=True, timeout=300, env=env)
    if done.returncode == 97:
        pytest.skip("cannot mount a tmpfs here")
    listed = done.stdout.split("::entries::", 1)[1].split()
    top = {entry.split("/")[0] for entry in listed}
    hidden = sorted(e for e in top if e.startswith("."))
    assert not hidden, f"hidden staging left inside the SDC folder: {hidden}"
    partial = sorted(e for e in top if f"{e}/results.json" not in listed)
    assert not partial, f"partial request folders: {partial}"


# -- messages: relative paths, no file content -------------------------------------------------
async def test_server_messages_name_files_relative_to_the_root(jp_fetch, jp_root_dir):
    root = project_with_notebook(jp_root_dir / "project")
    (root / "sdc.toml").write_text(
        (root / "sdc.toml").read_text().replace("Working paper", "Tweet"), encoding="utf-8")
    code, reply = await post_export(jp_fetch, "project/analysis.ipynb")
    assert code == 409, reply
    text = json.dumps(reply)
    assert "output_type" in text and "project/sdc.toml" in text, text
    assert_clean_message(text, roots=[jp_root_dir])


SECRET_ROWS = "person_id,income,postcode\n4471,182000,AB1 2CD\n4472,23000,EF3 4GH\n"


async def test_a_data_file_named_ipynb_is_not_echoed_by_the_server(jp_fetch, jp_root_dir):
    write_project(jp_root_dir / "project")
    (jp_root_dir / "project" / "extract.ipynb").write_text(SECRET_ROWS, encoding="utf-8")
    code, reply = await post_export(jp_fetch, "project/extract.ipynb")
    assert code in (400, 409), reply
    assert_clean_message(json.dumps(reply), roots=[jp_root_dir],
                         secrets=["4471", "182000", "AB1 2CD", "postcode"])
    response = await jp_fetch("jupyter-sdc", "outputs", params={"path": "project/extract.ipynb"},
                              raise_error=False)
    assert response.code in (400, 409)
    assert_clean_message(response.body.decode(), roots=[jp_root_dir],
                         secrets=["4471", "182000", "AB1 2CD", "postcode"])


def test_a_data_file_named_ipynb_is_not_echoed_by_the_cli(tmp_path):
    root = write_project(tmp_path / "project")
    (root / "extract.ipynb").write_text(SECRET_ROWS, encoding="utf-8")
    done = cli("export", "extract.ipynb", cwd=root)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "extract.ipynb" in done.stderr
    assert_clean_message(done.stdout + done.stderr, roots=[tmp_path],
                         secrets=["4471", "182000", "AB1 2CD", "postcode"])
