"""Virtual queues, the agent roster and agent groups as configured. Import from `config`.

Counts and sizes are checked before anything is built (`config.limits`): how many queues,
groups and agents (`count` is expanded only once the roster's total is known to fit), how
long a name is, how large a capacity or a skill level, and how much work resolving the
skill-expression groups against the roster would be.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from config.limits import (
    MAX_AGENT_COUNT,
    MAX_AGENT_GROUPS,
    MAX_AGENTS,
    MAX_CAPACITY,
    MAX_NAME_CHARS,
    MAX_PROBLEMS_SHOWN,
    MAX_SKILL_EVALUATIONS,
    MAX_SKILL_LEVEL,
    MAX_VIRTUAL_QUEUES,
)
from config.options import read_goal_pct
from config.reader import TableReader, clip, show, suggestion
from config.skills import (
    SkillExpression,
    SkillExpressionError,
    parse_skill_expression,
    skill_names,
)

_MEDIA_NAME = re.compile(rf"^[A-Za-z][A-Za-z0-9_-]{{0,{MAX_NAME_CHARS - 1}}}$")
_COUNT_EXPECTED = f"a whole number between 1 and {MAX_AGENT_COUNT:,}"


@dataclass(frozen=True, slots=True)
class VirtualQueue:
    """A virtual queue; paced only when its `pacing` section names a media."""

    name: str
    number: str
    alias: str
    media: str | None = None
    goal_pct: float | None = None

    @property
    def paced(self) -> bool:
        return self.media is not None


@dataclass(frozen=True, slots=True)
class Agent:
    """One roster agent and their skill levels."""

    name: str
    skills: tuple[tuple[str, int], ...] = ()

    @property
    def skill_levels(self) -> dict[str, int]:
        return dict(self.skills)


@dataclass(frozen=True, slots=True)
class AgentGroup:
    """A fixed list of agents or a virtual group (skill expression), resolved to member names."""

    name: str
    agents: tuple[str, ...]
    skill_expression: str | None
    capacity: tuple[tuple[str, int], ...]  # (media, simultaneous interactions per agent)
    origination_dns: tuple[str, ...]  # as written: VQ names or numbers
    vq_names: tuple[str, ...]  # the served virtual queues, resolved
    blended: bool = False  # serves paced VQs of several media

    def slots_for(self, media: str) -> int:
        """How many interactions of `media` each member handles at once (0: none)."""
        return dict(self.capacity).get(media, 0)

    @property
    def media(self) -> tuple[str, ...]:
        return tuple(media for media, _ in self.capacity)


def _is_media_name(value: object) -> bool:
    return isinstance(value, str) and _MEDIA_NAME.match(value) is not None


def read_virtual_queues(
    root: TableReader, default_goal_pct: float, warnings: list[str]
) -> tuple[VirtualQueue, ...]:
    queues: list[VirtualQueue] = []
    first_at: dict[tuple[str, str], str] = {}
    for table in root.tables("virtual_queues", MAX_VIRTUAL_QUEUES):
        name = table.string("name", required=True, max_chars=MAX_NAME_CHARS) or ""
        number_value = table.value("number")
        number = ""
        if number_value is None:
            table.report_missing("number", 'a string such as "7001"')
        elif not isinstance(number_value, str) or not number_value.strip():
            table.report("number", number_value, f'a string such as "{number_value}"')
        elif len(number_value) > MAX_NAME_CHARS:
            table.report("number", number_value, f"at most {MAX_NAME_CHARS} characters")
        else:
            number = number_value
        alias = table.string("alias", number, max_chars=MAX_NAME_CHARS) or number
        if number and alias != number:
            warnings.append(
                f'{table.path("alias")}: "{alias}" differs from number "{number}" — abandoned '
                f"counts (PACS_VQ_Abandoned) of {show(name)} will read 0; set alias = number"
            )
        media: str | None = None
        goal_pct: float | None = None
        pacing = table.table("pacing")
        if pacing is not None:
            media_value = pacing.value("media")
            if media_value is None:
                pacing.report_missing("media", "one media name")
            elif not _is_media_name(media_value):
                pacing.report("media", media_value, "one media name")
            else:
                media = str(media_value)
            goal_pct = read_goal_pct(pacing, default_goal_pct)
            pacing.finish()
        table.finish()
        for kind, value in (("name", name), ("number", number)):
            if value and (kind, value) in first_at:
                table.report(kind, value, f"a {kind} not used by {first_at[(kind, value)]}")
            elif value:
                first_at[(kind, value)] = table.where
        queues.append(VirtualQueue(name, number, alias, media, goal_pct))
    return tuple(queues)


def read_agents(root: TableReader) -> tuple[Agent, ...]:
    agents: list[Agent] = []
    first_at: dict[str, str] = {}
    tables = root.tables("agents", MAX_AGENTS)
    if _roster_too_big(root, tables):  # counted before any agent is made
        return ()
    for table in tables:
        name = table.string("name", required=True, max_chars=MAX_NAME_CHARS) or ""
        skills = _read_skills(table)
        count = _read_count(table)
        table.finish()
        if count is None:
            names = [name]
        else:
            width = max(2, len(str(count)))
            names = [f"{name}-{index:0{width}d}" for index in range(1, count + 1)]
        skill_levels = tuple(skills)  # one tuple shared by the `count` agents of the entry
        for agent_name in names:
            if agent_name in first_at:
                if agent_name:
                    table.report("name", agent_name, f"a name not used by {first_at[agent_name]}")
            else:
                first_at[agent_name] = table.where
            agents.append(Agent(agent_name, skill_levels))
    return tuple(agents)


def _roster_too_big(root: TableReader, tables: Sequence[TableReader]) -> bool:
    """Whether the roster, `count` expanded, passes `MAX_AGENTS` (reported once if so).

    Counted from the raw entries before anything is built, so a refused roster costs no
    memory (an invalid `count` counts as one agent, as it is read below).
    """
    roster_size = 0
    for table in tables:
        count = table.raw.get("count")
        if isinstance(count, int) and not isinstance(count, bool) and 1 <= count <= MAX_AGENT_COUNT:
            roster_size += count
        else:
            roster_size += 1
        if roster_size > MAX_AGENTS:
            root.problems.append(
                f"agents: {roster_size:,} agents so far at {table.where} — expected a roster "
                f"of at most {MAX_AGENTS:,} agents (count included)"
            )
            return True
    return False


def _read_skills(table: TableReader) -> list[tuple[str, int]]:
    skills: list[tuple[str, int]] = []
    skills_table = table.table("skills")
    if skills_table is None:
        return skills
    expected = f"a skill level (a whole number between 0 and {MAX_SKILL_LEVEL:,})"
    for skill, level in skills_table.raw.items():
        if len(skill) > MAX_NAME_CHARS:
            skills_table.report(
                skill, level, f"a skill name of at most {MAX_NAME_CHARS} characters"
            )
        elif (
            isinstance(level, bool)
            or not isinstance(level, int)
            or not 0 <= level <= MAX_SKILL_LEVEL
        ):
            skills_table.report(skill, level, expected)
        else:
            skills.append((skill, level))
    return skills


def _read_count(table: TableReader) -> int | None:
    """`count` of one [[agents]] entry (None: a single agent named `name`)."""
    if not table.has("count"):
        return None
    value = table.value("count")
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_AGENT_COUNT:
        table.report("count", value, _COUNT_EXPECTED)
        return None
    return value


def _read_capacity(table: TableReader) -> tuple[tuple[str, int], ...]:
    expected = "a table of media = interactions at once, such as {chat = 3, voice = 1}"
    value = table.value("capacity")
    if value is None:
        table.report_missing("capacity", expected)
        return ()
    if not isinstance(value, dict) or not value:
        table.report("capacity", value, expected)
        return ()
    capacity: list[tuple[str, int]] = []
    for media, slots in value.items():
        where = f"{table.path('capacity')}.{clip(media)}"
        if not _is_media_name(media):
            table.problems.append(f"{where}: {show(slots)} — expected one media name as the key")
        elif (
            isinstance(slots, bool) or not isinstance(slots, int) or not 1 <= slots <= MAX_CAPACITY
        ):
            table.problems.append(
                f"{where}: {show(slots)} — expected a whole number of interactions at once "
                f"between 1 and {MAX_CAPACITY}"
            )
        else:
            capacity.append((media, slots))
    return tuple(capacity)


def _read_members(
    table: TableReader, roster: _SkillIndex, warnings: list[str], resolve: bool
) -> tuple[tuple[str, ...], str | None]:
    agents_value = table.value("agents")
    expression_value = table.value("skill_expression")
    if agents_value is not None and expression_value is not None:
        table.report(
            "skill_expression", expression_value, "either agents or skill_expression, not both"
        )
        return (), None
    if agents_value is None and expression_value is None:
        table.report_missing(
            "agents", 'a list of agent names, or a skill_expression such as "Spanish > 5"'
        )
        return (), None
    if agents_value is not None:
        if not isinstance(agents_value, list) or not all(
            isinstance(item, str) and item and len(item) <= MAX_NAME_CHARS for item in agents_value
        ):
            table.report(
                "agents",
                agents_value,
                f"a list of agent names of at most {MAX_NAME_CHARS} characters",
            )
            return (), None
        return tuple(dict.fromkeys(str(item) for item in agents_value)), None
    if not isinstance(expression_value, str):
        table.report("skill_expression", expression_value, 'a string such as "Spanish > 5"')
        return (), None
    try:
        expression = parse_skill_expression(expression_value)
    except SkillExpressionError as error:
        table.report("skill_expression", expression_value, str(error)[len("expected ") :])
        return (), None
    if not resolve:  # the roster is too big for every skill group: reported once, above
        return (), expression_value
    members = roster.matching(expression)
    if not members:
        warnings.append(
            f"{table.path('skill_expression')}: {show(expression_value)} matches no agent of the "
            "roster — the group has no agents"
        )
    return members, expression_value


def _queues_by_key(queues: Sequence[VirtualQueue]) -> dict[str, VirtualQueue]:
    """Every queue under its number and its name (a name wins over an equal number)."""
    by_key: dict[str, VirtualQueue] = {vq.number: vq for vq in queues if vq.number}
    by_key.update({vq.name: vq for vq in queues if vq.name})
    return by_key


def _resolve_dns(
    table: TableReader, by_key: Mapping[str, VirtualQueue]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    value = table.value("origination_dns")
    expected = 'a list of virtual queue names or numbers, such as ["Proactive Chat", "7001"]'
    if value is None:
        table.report_missing("origination_dns", expected)
        return (), ()
    if not isinstance(value, list) or not all(
        isinstance(item, str) and len(item) <= MAX_NAME_CHARS for item in value
    ):
        table.report("origination_dns", value, expected)
        return (), ()
    served: dict[str, None] = {}  # ordered and unique: a group may list thousands of DNs
    for index, dn in enumerate(value):
        vq = by_key.get(dn)
        if vq is None:
            # Suggesting searches every queue: only for the problems a ConfigError shows, so
            # a file of many unknown DNs costs no more than one per queue.
            hint = suggestion(dn, by_key) if len(table.problems) < MAX_PROBLEMS_SHOWN else ""
            table.problems.append(
                f"{table.path('origination_dns')}[{index}]: {show(dn)} — expected the name or "
                f"number of a virtual queue{hint}"
            )
        else:
            served[vq.name] = None
    return tuple(str(item) for item in value), tuple(served)


def read_agent_groups(
    root: TableReader,
    roster: Sequence[Agent],
    queues: Sequence[VirtualQueue],
    warnings: list[str],
) -> tuple[AgentGroup, ...]:
    groups: list[AgentGroup] = []
    first_at: dict[str, str] = {}
    # Built once for all groups: start-up stays linear in queues, groups and agents.
    queue_by_name: Mapping[str, VirtualQueue] = {vq.name: vq for vq in queues}
    queue_by_key = _queues_by_key(queues)
    skill_index = _SkillIndex(roster)
    tables = root.tables("agent_groups", MAX_AGENT_GROUPS)
    resolve = _skill_work_fits(root, tables, len(roster))
    for table in tables:
        name = table.string("name", required=True, max_chars=MAX_NAME_CHARS) or ""
        if name in first_at:
            table.report("name", name, f"a name not used by {first_at[name]}")
        first_at.setdefault(name, table.where)
        members, expression = _read_members(table, skill_index, warnings, resolve)
        capacity = _read_capacity(table)
        dns, vq_names = _resolve_dns(table, queue_by_key)
        table.finish()
        group = AgentGroup(name, members, expression, capacity, dns, vq_names)
        served_media = {queue_by_name[vq].media for vq in vq_names if queue_by_name[vq].media}
        for vq_name in vq_names:
            media = queue_by_name[vq_name].media
            if media is not None and capacity and group.slots_for(media) == 0:
                warnings.append(
                    f"{table.path('capacity')}: group {show(name)} serves {show(vq_name)} "
                    f"({media}) but has no {media} capacity — its agents will not count there"
                )
        groups.append(
            AgentGroup(name, members, expression, capacity, dns, vq_names, len(served_media) > 1)
        )
    return tuple(groups)


def _skill_work_fits(root: TableReader, tables: Sequence[TableReader], roster_size: int) -> bool:
    """Whether resolving every skill-expression group against the roster is affordable.

    Each such group tests every agent of the roster; the product is checked before any is
    resolved, and reported once when it is too much.
    """
    skill_groups = sum(1 for table in tables if "skill_expression" in table.raw)
    work = skill_groups * roster_size
    if work <= MAX_SKILL_EVALUATIONS:
        return True
    root.problems.append(
        f"agent_groups: {skill_groups:,} skill_expression groups × {roster_size:,} agents = "
        f"{work:,} evaluations — expected at most {MAX_SKILL_EVALUATIONS:,} (list agents "
        "explicitly in large groups, or use fewer skill-expression groups)"
    )
    return False


class _SkillIndex:
    """The roster's agents by skill, built on first use, for resolving skill expressions.

    An agent without any skill an expression names fails every comparison of it, so only
    the holders of those skills are tested: a centre with many skill groups, each on its
    own skills, costs the sum of their candidates rather than groups × roster.
    """

    def __init__(self, roster: Sequence[Agent]) -> None:
        self._roster = roster
        self._levels: list[dict[str, int]] = []
        self._holders: dict[str, list[int]] = {}

    def matching(self, expression: SkillExpression) -> tuple[str, ...]:
        """Names of the roster's agents matching `expression`, in roster order."""
        if not self._levels and self._roster:
            self._build()
        lists = [self._holders.get(skill, []) for skill in sorted(skill_names(expression))]
        candidates = lists[0] if len(lists) == 1 else sorted(set().union(*lists))
        levels, roster = self._levels, self._roster
        return tuple(roster[i].name for i in candidates if expression.matches(levels[i]))

    def _build(self) -> None:
        for index, agent in enumerate(self._roster):
            levels = agent.skill_levels
            self._levels.append(levels)
            for skill in levels:
                self._holders.setdefault(skill, []).append(index)
