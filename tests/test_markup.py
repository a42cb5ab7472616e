"""Text is text, never markup: deck text and typed lines with [ ] [/] \\ :emoji: reach every screen verbatim."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

BOX = "│╭╮╰╯─┃━┏┓┗┛┡┩╇┳┻┣┫╋└┘┌┐├┤┼"

SPECIAL = ["[", "]", "[/]", "[bold]", "[/bold]", "\\", "\\[", "x[/]y", "a[i]", ":smile:", "[link=http://x]",
           "[red on blue]", "😀", "👍🏽", "服务", "，", "（", "】", "【1.1 标题】", " ", "%s", "{0}", "<b>"]
chars = st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"))
pieces = st.one_of(st.sampled_from(SPECIAL), st.text(chars, min_size=1, max_size=4))
texts = st.lists(pieces, min_size=1, max_size=8).map("".join)


def squash(text: str) -> str:
    """Without whitespace and box drawing: what survives wrapping, indents and borders."""
    return "".join(ch for ch in text if not ch.isspace() and ch not in BOX)


def write_deck(home: Path, t: str) -> None:
    deck = {"deck": "mine", "title": t, "note": t, "cards": [
        {"id": "a", "prompt": t, "note": t, "items": [t]},
        {"id": "b", "prompt": "第二张卡？", "items": ["甲乙丙丁戊"]},
    ]}
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "mine.yaml").write_text(yaml.safe_dump(deck, allow_unicode=True), encoding="utf-8")


def usable(t: str) -> bool:
    """Text a deck accepts and a typed line can carry (not a command such as q, u, ? or a grade)."""
    s = t.strip()
    return bool(s) and not s.isdigit() and s.lower() not in ("q", "u", "?", "？") and "〇" not in s


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(t=texts)
@example(t="x[/]y")
@example(t="a[i]")
@example(t="[bold]粗[/bold] \\ [/] :smile:")
@example(t="[/]")
@example(t="【1.1 服务目录】\\[x] 👍🏽")
def test_deck_text_and_typed_lines_on_every_screen(invoke: Any, t: str) -> None:
    assume(usable(t))
    home = Path(tempfile.mkdtemp(prefix="markup-"))
    write_deck(home, t)
    env = {"SYSPLAN_STUDY_HOME": str(home), "COLUMNS": "60"}
    later = {**env, "SYSPLAN_TODAY": "2026-12-24"}
    want = squash(t)
    line = t.strip()
    runs = {
        "decks": invoke("decks", env=env),
        "cards": invoke("cards", env=env),
        "search": invoke("search", "--", t, env=env),
        "show": invoke("show", "mine", env=env),
        "read": invoke("read", "mine", env=env),
        # The grade line is the text itself (refused, then 5) and must not break the screen.
        "review": invoke("review", "-c", "mine", input=f"{line}\n5\n{line}\n5\n", env=env),
        # Typed recall: hints (up to showing item 1, the text) and nothing recalled for card a, so its item is
        # missed (stats lists it); the grade line is the text (refused), then 0; for card b the text is typed.
        "typed": invoke("review", "-c", "mine", "--typed", input=f"?\n?\n?\n〇\n\n{line}\n0\n{line}\n\n5\n",
                        env=later),
        "stats": invoke("stats", env=later),
        "quiz": invoke("quiz", "mine", "-n", "4", "--seed", "1", input="1\n" * 12, env=env),
        "quiz typed": invoke("quiz", "--card", "mine.a", "--mode", "recall", "--typed", "-n", "1",
                             input=f"{line}\n\n5\n", env=env),
    }
    for name, result in runs.items():
        assert result.exit_code == 0, (name, result.output)
        assert "Traceback" not in result.output
        assert want in squash(result.stdout), (name, t, result.stdout)
    assert "提示" in runs["typed"].stdout  # the hints (the last one shows the item, the text) were printed


def test_markup_like_input_lines_in_review_and_quiz(invoke: Any) -> None:
    """The crashes of issue 10: a grade line or typed line containing [/] (rich MarkupError before)."""
    for args in (("review", "-c", "supervise", "--limit", "1"), ("quiz", "supervise", "--mode", "recall", "-n", "1")):
        result = invoke(*args, input="[/]\n[bold]x[/bold]\n5\n")
        assert result.exit_code == 0, result.output
        assert "'[/]'" in result.stdout  # the refused grade line is quoted back verbatim
    typed = invoke("review", "-c", "supervise", "--limit", "1", "--typed", input="[/]\nx[/]y\n\n5\n",
                   env={"SYSPLAN_TODAY": "2026-11-25"})
    assert typed.exit_code == 0, typed.output
    assert "[/]" in typed.stdout and "x[/]y" in typed.stdout


def test_renderers_take_text_as_text() -> None:
    """Every renderer given markup-like text shows it as typed: tables (any column), choices, hints, panels."""
    import io

    from rich.console import Console

    from sysplan_study.ui import render

    nasty = ["a[i]", "x[/]y", "[bold]b", ":smile:", "c\\"]
    screens = {
        "table": (render.simple_table(["[/]", "h"], [[nasty[0], nasty[1]], [nasty[2], nasty[4]]], title="t[/]"),
                  [*nasty[:3], nasty[4], "t[/]", "[/]"]),
        "choices": (render.choice_panel(nasty[3], nasty, "第[/]题"), [*nasty, "第[/]题"]),
        "hint": (render.hint_line(3, nasty[1], "[/]"), [nasty[1], "[/]"]),
    }
    for name, (renderable, expected) in screens.items():
        out = Console(file=io.StringIO(), width=40)
        out.print(renderable)
        printed = squash(out.file.getvalue())
        for t in expected:
            assert squash(t) in printed, (name, t)
