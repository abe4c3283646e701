"""Skill expressions of virtual agent groups: `Spanish > 5 & (Sales >= 2 | Support = 9)`.

A tiny recursive-descent parser (no `eval`). Grammar, `&` binding tighter than `|`:

    expression := conjunction ("|" conjunction)*
    conjunction := factor ("&" factor)*
    factor := "(" expression ")" | comparison
    comparison := SKILL OPERATOR LEVEL      SKILL: Name or 'Quoted name'; LEVEL: whole number
    OPERATOR := > >= < <= = == !=

An agent without the skill fails every comparison on it (even `!=`), as in the original.
An expression is at most `MAX_SKILL_EXPRESSION_CHARS` long, nests parentheses at most
`MAX_SKILL_EXPRESSION_DEPTH` deep and compares with levels up to `MAX_SKILL_LEVEL`: beyond,
a `SkillExpressionError`, never a recursion or a huge number.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from config.limits import MAX_SKILL_EXPRESSION_CHARS, MAX_SKILL_EXPRESSION_DEPTH, MAX_SKILL_LEVEL

__all__ = [
    "AllOf",
    "AnyOf",
    "Comparison",
    "SkillExpression",
    "SkillExpressionError",
    "parse_skill_expression",
    "skill_names",
]

_OPERATORS: dict[str, Callable[[int, int], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
}
_OPERATOR_LIST = "> >= < <= = == !="

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
      | '(?P<quoted>[^']*)'
      | (?P<level>[0-9]+)
      | (?P<op>>=|<=|==|!=|>|<|=)
      | (?P<punct>[&|()])
    )""",
    re.VERBOSE,
)


class SkillExpressionError(ValueError):
    """A skill expression that does not parse. `expected` reads after "expected …"."""

    def __init__(self, expected: str, position: int) -> None:
        super().__init__(f"expected {expected} at column {position + 1}")
        self.expected = expected
        self.position = position  # 0-based index into the expression text

    @property
    def column(self) -> int:
        return self.position + 1


@dataclass(frozen=True, slots=True)
class Comparison:
    skill: str
    operator: str
    level: int

    def matches(self, levels: Mapping[str, int]) -> bool:
        if self.skill not in levels:
            return False
        return _OPERATORS[self.operator](levels[self.skill], self.level)

    def __str__(self) -> str:
        skill = (
            self.skill if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", self.skill) else repr(self.skill)
        )
        return f"{skill} {self.operator} {self.level}"


@dataclass(frozen=True, slots=True)
class AllOf:
    """Every part matches (`&`)."""

    parts: tuple[SkillExpression, ...]

    def matches(self, levels: Mapping[str, int]) -> bool:
        return all(part.matches(levels) for part in self.parts)

    def __str__(self) -> str:
        return " & ".join(str(p) if isinstance(p, Comparison) else f"({p})" for p in self.parts)


@dataclass(frozen=True, slots=True)
class AnyOf:
    """At least one part matches (`|`)."""

    parts: tuple[SkillExpression, ...]

    def matches(self, levels: Mapping[str, int]) -> bool:
        return any(part.matches(levels) for part in self.parts)

    def __str__(self) -> str:
        return " | ".join(f"({p})" if isinstance(p, AnyOf) else str(p) for p in self.parts)


SkillExpression = Comparison | AllOf | AnyOf


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # name, level, op, punct, end
    text: str
    position: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            tokens.append(_Token("end", "", position))
            return tokens
        match = _TOKEN.match(text, position)
        if match is None or match.lastgroup is None:
            if text[position] == "'":
                raise SkillExpressionError("a closing quote (') after the skill name", position)
            raise SkillExpressionError(
                f'a skill name, operator, level or parenthesis, found "{text[position]}"', position
            )
        kind = "name" if match.lastgroup == "quoted" else match.lastgroup
        value = match.group(match.lastgroup)
        tokens.append(_Token(kind, value, match.start(match.lastgroup)))
        position = match.end()


class _Parser:
    def __init__(self, text: str) -> None:
        self._tokens = _tokenize(text)
        self._index = 0
        self._depth = 0

    def _peek(self) -> _Token:
        return self._tokens[self._index]

    def _take(self) -> _Token:
        token = self._tokens[self._index]
        self._index += 1
        return token

    def parse(self) -> SkillExpression:
        if self._peek().kind == "end":
            raise SkillExpressionError("a comparison such as Spanish > 5", 0)
        expression = self._expression()
        token = self._peek()
        if token.kind != "end":
            raise SkillExpressionError(f'"&", "|" or the end, found "{token.text}"', token.position)
        return expression

    def _expression(self) -> SkillExpression:
        parts = [self._conjunction()]
        while self._peek().text == "|" and self._peek().kind == "punct":
            self._take()
            parts.append(self._conjunction())
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))

    def _conjunction(self) -> SkillExpression:
        parts = [self._factor()]
        while self._peek().text == "&" and self._peek().kind == "punct":
            self._take()
            parts.append(self._factor())
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))

    def _factor(self) -> SkillExpression:
        token = self._take()
        if token.kind == "punct" and token.text == "(":
            self._depth += 1
            if self._depth > MAX_SKILL_EXPRESSION_DEPTH:
                raise SkillExpressionError(
                    f"parentheses nested at most {MAX_SKILL_EXPRESSION_DEPTH} deep", token.position
                )
            inner = self._expression()
            self._depth -= 1
            closing = self._take()
            if closing.kind != "punct" or closing.text != ")":
                raise SkillExpressionError(_found('")"', closing), closing.position)
            return inner
        if token.kind != "name":
            raise SkillExpressionError(_found('a skill name or "("', token), token.position)
        op = self._take()
        if op.kind != "op":
            raise SkillExpressionError(
                _found(f'an operator ({_OPERATOR_LIST}) after "{token.text}"', op), op.position
            )
        level = self._take()
        expected = f"a skill level (a whole number between 0 and {MAX_SKILL_LEVEL:,})"
        if level.kind != "level":
            raise SkillExpressionError(_found(expected, level), level.position)
        if len(level.text) > len(str(MAX_SKILL_LEVEL)) or int(level.text) > MAX_SKILL_LEVEL:
            raise SkillExpressionError(_found(expected, level), level.position)
        return Comparison(token.text, op.text, int(level.text))


def _found(expected: str, token: _Token) -> str:
    if token.kind == "end":
        return f"{expected}, found the end"
    text = token.text if len(token.text) <= 40 else token.text[:39] + "…"
    return f'{expected}, found "{text}"'


def parse_skill_expression(text: str) -> SkillExpression:
    """Parse `text`; raise `SkillExpressionError` naming what was expected and where."""
    if len(text) > MAX_SKILL_EXPRESSION_CHARS:
        raise SkillExpressionError(
            f"an expression of at most {MAX_SKILL_EXPRESSION_CHARS:,} characters", 0
        )
    return _Parser(text).parse()


def skill_names(expression: SkillExpression) -> frozenset[str]:
    """Every skill `expression` compares: an agent holding none of them never matches it."""
    if isinstance(expression, Comparison):
        return frozenset((expression.skill,))
    names: set[str] = set()
    for part in expression.parts:
        names |= skill_names(part)
    return frozenset(names)
