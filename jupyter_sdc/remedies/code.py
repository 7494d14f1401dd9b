"""A remedy's code: the researcher's own statement, edited, under a ``%%sdc_check`` line.

The cell that made the failing output is parsed; the call that made it is found by its name and
the variables it names; a remedy edits that call's text (wraps a key in ``sdc.merge_levels``,
a frame in ``.assign(col=lambda d: ...)``, sets ``bins=``, …). The new cell is the statement
with the edits, and the lines after it that show what it assigned, under the original cell's
``%%sdc_check`` options with the same label and ``--supersedes`` the failing output.
"""

from __future__ import annotations

import ast
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

MAGIC = "%%sdc_check"
#: options of the original magic line a remedy sets itself
_OWN_OPTIONS = {"--label": 1, "--supersedes": 1, "--suppress": 0, "--round": 1}


class NoCode(Exception):
    """The call behind the output cannot be found or edited in the cell's code."""


@dataclass
class Edit:
    start: int
    end: int
    text: str


def _blank_magics(text: str) -> tuple[str | None, str]:
    """The ``%%sdc_check`` options and the body with IPython-only lines blanked (same offsets)."""
    lines = text.splitlines(keepends=True)
    magic = None
    if lines and lines[0].lstrip().startswith(MAGIC):
        magic = lines[0].strip()[len(MAGIC):].strip()
        lines = lines[1:]
    body = "".join(lines)
    blanked = "".join("#" + line[1:] if line.lstrip().startswith(("%", "!")) and line.strip()
                      else line for line in body.splitlines(keepends=True))
    return magic, blanked


@dataclass
class Site:
    """Where in the cell the call is: its node, its statement and the cell's text."""

    body: str
    magic: str | None
    tree: ast.Module
    call: ast.Call
    statement: ast.stmt
    edits: list[Edit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._starts = [0]
        for line in self.body.splitlines(keepends=True):
            self._starts.append(self._starts[-1] + len(line))

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = self._starts[node.lineno - 1] + _char(self.body, self._starts[node.lineno - 1],
                                                      node.col_offset)
        end = self._starts[node.end_lineno - 1] + _char(self.body,
                                                        self._starts[node.end_lineno - 1],
                                                        node.end_col_offset)
        return start, end

    def text(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.body[start:end]

    def replace(self, node: ast.AST, text: str) -> None:
        start, end = self.span(node)
        for edit in self.edits:
            if edit.start < end and start < edit.end:
                raise NoCode("two changes to the same part of the call")
        self.edits.append(Edit(start, end, text))

    def edited(self) -> str:
        """The statement with the edits applied, with the earlier statements of the cell that
        assign names it uses (``fig, ax = plt.subplots()``) and the later ones that show what
        they assigned (``t``, ``fig``)."""
        statements = self.tree.body
        keep = {statements.index(self.statement)}
        needed = _used(self.statement)
        for k in range(statements.index(self.statement) - 1, -1, -1):
            if _assigned(statements[k]) & needed:
                keep.add(k)
                needed |= _used(statements[k])
        assigned = set().union(*(_assigned(statements[k]) for k in keep))
        for k in range(statements.index(self.statement) + 1, len(statements)):
            stmt = statements[k]
            if isinstance(stmt, ast.Expr) and assigned and _names(stmt) <= assigned:
                keep.add(k)
        text = self.body
        spans = [self.span(statements[k]) for k in sorted(keep)]
        for edit in sorted(self.edits, key=lambda e: e.start, reverse=True):
            text = text[:edit.start] + edit.text + text[edit.end:]
            shift = len(edit.text) - (edit.end - edit.start)
            spans = [(a + (shift if a > edit.start else 0), b + (shift if b >= edit.end else 0))
                     for a, b in spans]
        return "\n".join(text[a:b] for a, b in spans)

    def chain(self) -> ast.expr:
        """The whole expression the call is part of (``df.groupby(k)["y"].max()``)."""
        stmt = self.statement
        value = getattr(stmt, "value", None)
        if isinstance(value, ast.expr) and any(n is self.call for n in ast.walk(value)):
            return value
        return self.call


def _char(text: str, line_start: int, byte_offset: int) -> int:
    """AST offsets count UTF-8 bytes; turn one into characters of its line."""
    line = text[line_start:].split("\n", 1)[0]
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def _assigned(stmt: ast.stmt) -> set[str]:
    targets = stmt.targets if isinstance(stmt, ast.Assign) else (
        [stmt.target] if isinstance(stmt, ast.AnnAssign | ast.AugAssign) else [])
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def _names(stmt: ast.stmt) -> set[str]:
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)}


def _used(stmt: ast.stmt) -> set[str]:
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Load)}


