"""The SQL of `storage/` stays portable, so the move to the Database facade runs it unchanged.

A source scan: every string literal of a storage module that reads as SQL (it holds an SQL
keyword) must use named `:parameters` and none of SQLite's own constructs. Those live in one
helper each in `storage/dialect.py`; the schema's DDL and migrations are per engine by design.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

STORAGE = Path(__file__).resolve().parents[2] / "storage"

# Per-engine by design: the dialect helpers, the schema (DDL, migrations, the legacy
# conversion of old SQLite files) and the engine layer.
_EXEMPT = ("dialect.py", "schema/", "sql/")

_SQL_WORDS = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|VALUES|WHERE|FROM|JOIN|AND|SET|LIMIT|PRAGMA|VACUUM)\b"
)

_UNPORTABLE = {
    "a ? placeholder (use a named :parameter)": r"\?",
    "INSERT OR IGNORE/REPLACE (use ON CONFLICT)": r"\bINSERT\s+OR\b",
    "IFNULL (use COALESCE)": r"\bifnull\s*\(",
    "rowid (use the declared key)": r"\b(_rowid_|rowid|oid)\b",
    "julianday": r"\bjulianday\s*\(",
    "strftime": r"\bstrftime\s*\(",
    "PRAGMA": r"\bPRAGMA\b",
    "dbstat": r"\bdbstat\b",
    "VACUUM": r"\bVACUUM\b",
    "a json_ function": r"\bjson_\w+\s*\(",
    "group_concat": r"\bgroup_concat\s*\(",
    "WITHOUT ROWID": r"\bWITHOUT\s+ROWID\b",
    "sqlite_master/sqlite_schema": r"\bsqlite_(master|schema)\b",
    "a temp. schema prefix": r"\btemp\.\w",
    "two-argument max/min (use dialect.greatest)": r"\b(max|min)\s*\([^()]*,",
}
# A fragment without a keyword (`"at >= ?"`, appended to a WHERE list) is SQL too.
_BARE_PLACEHOLDER = re.compile(r"(=|<|>|\(|,|\bIN)\s*\?\s*(,|\)|$)", re.IGNORECASE)
_PATTERNS = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in _UNPORTABLE.items()}


def _docstrings(tree: ast.AST) -> set[int]:
    """Ids of the docstring nodes: prose, not SQL."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _literals(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, text) of every string literal; an f-string's holes become `{}`."""
    skip = _docstrings(tree)
    inside_fstrings = {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for part in node.values
    }
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
            )
            found.append((node.lineno, text))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skip | inside_fstrings
        ):
            found.append((node.lineno, node.value))
    return found


def find_unportable(source: str) -> list[str]:
    """`line N: <construct>` for every SQL-looking literal using an unportable construct."""
    problems = []
    for line, text in _literals(ast.parse(source)):
        if not _SQL_WORDS.search(text):
            if _BARE_PLACEHOLDER.search(text):
                problems.append(f"line {line}: a ? placeholder in {text.strip()[:80]!r}")
            continue
        for name, pattern in _PATTERNS.items():
            if pattern.search(text):
                problems.append(f"line {line}: {name} in {text.strip()[:80]!r}")
    return problems


def _storage_modules() -> list[Path]:
    modules = []
    for path in sorted(STORAGE.rglob("*.py")):
        relative = path.relative_to(STORAGE).as_posix()
        if not relative.startswith(_EXEMPT):
            modules.append(path)
    return modules


@pytest.mark.parametrize(
    "module", _storage_modules(), ids=lambda p: p.relative_to(STORAGE).as_posix()
)
def test_storage_module_sql_is_portable(module: Path) -> None:
    problems = find_unportable(module.read_text(encoding="utf-8"))
    assert not problems, (
        f"{module.relative_to(STORAGE.parent)}: SQL that only SQLite runs; write it portably "
        "or call a helper of storage/dialect.py:\n" + "\n".join(problems)
    )


def test_the_scan_covers_the_storage_modules() -> None:
    names = {p.relative_to(STORAGE).as_posix() for p in _storage_modules()}
    assert {"cycles.py", "hive_off/sql.py", "alarms/store.py", "backlog/reads.py"} <= names
    assert "dialect.py" not in names


@pytest.mark.parametrize(
    ("snippet", "construct"),
    [
        ('SQL = "SELECT a FROM t WHERE b = ?"', "placeholder"),
        ('SQL = f"INSERT OR IGNORE INTO {t} (a) VALUES (:a)"', "INSERT OR"),
        ('SQL = "SELECT ifnull(a, 0) FROM t"', "IFNULL"),
        ('SQL = "SELECT max(rowid) FROM t"', "rowid"),
        ('SQL = "SELECT julianday(at) FROM t"', "julianday"),
        ("SQL = \"SELECT strftime('%s', at) FROM t\"", "strftime"),
        ('SQL = "PRAGMA table_info(t)"', "PRAGMA"),
        ('SQL = "SELECT sum(pgsize) FROM dbstat"', "dbstat"),
        ('SQL = "VACUUM"', "VACUUM"),
        ('SQL = "SELECT value FROM json_each(:ids)"', "json_"),
        ('SQL = "SELECT group_concat(a) FROM t"', "group_concat"),
        ('SQL = "SELECT name FROM sqlite_master"', "sqlite_master"),
        ('SQL = "DELETE FROM temp.chunk"', "temp."),
        ('SQL = "UPDATE nodes SET at = max(at, :at)"', "max/min"),
        ('clauses.append("at >= ?")', "placeholder"),
        ('clauses.append("(action = ? OR substr(action, 1, ?) = ?)")', "placeholder"),
    ],
)
def test_the_scan_finds_each_sqlite_only_construct(snippet: str, construct: str) -> None:
    problems = find_unportable(snippet)
    assert problems, f"{snippet!r} was not flagged"
    assert construct.lower() in problems[0].lower()


def test_the_scan_leaves_portable_sql_docstrings_and_prose_alone() -> None:
    source = (
        '"""Module docstring: VACUUM and PRAGMA are fine in prose, and so is a question?"""\n'
        'SQL = "SELECT coalesce(max(a), 0) FROM t WHERE b = :b ON CONFLICT (k) DO NOTHING"\n'
        'MESSAGE = "is the folder writable?"\n'
        'URI = "file:x.db?mode=ro"\n'
    )
    assert find_unportable(source) == []
