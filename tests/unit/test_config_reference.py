"""The README's configuration reference is generated from the option declarations
(``python -m kiosk config --reference``) and must equal them: run ``make docs`` after
adding or changing an option."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.commands.config_cmd import BEGIN, END, current_block, reference_markdown, replace_block
from kiosk.config import OPTIONS, ConfigError, Option

ROOT = Path(__file__).resolve().parents[2]


def test_readme_reference_equals_the_declarations() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert current_block(readme) == reference_markdown(), "README is stale: run `make docs`"


def test_every_option_has_a_row_under_its_section() -> None:
    text = reference_markdown()
    for option in OPTIONS:
        section, _, key = option.name.rpartition(".")
        table = text.split(f"#### `[{section}]`", 1)[1].split("####", 1)[0]
        assert f"| `{key}` |" in table, option.name


def test_cells_stay_one_table_cell() -> None:
    tricky = Option("x.pattern", str, "a|b`c", "Pipes | and\nnew lines", choices=None)
    row = next(line for line in reference_markdown([tricky]).splitlines() if line.startswith("| `pattern`"))
    assert row.count(" | ") == 3 and "\\|" in row and "\n" not in row
    assert row == '| `pattern` | `` "a\\|b`c" `` | a string | Pipes \\| and new lines |'


def test_block_replacement_keeps_the_rest_and_needs_markers() -> None:
    text = f"# Title\n\nbefore\n{BEGIN}\nold\n{END}\nafter\n"
    new = replace_block(text, reference_markdown())
    assert new.startswith("# Title\n\nbefore\n") and new.endswith(f"{END}\nafter\n")
    assert current_block(new) == reference_markdown()
    with pytest.raises(ConfigError):
        replace_block("no markers here", "x")


def test_cli_updates_a_file(tmp_path: Path) -> None:
    doc = tmp_path / "README.md"
    doc.write_text(f"intro\n{BEGIN}\nstale\n{END}\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "kiosk", "config", "--reference", "--update", str(doc)]
    first = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    second = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0 and "updated" in first.stdout, first.stderr
    assert "up to date" in second.stdout
    assert current_block(doc.read_text(encoding="utf-8")) == reference_markdown()