def call_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def mentioned(node: ast.AST) -> set[str]:
    """Column names a call's text mentions: strings, attributes and subscripts."""
    found = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            found.add(sub.value)
        elif isinstance(sub, ast.Attribute):
            found.add(sub.attr)
    return found


def locate(code: str, calls: Sequence[str], names: Sequence[str]) -> Site:
    """The call among ``calls`` in ``code`` that mentions most of ``names``."""
    magic, body = _blank_magics(code)
    try:
        tree = ast.parse(body)
    except SyntaxError as err:
        raise NoCode(f"the cell's code cannot be read ({err.msg})") from None
    found = [(stmt, node) for stmt in tree.body for node in ast.walk(stmt)
             if isinstance(node, ast.Call) and call_name(node) in calls]
    if not found:
        raise NoCode(f"no {' or '.join(calls)} call in the cell's code")
    wanted = set(map(str, names))
    stmt, node = max(found, key=lambda pair: len(mentioned(pair[1]) & wanted))
    return Site(body, magic, tree, node, stmt)


# -- pieces of a call ---------------------------------------------------------------------------
def argument(call: ast.Call, position: int | None, keyword: str | None) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if position is not None and position < len(call.args):
        arg = call.args[position]
        return None if isinstance(arg, ast.Starred) else arg
    return None


def receiver(call: ast.Call) -> ast.expr | None:
    return call.func.value if isinstance(call.func, ast.Attribute) else None


def elements(node: ast.expr | None) -> list[ast.expr]:
    if isinstance(node, ast.List | ast.Tuple):
        return list(node.elts)
    return [node] if node is not None else []


def set_keyword(site: Site, call: ast.Call, name: str, value: str,
                position: int | None = None) -> None:
    """``name=value`` in the call: its keyword (or positional argument) replaced, else added."""
    current = argument(call, position, name)
    if current is not None:
        site.replace(current, value)
        return
    end = site.span(call)[1] - 1  # before the closing parenthesis
    before = site.body[:end].rstrip()
    joiner = "" if before.endswith("(") else ", "
    site.edits.append(Edit(end, end, f"{joiner}{name}={value}"))


def assign_text(frame_text: str, columns: dict[str, str]) -> str:
    """``frame.assign(col=lambda d: <expr of d["col"]>)``; ``columns``: name -> expr template
    with ``{}`` where the column goes."""
    parts = []
    for name, template in columns.items():
        value = f"lambda d: {template.format(f'd[{name!r}]')}"
        parts.append(f"{name}={value}" if name.isidentifier() else f"**{{{name!r}: {value}}}")
    return f"{_atom(frame_text)}.assign({', '.join(parts)})"


def _atom(text: str) -> str:
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return f"({text})"
    simple = isinstance(node, ast.Name | ast.Attribute | ast.Subscript | ast.Call)
    return text if simple else f"({text})"


# -- the cell -----------------------------------------------------------------------------------
def magic_line(original: str | None, label: str | None, supersedes: str | None,
               suppress: bool = False, round_base: int | None = None) -> str:
    """The remedy cell's first line: the original options, the label, ``--supersedes``."""
    kept: list[str] = []
    tokens = shlex.split(original or "", posix=True) if original else []
    skip = 0
    for token in tokens:
        if skip:
            skip -= 1
            continue
        if token in _OWN_OPTIONS:
            skip = _OWN_OPTIONS[token]
            continue
        kept.append(token)
    options = [MAGIC]
    if label:
        options.append(f"--label {_quoted(label)}")
    options += [_quoted(t) if t[:2] != "--" else t for t in kept]
    if suppress:
        options.append("--suppress")
    if round_base:
        options.append(f"--round {int(round_base)}")
    if supersedes:
        options.append(f"--supersedes {supersedes}")
    return " ".join(options)


def _quoted(text: str) -> str:
    if text and all(c.isalnum() or c in "-_.:/" for c in text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def user_namespace() -> dict[str, Any]:
    """The researcher's names: IPython's user namespace, else ``__main__``'s."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None:
        return shell.user_ns
    return getattr(sys.modules.get("__main__"), "__dict__", {})


def sdc_alias() -> str | None:
    """The name the researcher's namespace gives jupyter_sdc (``sdc`` usually), if any."""
    names = user_namespace()
    if getattr(names.get("sdc"), "__name__", None) == "jupyter_sdc":
        return "sdc"
    for name, value in list(names.items()):
        if getattr(value, "__name__", None) == "jupyter_sdc" and not name.startswith("_"):
            return name
    return None


def cell(magic: str, body: str, alias: str | None) -> str:
    lines = [magic]
    if alias is None:
        lines.append("import jupyter_sdc as sdc")
    lines.append(body)
    return "\n".join(lines)


def literal(value: Any) -> str:
    """Python source for a mapping, list or scalar of labels and numbers."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, bool | int | str) or value is None:
        return repr(value)
    return repr(str(value))
