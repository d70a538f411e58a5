"""Find every user-facing message written in the source, as a template with named placeholders.

The catalogue test runs this over skpdgen/**/*.py: each diagnostic, error and hint written as a
string literal or f-string at a call site becomes a template such as "unknown key '{key}'", and
any template without a catalogue entry is listed, ready to paste into skpdgen/messages/id.yaml.
Messages built in variables far from the call cannot be seen here; they are matched at output time
all the same if their shape is in the catalogue.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# call -> positions of (message, hint) arguments
_METHODS = {"error": (2, 3), "warning": (2, 3), "warn": (1, 2), "_error": (1, 2),
            "_warn": (1, 2)}
_FUNCTIONS = {"_finding": (4, 5), "print": (0,), "_say": (0,), "UsageError": (0,)}
_CLASSES = {"Diagnostic": (3, 4), "Finding": (2, 3), "Target": (3,), "InstallProblem": (1, 2)}
_ERROR_ARGS = (0, 1, 2)                # SomethingError(message, line?, hint?)
# functions whose returned text is (part of) a message
_HINT_FUNCTIONS = re.compile(r"(^|_)(hint|problem|message)$|^did_you_mean$|^check_|^unknown_")
# tables written in Indonesian for the web editor's form (never printed by the command line)
NOT_MESSAGE_TABLES = frozenset({("skpdgen/editor/config.py", "HINTS")})
# text that looks like a message to the rules above but never reaches a reader as one
# exceptions whose text never reaches a reader: the fast Markdown engine's reasons to hand a
# body back (counted, not shown), the catalogue's own errors (a bug in skpdgen, caught by tests)
NOT_MESSAGE_RAISES = frozenset({"HandBack", "CatalogueError"})
NOT_MESSAGES = frozenset({
    'id: {}\nevent: {}\ndata: {{"generation": {}}}\n\n',
})
_MESSAGE_NAMES = re.compile(r"^(message|hint|line|_?[A-Z_]*(HINTS?|MESSAGES?|HELP))$")
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{[^{}]*\}")


@dataclass(frozen=True, slots=True)
class Found:
    """One message template and where it is written."""

    template: str
    path: str
    line: int


def shape(template: str) -> str:
    """A template with its placeholder names removed: what matching compares."""
    return _PLACEHOLDER.sub(lambda m: m.group(0) if m.group(0) in ("{{", "}}") else "{}",
                            template)


def scan_tree(root: Path) -> list[Found]:
    """Every message template in the Python files under `root` (sorted, with duplicates)."""
    found: list[Found] = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        rel = path.relative_to(root.parent).as_posix()
        for node, template in _messages(tree, rel):
            found.append(Found(template, rel, getattr(node, "lineno", 0)))
    return found


def _messages(tree: ast.AST, rel: str = "") -> Iterator[tuple[ast.AST, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args \
                and not _is_error_name(node.exc.func) \
                and _call_name(node.exc.func) not in NOT_MESSAGE_RAISES:
            # raise NoBuild("..."): any exception raised with a message, whatever its name
            for template in _templates(node.exc.args[0]):
                yield node.exc.args[0], template
        if isinstance(node, ast.Call):
            for arg in _message_args(node):
                for template in _templates(arg):
                    yield arg, template
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and _is_message_name(node) and \
                (rel, _target(node)) not in NOT_MESSAGE_TABLES:
            assert node.value is not None
            values = node.value.values if isinstance(node.value, ast.Dict) else [node.value]
            for value in values:
                for template in _templates(value):
                    yield node, template
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                _HINT_FUNCTIONS.search(node.name):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Return) and sub.value is not None:
                    # a tuple: (line, message, hint), as yamlio's _quote_problem returns
                    values = sub.value.elts if isinstance(sub.value, ast.Tuple) else [sub.value]
                    for value in values:
                        for template in _templates(value):
                            yield sub, template


def _call_name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else \
        func.id if isinstance(func, ast.Name) else ""


def _is_error_name(func: ast.expr) -> bool:
    """An exception whose arguments _message_args reads already (SomethingError)."""
    name = _call_name(func)
    return name.endswith("Error") and name not in ("ConfigError", "CatalogueError")


def _target(node: ast.Assign | ast.AnnAssign) -> str:
    target = node.targets[0] if isinstance(node, ast.Assign) else node.target
    return target.id if isinstance(target, ast.Name) else ""


def _is_message_name(node: ast.Assign | ast.AnnAssign) -> bool:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return node.value is not None and any(
        isinstance(t, ast.Name) and _MESSAGE_NAMES.search(t.id) for t in targets)


def _message_args(call: ast.Call) -> Iterator[ast.expr]:
    func = call.func
    name = _call_name(func)
    positions: tuple[int, ...] = ()
    if isinstance(func, ast.Attribute) and name in _METHODS:
        positions = _METHODS[name]
    elif name in _CLASSES:
        positions = _CLASSES[name]
    elif name in _FUNCTIONS:
        positions = _FUNCTIONS[name]
    elif _is_error_name(func):
        positions = _ERROR_ARGS
    for index in positions:
        if index < len(call.args):
            yield call.args[index]
    for keyword in call.keywords:
        if keyword.arg in ("message", "hint") or (keyword.arg == "help" and name ==
                                                   "add_argument"):
            yield keyword.value


def _templates(node: ast.expr) -> list[str]:
    """The templates an expression can produce; [] when it is not written here."""
    parts = _parts(node)
    return [t for t in parts if _PLACEHOLDER.sub("", t).strip() and
            shape(t) not in NOT_MESSAGES] if parts else []


def _parts(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value.replace("{", "{{").replace("}", "}}")]
    if isinstance(node, ast.JoinedStr):
        return [_joined(node)]
    if isinstance(node, ast.IfExp):
        return _parts(node.body) + _parts(node.orelse)
    if isinstance(node, ast.BoolOp):
        return [t for value in node.values for t in _parts(value)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _parts(node.left) or ["{" + _name(node.left) + "}"]
        right = _parts(node.right) or ["{" + _name(node.right) + "}"]
        if left[0].startswith("{") and right[0].startswith("{") and \
                not (_parts(node.left) or _parts(node.right)):
            return []
        return [_dedupe(a + b) for a in left for b in right]
    return []


def _joined(node: ast.JoinedStr) -> str:
    text = ""
    for value in node.values:
        if isinstance(value, ast.Constant):
            text += str(value.value).replace("{", "{{").replace("}", "}}")
        elif isinstance(value, ast.FormattedValue):
            text += "{" + _name(value.value) + "}"
    return _dedupe(text)


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id.strip("_") or "value"
    if isinstance(node, ast.Attribute):
        return node.attr.strip("_") or "value"
    if isinstance(node, ast.Subscript):
        return _name(node.value)
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr == "join" and node.args:
            return _name(node.args[0])
        return _name(node.func) if not isinstance(node.func, ast.Lambda) else "value"
    if isinstance(node, (ast.GeneratorExp, ast.ListComp)):
        return _name(node.elt)
    return "value"


def _dedupe(template: str) -> str:
    """Give repeated placeholder names a number: '{a} {a}' -> '{a} {a2}'."""
    seen: dict[str, int] = {}

    def rename(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token
        name = token[1:-1]
        seen[name] = seen.get(name, 0) + 1
        return token if seen[name] == 1 else "{" + f"{name}{seen[name]}" + "}"
    return _PLACEHOLDER.sub(rename, template)
