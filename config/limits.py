"""How big a configuration may be, checked before the work it would cause.

Every limit here is enforced *before* the work it bounds, so no file can make loading take
more than a few seconds or a few hundred MB beyond what its own size explains: the file is
read up to `MAX_FILE_BYTES` and decoded as UTF-8 with the position of a bad byte; nesting
(brackets, braces and dotted keys) is measured before TOML parsing recurses into it; counts
of queues, groups and agents (after `count` expansion) are checked before anything is built,
as are the work of resolving skill expressions against the roster and the memberships target
derivation would create. What remains grows with the file's own size: parsing builds about
10 bytes of objects per byte of a real configuration (a pathological one of many tiny tables,
several times that). The limits leave room for 100,000 targets per node (a 33 MB file with
one agent group and five agents per target parses in about 7 s).
"""

from __future__ import annotations

import re

MAX_FILE_BYTES = 64 * 2**20
MAX_NESTING = 16  # tables, arrays and inline tables within each other
MAX_VIRTUAL_QUEUES = 200_000
MAX_AGENT_GROUPS = 200_000
MAX_AGENTS = 1_000_000  # the roster, after `count` expansion
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


def nesting_too_deep(data: bytes) -> bool:
    """Whether the file nests deeper than `MAX_NESTING`: brackets, braces or dotted keys.

    A pre-scan in C speed (about 0.7 s for the 33 MB of a 100,000-target file), so TOML
    parsing, which recurses into arrays and inline tables and builds one table per dotted-key
    segment, never meets a document deeper than that. Strings and comments are cut out; what
    remains is the structure: `a.b.c = 1` leaves `..=`, so a run of dots is a dotted key's
    depth, and each pass over the brackets removes every innermost pair.
    """
    skeleton = _SKIPPED.sub(b"", data).translate(None, _NOT_STRUCTURE)
    if b"." * MAX_NESTING in skeleton:  # 16 dots: a key of 17 segments
        return True
    brackets = skeleton.translate(_TO_PARENS, b".\n=,")
    for _ in range(MAX_NESTING):
        if not brackets:
            return False
        brackets = brackets.replace(b"()", b"")
    return b"()" in brackets
