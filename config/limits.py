"""How big a configuration may be, checked before the work it would cause.

Every limit here is enforced *before* the work it bounds, so no file can make loading take
more than a few seconds or a few hundred MB beyond what its own size explains: the file is
read up to `MAX_FILE_BYTES` and decoded as UTF-8 with the position of a bad byte; nesting
(brackets, braces and dotted keys) and the number of tables, values and array items are
measured before TOML parsing builds anything; counts of queues, groups and agents (after
`count` expansion) are checked before anything is built from them, as are the work of
resolving skill expressions against the roster and the memberships target derivation would
create. The limits leave room for 100,000 targets per node (`fakes.scale`: a 55 MB file,
one agent group of 1-50 slots per target, about 2,050,000 agents, loads in about 20 s of CPU
and 1 GB) and cap any file at about twice that (`benchmarks/hostile_inputs.py` measures the
worst cases).
"""

from __future__ import annotations

import re

MAX_FILE_BYTES = 64 * 2**20
MAX_NESTING = 16  # tables, arrays and inline tables within each other
# What parsing builds, counted in the file before parsing: a 100,000-target file has about
# 600,000 tables, 1,000,000 values and 600,000 array items; these allow twice that and more.
MAX_TABLES = 1_500_000  # [headers], {inline tables} and dotted-key segments
MAX_VALUES = 3_000_000  # key = value pairs
MAX_ITEMS = 4_000_000  # array items
MAX_VIRTUAL_QUEUES = 200_000
MAX_AGENT_GROUPS = 200_000
MAX_AGENTS = 3_000_000  # the roster, after `count` expansion (100,000 targets: about 2,050,000)
MAX_AGENT_COUNT = 100_000  # `count` of one [[agents]] entry
MAX_CAPACITY = 100  # interactions of one media an agent handles at once
MAX_SKILL_LEVEL = 1_000_000
MAX_NAME_CHARS = 200  # names of virtual queues, agents, groups, skills, media
MAX_TEXT_CHARS = 2_000  # any other string (URLs, paths, ids)
MAX_SKILL_EXPRESSION_CHARS = 1_000
MAX_SKILL_EXPRESSION_DEPTH = 32  # parentheses within each other
MAX_SKILL_EVALUATIONS = 50_000_000  # skill-expression groups × roster agents
MAX_TARGET_AGENTS = 10_000_000  # agents summed over every pacing target
MAX_PROBLEMS_SHOWN = 50  # a ConfigError lists this many, then counts the rest
MAX_PROBLEMS_KEPT = 1_000  # problems composed in full; the rest are only counted


def decode_problem(data: bytes) -> str | None:
    """Why `data` is not a UTF-8 text (the byte and its line and column), or None."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        return (
            f"not UTF-8: byte 0x{data[error.start]:02x} at line {line}, column {column} — "
            "expected a UTF-8 TOML file (save it as UTF-8)"
        )
    return None


_SKIPPED = re.compile(
    rb'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|\'[^\'\n]*\'|#[^\n]*'
)
_STRUCTURE = b"[]{}.\n=,"
_NOT_STRUCTURE = bytes(byte for byte in range(256) if byte not in _STRUCTURE)
_TO_PARENS = bytes.maketrans(b"[{]}", b"(())")


def structure_problem(data: bytes) -> str | None:
    """Why the file's structure is too deep or too big to parse, or None.

    A pre-scan in C speed (about 0.7 s for the 33 MB of a 100,000-target file), so TOML
    parsing, which recurses into arrays and inline tables and builds one table per dotted-key
    segment, never meets a document deeper than `MAX_NESTING` or bigger than the counts above.
    Strings and comments are cut out; what remains is the structure: `a.b.c = [1, 2]` leaves
    `..=[,]`, so a run of dots is a dotted key's depth, each pass over the brackets removes
    every innermost pair, and counting characters counts tables, values and items (a
    conservative count: a float's dot counts as a table).
    """
    skeleton = b"\n" + _SKIPPED.sub(b"", data).translate(None, _NOT_STRUCTURE)
    counts = (
        (
            "tables",
            skeleton.count(b"\n[") + skeleton.count(b"{") + skeleton.count(b"."),
            MAX_TABLES,
        ),
        ("values", skeleton.count(b"="), MAX_VALUES),
        ("array items", skeleton.count(b",") + skeleton.count(b"["), MAX_ITEMS),
    )
    for noun, count, limit in counts:
        if count > limit:
            return f"{count:,} {noun} — expected at most {limit:,} {noun} in one file"
    if b"." * MAX_NESTING in skeleton or _brackets_too_deep(skeleton):  # 16 dots: 17 segments
        return (
            f"nested deeper than {MAX_NESTING} levels — expected tables, arrays, inline "
            f"tables and dotted keys within each other at most {MAX_NESTING} levels deep"
        )
    return None


def _brackets_too_deep(skeleton: bytes) -> bool:
    brackets = skeleton.translate(_TO_PARENS, b".\n=,")
    for _ in range(MAX_NESTING):
        if not brackets:
            return False
        brackets = brackets.replace(b"()", b"")
    return b"()" in brackets
