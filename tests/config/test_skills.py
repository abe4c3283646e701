from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config.skills import SkillExpressionError, parse_skill_expression

SKILLS = ("Spanish", "Sales", "Support")
OPERATORS = (">", ">=", "<", "<=", "=", "==", "!=")


def test_and_binds_tighter_than_or() -> None:
    expression = parse_skill_expression("Spanish > 5 | Sales >= 2 & Support = 1")
    assert expression.matches({"Spanish": 6})
    assert not expression.matches({"Sales": 3, "Support": 2})
    assert expression.matches({"Sales": 3, "Support": 1})


def test_parentheses_change_grouping() -> None:
    expression = parse_skill_expression("(Spanish > 5 | Sales >= 2) & Support = 1")
    assert not expression.matches({"Spanish": 6})
    assert expression.matches({"Spanish": 6, "Support": 1})


def test_a_missing_skill_fails_every_comparison_even_not_equal() -> None:
    assert not parse_skill_expression("French != 3").matches({"Spanish": 9})
    assert not parse_skill_expression("French < 3").matches({})


def test_quoted_skill_names_may_contain_spaces() -> None:
    assert parse_skill_expression("'Customer Service' >= 2").matches({"Customer Service": 2})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Spanish >",
            "expected a skill level (a whole number between 0 and 1,000,000), found the end at "
            "column 10",
        ),
        (
            "Spanish 5",
            'expected an operator (> >= < <= = == !=) after "Spanish", found "5" at column 9',
        ),
        ("Spanish > 5 &", 'expected a skill name or "(", found the end at column 14'),
        ("(Spanish > 5", 'expected ")", found the end at column 13'),
        ("Spanish > 5)", 'expected "&", "|" or the end, found ")" at column 12'),
        (
            "Spanish $ 5",
            'expected a skill name, operator, level or parenthesis, found "$" at column 9',
        ),
        ("", "expected a comparison such as Spanish > 5 at column 1"),
    ],
)
def test_parse_errors_name_what_was_expected_and_the_column(text: str, message: str) -> None:
    with pytest.raises(SkillExpressionError) as caught:
        parse_skill_expression(text)
    assert str(caught.value) == message


# --- property: the parser agrees with Python's own and/or on the same expression ------------

comparisons = st.tuples(st.sampled_from(SKILLS), st.sampled_from(OPERATORS), st.integers(0, 9))


def _render(tree: Any) -> tuple[str, str]:
    """(skill expression text, equivalent Python source) for one generated tree."""
    if (
        isinstance(tree, tuple)
        and len(tree) == 3
        and isinstance(tree[0], str)
        and tree[0] in SKILLS
    ):
        skill, op, level = tree
        return f"{skill} {op} {level}", f"_c({skill!r}, {op!r}, {level})"
    kind, *parts = tree
    if kind == "paren":
        ours, python = _render(parts[0])
        return f"({ours})", f"({python})"
    left, right = (_render(part) for part in parts)
    ours_op, python_op = ("&", "and") if kind == "and" else ("|", "or")
    return f"{left[0]} {ours_op} {right[0]}", f"{left[1]} {python_op} {right[1]}"


trees = st.recursive(
    comparisons,
    lambda children: st.one_of(
        st.tuples(st.just("and"), children, children),
        st.tuples(st.just("or"), children, children),
        st.tuples(st.just("paren"), children),
    ),
    max_leaves=8,
)
levels = st.dictionaries(st.sampled_from(SKILLS), st.integers(0, 9))


@given(trees, levels)
def test_generated_expressions_evaluate_like_python(tree: object, agent: dict[str, int]) -> None:
    ours, python = _render(tree)
    python_ops = {">": "__gt__", ">=": "__ge__", "<": "__lt__", "<=": "__le__"}

    def _c(skill: str, op: str, level: int) -> bool:
        if skill not in agent:
            return False
        if op in ("=", "=="):
            return agent[skill] == level
        if op == "!=":
            return agent[skill] != level
        return bool(getattr(agent[skill], python_ops[op])(level))

    expected = eval(python, {"_c": _c})  # the reference: Python's own precedence
    assert parse_skill_expression(ours).matches(agent) == expected


@given(trees)
def test_printing_a_parsed_expression_parses_back_to_the_same_tree(tree: object) -> None:
    parsed = parse_skill_expression(_render(tree)[0])
    assert parse_skill_expression(str(parsed)) == parsed
