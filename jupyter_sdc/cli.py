"""``jupyter sdc …``: init a project config, export notebooks, inspect a document or request,
list the rule profiles.

Exit codes: 0 done (``export``: a request was written, with or without warnings), 1 refused
or findings (``export``: nothing was written), 2 usage error (bad arguments, not an .ipynb).
Messages name files relative to the current folder.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from jupyter_sdc._version import __version__

OK, FINDINGS, USAGE = 0, 1, 2
_NAME_MAX, _PATH_MAX = 255, 4096  # bytes, as Linux file systems allow


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jupyter sdc",
        description="Statistical disclosure control for Jupyter: write a project config, export "
        "checked outputs as a release request, inspect documents before you submit them.",
    )
    parser.add_argument("--version", action="version", version=f"jupyter_sdc {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    init = commands.add_parser("init", help="write a commented sdc.toml into a project folder")
    init.add_argument("directory", nargs="?", default=".", type=Path, metavar="DIR",
                      help="the project folder (default: the current folder)")

    export = commands.add_parser(
        "export", help="export the checked outputs saved in notebooks as one release request")
    export.add_argument("notebooks", nargs="+", type=Path, metavar="NOTEBOOK.ipynb")
    export.add_argument("--config", type=Path, default=None, metavar="SDC_TOML",
                        help="the project config (default: the sdc.toml above the notebook)")
    export.add_argument("--json", action="store_true", help="print the result as JSON")
    export.add_argument(
        "--allow-sdc-folder", action="append", type=Path, default=[], metavar="FOLDER",
        help="for TRE administrators (a wrapper script): a folder outside the project where "
             "export.sdc_folder may lead, as the TRE policy's [export] allowed_sdc_folders "
             "does (may be repeated; sdc.toml cannot allow one itself)")

    profiles = commands.add_parser(
        "profiles", help="list the rule profiles (TREs' published rules) with their sources")
    profiles.add_argument("--json", action="store_true", help="print them as JSON")

    inspect = commands.add_parser(
        "inspect", help="check a .docx or a request folder against the release requirements")
    inspect.add_argument("path", type=Path, metavar="FILE.docx|REQUEST_FOLDER")
    inspect.add_argument("--json", action="store_true", help="print the findings as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "init":
        return _init(args)
    if args.command == "profiles":
        return _profiles(args)
    paths = args.notebooks if args.command == "export" else [args.path]
    for path in paths:
        if _too_long(path):
            parser.error(f"{_shown(path)} is too long for a file name: check the path")
    if args.command == "export":
        for path in args.notebooks:
            if path.suffix != ".ipynb":
                parser.error(f"{_shown(path)} is not a notebook: give .ipynb files to export")
        return _export(args)
    path = args.path
    if not (path.is_dir() or (path.is_file() and path.suffix.lower() == ".docx")):
        parser.error(f"{_shown(path)} is neither a .docx file nor a request folder")
    return _inspect(args)


def _too_long(path: Path) -> bool:
    import os

    encoded = os.fsencode(path)
    return len(encoded) > _PATH_MAX or any(len(p) > _NAME_MAX for p in encoded.split(b"/"))


def _shown(path: Path) -> str:
    from jupyter_sdc.export.scope import Scope

    return Scope().show(path)


def _init(args: argparse.Namespace) -> int:
    from jupyter_sdc.export.config import ConfigError, init_config

    try:
        path = init_config(args.directory)
    except ConfigError as exc:
        print(f"jupyter sdc init: {exc}", file=sys.stderr)
        return FINDINGS
    print(f"Wrote {path}. Fill in every TODO value before you export.")
    return OK


def _profiles(args: argparse.Namespace) -> int:
    from jupyter_sdc.core.rules import profiles_catalogue

    catalogue = profiles_catalogue()
    if args.json:
        print(json.dumps(catalogue, indent=2))
        return OK
    for info in catalogue:
        rules = info["rules"]
        nk = " and ".join(f"({n}, {k:.0%})" for n, k in rules["nk"]) or "none"
        print(f"{info['name']} (version {info['version']}): {info['description']}")
        print(f"  threshold {rules['threshold']}, dominance {nk}, p% {rules['p_percent']:.0%}, "
              f"dof {rules['dof']}" + (f", then {' then '.join(rules['mitigation'])}"
                                       if rules["mitigation"] else ""))
        print(f"  source: {info['source']}")
        for url in info["urls"]:
            print(f"    {url}")
    print('Use one in sdc.toml ([rules] profile = "…") or with %%sdc_check --profile NAME.')
    return OK


def _export(args: argparse.Namespace) -> int:
    from jupyter_sdc.export.request import ExportError, export_notebooks
    from jupyter_sdc.export.scope import Scope

    scope = Scope.of(base=Path.cwd(), allowed=args.allow_sdc_folder)
    try:
        result = export_notebooks(args.notebooks, config_path=args.config, scope=scope)
    except ExportError as exc:
        print(f"jupyter sdc export: {exc}", file=sys.stderr)
        return FINDINGS
    folder = scope.show(result.folder)
    if args.json:
        print(json.dumps(result.to_dict(folder), indent=2))
        return OK
    print(f"Request written to {folder} ({len(result.included)} outputs).")
    for uid, reason in result.left_out:
        print(f"  left out {result.names.get(uid, uid)}: {reason}")
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    _print_findings(result.preflight["findings"])
    return OK  # written: warnings and preflight findings are for the checkers to see


def _inspect(args: argparse.Namespace) -> int:
    from jupyter_sdc.export import preflight

    if args.path.is_dir():
        report = preflight.inspect_request(args.path)
    else:
        findings = preflight.inspect_file(args.path, citations=_citations_near(args.path))
        report = {"ok": not any(f["severity"] == "error" for f in findings),
                  "findings": findings}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print_findings(report["findings"])
        print("ok: nothing to fix." if report["ok"] else "Not ready: fix the errors above.")
    return OK if report["ok"] else FINDINGS


def _citations_near(path: Path) -> list[str]:
    """The data citations of the project the document sits in, when it has an sdc.toml."""
    from jupyter_sdc.export.config import ConfigError, find_config, load_config

    try:
        return load_config(find_config(path)).citations
    except ConfigError:  # a document outside a project: the inspector looks for a DOI itself
        return []


def _print_findings(findings: list[dict]) -> None:
    for item in findings:
        print(f"{item['severity']}: {item['where']}: {item['message']} [{item['code']}]")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
