"""Edits of the call behind an output, by the role of each of its variables.

Which argument of a call holds a key, the data frame or the summarised values depends on the
call (``pd.crosstab(index, columns, values)``, ``df.groupby(by)``, ``pivot_table(data, values,
index, columns)``, ``ax.hist(x, bins)``, …): this module knows it, for every call a recipe
names, so a remedy says only what it changes.
"""

from __future__ import annotations

import ast

from jupyter_sdc.remedies.code import (
    NoCode,
    Site,
    argument,
    assign_text,
    elements,
    receiver,
    set_keyword,
    user_namespace,
)
from jupyter_sdc.remedies.recipe import Recipe


def _is_text(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _names_key(node: ast.expr, name: str) -> bool:
    if _is_text(node):
        return node.value == name
    if isinstance(node, ast.Attribute):
        return node.attr == name
    if isinstance(node, ast.Subscript):
        return _is_text(node.slice) and node.slice.value == name
    return False


def _module_like(node: ast.expr | None) -> bool:
    """``pd.pivot_table(df, …)`` / ``sdc.pivot_table(df, …)``: the receiver is a module or a
    jupyter_sdc session, so the data frame is the first argument."""
    if isinstance(node, ast.Call):  # sdc.session().pivot_table(df, ...)
        return True
    if not isinstance(node, ast.Name):
        return False
    value = user_namespace().get(node.id)
    module = type(value).__module__ or ""
    return node.id in ("pd", "pandas", "sdc") or type(value).__name__ == "module" or \
        module.startswith("jupyter_sdc")


class Editor:
    """Edits of one located call for one recipe; column recodes share one ``.assign``."""

    def __init__(self, recipe: Recipe, site: Site) -> None:
        self.recipe = recipe
        self.site = site
        self.call = site.call
        self._columns: dict[str, str] = {}

    # -- where things are --------------------------------------------------------------------
    def _function_style(self) -> bool:
        return _module_like(receiver(self.call))

    def key_nodes(self, role: str) -> list[ast.expr]:
        call, kind = self.call, self.recipe.call
        if kind == "crosstab":
            return elements(argument(call, 0 if role == "index" else 1, role))
        if kind == "groupby":
            return elements(argument(call, 0, "by"))
        if kind == "pivot_table":
            first = 2 if self._function_style() else 1
            return elements(argument(call, first + (role == "columns"), role))
        return []

    def key_node(self, i: int) -> ast.expr | None:
        key = self.recipe.keys[i]
        if self.recipe.call == "value_counts":
            return receiver(self.call) if len(self.recipe.keys) == 1 else None
        if self.recipe.call == "groupby":
            nodes, position = self.key_nodes("by"), i
        else:
            nodes = self.key_nodes(key.role)
            position = sum(k.role == key.role for k in self.recipe.keys[:i])
        for node in nodes:  # a key written as its name: "region", df.region, df["region"]
            if _names_key(node, key.name):
                return node
        return nodes[position] if position < len(nodes) else None

    def frame_node(self) -> ast.expr | None:
        call, kind = self.call, self.recipe.call
        if kind in ("groupby", "value_counts"):
            return receiver(call)
        if kind == "hist":
            column = argument(call, 1, "column")
            if _is_text(column):
                return argument(call, 0, "data") if call.args else receiver(call)
            return None
        if kind in ("pivot_table", "describe", "stat"):
            if self._function_style():
                return argument(call, 0, "data")
            return receiver(call)
        if kind == "model":
            return argument(call, 1, "data")
        return None

    def values_node(self, name: str) -> ast.expr | None:
        call, kind = self.call, self.recipe.call
        if kind == "crosstab":
            return argument(call, 2, "values")
        if kind == "stat" or (kind == "describe" and self.recipe.options.get("series")):
            return argument(call, 0, "data") if self._function_style() else receiver(call)
        if kind == "hist":
            if self.frame_node() is not None:
                return None
            return call.args[0] if call.args else receiver(call)
        return None

    # -- changes -----------------------------------------------------------------------------
    def recode_key(self, i: int, template: str) -> None:
        """Key ``i`` recoded: ``template`` has ``{}`` where the key's values go."""
        node = self.key_node(i)
        if node is not None and not _is_text(node):
            self.site.replace(node, template.format(self.site.text(node)))
            return
        self._recode_column(self.recipe.keys[i].name, template)

    def recode_values(self, name: str, template: str) -> None:
        node = self.values_node(name)
        if node is not None and not _is_text(node):
            self.site.replace(node, template.format(self.site.text(node)))
            return
        self._recode_column(name, template)

    def _recode_column(self, name: str, template: str) -> None:
        frame = self.recipe.frame
        if frame is not None and name not in getattr(frame, "columns", ()):
            raise NoCode(f"{name!r} is not a column of the call's data frame")
        if self.frame_node() is None:
            raise NoCode("the call's data frame is not in the cell's code")
        self._columns[name] = template

    def drop_key(self, i: int) -> None:
        key = self.recipe.keys[i]
        nodes = self.key_nodes(key.role)
        node = self.key_node(i)
        holder = None
        for candidate in ast.walk(self.call):
            if isinstance(candidate, ast.List | ast.Tuple) and node in candidate.elts:
                holder = candidate
        if holder is None or len(nodes) < 2:
            raise NoCode(f"{key.name} is not one of a list of keys in the code")
        kept = [self.site.text(n) for n in holder.elts if n is not node]
        text = ", ".join(kept)
        self.site.replace(holder, f"[{text}]" if isinstance(holder, ast.List) else
                          f"({text}{',' if len(kept) == 1 else ''})")

    def set_option(self, name: str, value: str, position: int | None = None) -> None:
        set_keyword(self.site, self.call, name, value, position)

    def finish(self) -> str:
        """The edited code of the statement (column recodes joined into one ``.assign``)."""
        if self._columns:
            node = self.frame_node()
            self.site.replace(node, assign_text(self.site.text(node), self._columns))
            self._columns = {}
        return self.site.edited()
