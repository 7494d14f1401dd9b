"""Scan the syntax file of a request: no server names, paths or data may leave with it.

Output checkers accept syntax files "only without data or server names" (DESIGN.md). The code
is the notebooks' code cells with outputs stripped (``notebook.notebook_code``); this module
finds what must still come out of it. Findings are dicts shaped like ``inspect.Finding``.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from typing import Any

# A literal with at least this many values is data, not code.
LONG_LITERAL = 20
# Base64 runs this long are embedded files (images, pickles, data), never code.
BASE64_RUN = 200

# Two backslashes (four when escaped in a string) opening a quoted or spaced token: a drive
# path such as "C:\\Users\\bob" is not a UNC path.
_UNC = re.compile(r"(?:^|(?<=[\s\"'(=,]))(?:\\{4}|\\{2})[A-Za-z0-9][\w.$-]*\\{1,2}[\w.$-]+")
_URL_HOST = re.compile(r"\b[a-z][a-z0-9+.-]*://(?:[^/\s@'\"]+@)?([A-Za-z0-9.-]+)", re.IGNORECASE)
_IP = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
# Host names with a domain part typical of institutions and internal networks.
_FQDN = re.compile(
    r"\b(?:[A-Za-z0-9-]+\.)+(?:ac\.uk|nhs\.uk|gov\.uk|org\.uk|co\.uk|local|internal|corp|lan|"
    r"intranet|private|com|org|net|edu)\b",
    re.IGNORECASE,
)
_CONNECTION = re.compile(
    r"\b(?:server|host|hostname|dsn|data source|uid|pwd)\s*=\s*[^\s;,)'\"]+", re.IGNORECASE
)
_ABSOLUTE = re.compile(r"^(?:/(?:[\w.-]+)|[A-Za-z]:[\\/]|~[\\/]|\\\\)")
_BASE64 = re.compile(rf"[A-Za-z0-9+/]{{{BASE64_RUN},}}={{0,2}}")
_COLLECTIONS = (ast.List, ast.Tuple, ast.Set, ast.Dict)
_DATAFRAME_NAMES = {"DataFrame", "Series", "array", "from_dict", "from_records"}


def scan_code(code: str, where: str) -> list[dict[str, Any]]:
    """Findings for one code file; ``where`` names the file in messages."""
    findings: list[dict[str, Any]] = []
    for number, line in enumerate(code.splitlines(), start=1):
        findings += _line_findings(line, f"{where} line {number}")
    findings += _literal_findings(code, where)
    findings += _data_findings(code, where)
    return findings


def _finding(code: str, message: str, where: str) -> dict[str, Any]:
    return {"code": code, "severity": "error", "message": message, "where": where}


def _line_findings(line: str, where: str) -> list[dict[str, Any]]:
    found = []
    if _UNC.search(line):
        found.append(_finding("code-unc-path", "A network (UNC) path names a server.", where))
    hosts = [m.group(1) for m in _URL_HOST.finditer(line)]
    hosts += _IP.findall(line) + [m.group(0) for m in _FQDN.finditer(line)]
    hosts += [m.group(0) for m in _CONNECTION.finditer(line)]
    if hosts:
        found.append(
            _finding(
                "code-server-name",
                f"A server name or address ({hosts[0]}) is in the code; remove it.",
                where,
            )
        )
    if _BASE64.search(line):
        found.append(
            _finding("code-inline-data", "A long base64 run (an embedded file) is in the code.",
                     where)
        )
    return found


def _literal_findings(code: str, where: str) -> list[dict[str, Any]]:
    """Absolute paths in string literals (comments included: they leave with the file)."""
    found = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [_finding("code-unreadable", "The code could not be read as Python.", where)]
    for token in tokens:
        if token.type == tokenize.STRING:
            try:
                value = ast.literal_eval(token.string)
            except (ValueError, SyntaxError):
                continue
            texts = [value] if isinstance(value, str) else []
        elif token.type == tokenize.COMMENT:
            texts = re.findall(r"[\"']([^\"']+)[\"']|(\S+)", token.string[1:])
            texts = [a or b for a, b in texts]
        else:
            continue
        for text in texts:
            if isinstance(text, str) and _ABSOLUTE.match(text.strip()):
                found.append(
                    _finding(
                        "code-absolute-path",
                        f"An absolute path ({text.strip()[:40]}) shows where the data live; use a "
                        f"path relative to the project.",
                        f"{where} line {token.start[0]}",
                    )
                )
    return found


def _data_findings(code: str, where: str) -> list[dict[str, Any]]:
    """Inline data: long literal collections, data frames built from literals."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    found = []
    reported: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _call_name(node) in _DATAFRAME_NAMES:
            constants = sum(_count_constants(arg) for arg in [*node.args, *node.keywords])
            if constants >= LONG_LITERAL:
                found.append(
                    _finding(
                        "code-inline-data",
                        f"{_call_name(node)}(...) is built from {constants} literal values: data "
                        f"in the code. Read the data from its file instead.",
                        f"{where} line {node.lineno}",
                    )
                )
                reported.update(id(n) for n in ast.walk(node))
        elif isinstance(node, _COLLECTIONS) and id(node) not in reported:
            values = node.values if isinstance(node, ast.Dict) else node.elts
            constants = sum(isinstance(v, ast.Constant) for v in values)
            if constants >= LONG_LITERAL:
                found.append(
                    _finding(
                        "code-inline-data",
                        f"A literal with {constants} values is in the code: data in the code.",
                        f"{where} line {node.lineno}",
                    )
                )
                reported.update(id(n) for n in ast.walk(node))
    return found


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _count_constants(node: ast.AST) -> int:
    return sum(isinstance(n, ast.Constant) for n in ast.walk(node))
