"""More `sysplan` commands (quiz, stats, exam, export), kept apart so cli.py stays small."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from sysplan_study.cli import Fmt, _opts, _out, _print_json, app
from sysplan_study.errors import UserError

DEFAULT_LEAD_DAYS = 14  # mirrors planner.DEFAULT_LEAD_DAYS without importing it at start-up


@app.command()
def quiz(
    ctx: typer.Context,
    chapter: Optional[str] = typer.Argument(None, help="Chapter/deck id, e.g. deploy (omit with --card)."),
    count: int = typer.Option(10, "--count", "-n", help="Number of questions."),
    mode: str = typer.Option("mixed", "--mode", "-m", help="recall | count | which | odd | next | mixed."),
    typed: bool = typer.Option(False, "--typed", help="Type recall answers; each item is scored."),
    card: Optional[str] = typer.Option(None, "--card", help="Quiz one card only."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Random seed for a reproducible quiz."),
) -> None:
    """Quiz one chapter; never changes the review schedule.  Example: sysplan quiz deploy --mode which --seed 1"""
    from sysplan_study import clock, recall, tui
    from sysplan_study import quiz as quizzes

    o = _opts(ctx)
    lib = o.library()
    if card is not None:
        if not lib.has_card(card):
            raise UserError(f"unknown card id {card!r}; valid chapter ids: {', '.join(d.id for d in lib.decks)}")
        chosen = lib.card(card)
        cards, pool = [chosen], lib.cards_in(chosen.deck)
    elif chapter is None:
        raise UserError(f"name a chapter (one of: {', '.join(d.id for d in lib.decks)}) or --card ID")
    else:
        cards = pool = list(lib.cards_in(chapter))
    questions = quizzes.build_questions(cards, pool, count, mode, seed)
    session = quizzes.QuizSession(o.store(), clock.today(), questions)
    out = _out()
    vocab = recall.Vocabulary.of(lib.cards) if typed else None
    tui.run_quiz(session, tui.make_input(out), out, typed, vocab)
    out.print(tui.quiz_report(session))


class StatsFmt(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


@app.command()
def stats(
    ctx: typer.Context,
    chapter: Optional[str] = typer.Option(None, "--chapter", "-c", help="Only this chapter/deck."),
    format: StatsFmt = typer.Option(StatsFmt.table, "--format", "-f"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
) -> None:
    """Progress per chapter, streak, heatmap, forecast, weakest items.  Example: sysplan stats --format json"""
    from sysplan_study import clock, export
    from sysplan_study import stats as figures

    o = _opts(ctx)
    if output is not None:
        export.check_target(output)
    data = figures.compute(o.library(), o.store(), clock.today(), chapter)
    if format is StatsFmt.table:
        from sysplan_study import statsview

        if output is None:
            return _out().print(statsview.render(data))
        import io

        from rich.console import Console

        buf = Console(record=True, width=80, no_color=True, file=io.StringIO())
        buf.print(statsview.render(data))
        return export.write_text(output, buf.export_text())
    if format is StatsFmt.json:
        import json

        text, bom = json.dumps(data, ensure_ascii=False, indent=2) + "\n", False
    else:
        header, rows = figures.table_rows(data)
        if format is StatsFmt.csv:
            text, bom = export.csv_text(header, rows), True
        else:
            text, bom = export.markdown_table(header, ([*r[:2], *(figures.fmt(v) for v in r[2:])] for r in rows)), False
    if output is None:
        sys.stdout.write(("\ufeff" if bom else "") + text)
    else:
        export.write_text(output, text, bom=bom)
        typer.echo(f"已写入 {output}", err=True)


exam_app = typer.Typer(help="Exam date planner.", no_args_is_help=False, invoke_without_command=True)
app.add_typer(exam_app, name="exam")


@exam_app.callback()
def exam(ctx: typer.Context, format: Fmt = typer.Option(Fmt.table, "--format", "-f")) -> None:
    """Show days left and the new cards per day needed.  Example: sysplan exam"""
    if ctx.invoked_subcommand is not None:
        return
    from sysplan_study import clock, planner

    o = _opts(ctx)
    store = o.store()
    when = planner.exam_date(store)
    if when is None:
        typer.echo("还没有设置考试日期：sysplan exam set 2027-05-22")
        return
    lib = o.library()
    today = clock.today()
    dues = store.due_dates()
    unseen = sum(1 for cid in lib.card_ids if cid not in dues)
    p = planner.plan(when, today, unseen, planner.new_limit(store), planner.lead_days(store),
                     store.setting(planner.CAP_KEY) == "1")
    if format is Fmt.json:
        return _print_json(p.to_json())
    typer.echo(planner.describe(p))


@exam_app.command("set")
def exam_set(
    ctx: typer.Context,
    when: str = typer.Argument(..., help="Exam date YYYY-MM-DD."),
    lead_days: int = typer.Option(DEFAULT_LEAD_DAYS, "--lead-days", help="See every card this many days before."),
    new_limit: Optional[int] = typer.Option(None, "--new-limit", help="Your daily new-card limit (default 20)."),
    cap_intervals: bool = typer.Option(False, "--cap-intervals", help="Pull due dates after the exam into its last week."),
) -> None:
    """Set the exam date.  Example: sysplan exam set 2027-05-22 --cap-intervals"""
    from sysplan_study import clock, planner

    day = clock.parse_date(when, "exam date")
    store = _opts(ctx).store()
    planner.set_exam(store, day, cap_intervals, lead_days, new_limit)
    typer.echo(f"考试日期已设为 {day.isoformat()}（距今 {(day - clock.today()).days} 天）")


@exam_app.command("clear")
def exam_clear(ctx: typer.Context) -> None:
    """Forget the exam date.  Example: sysplan exam clear"""
    from sysplan_study import planner

    planner.set_exam(_opts(ctx).store(), None)
    typer.echo("已清除考试日期")


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    history: Optional[Path] = typer.Option(None, "--history", help="Review log as .csv or .json."),
    anki: Optional[Path] = typer.Option(None, "--anki", help="Decks as an Anki .apkg package."),
    progress: Optional[Path] = typer.Option(None, "--progress", help="Schedule and log as .json (for import-progress)."),
    chapter: Optional[str] = typer.Option(None, "--chapter", "-c", help="With --anki: only this chapter."),
) -> None:
    """Export history, Anki package or progress.  Example: sysplan export --anki sysplan.apkg"""
    from sysplan_study import export

    if not (history or anki or progress):
        raise UserError("say what to export: --history FILE, --anki FILE.apkg or --progress FILE.json")
    o = _opts(ctx)
    if history:
        n = export.export_history(o.store(), o.library(), history)
        typer.echo(f"复习记录 {n} 条 → {history}")
    if anki:
        n = export.export_anki(o.library(), anki, chapter)
        typer.echo(f"Anki 卡片 {n} 张 → {anki}")
    if progress:
        cards_, rows = export.export_progress(o.store(), progress)
        typer.echo(f"进度：{cards_} 张卡片、{rows} 条记录 → {progress}")


@app.command("import-progress")
def import_progress(ctx: typer.Context, file: Path = typer.Argument(..., help="A file from export --progress.")) -> None:
    """Merge progress exported on another machine (newest review wins).  Example: sysplan import-progress p.json"""
    from sysplan_study import export

    updated, added = export.import_progress(_opts(ctx).store(), file)
    typer.echo(f"已合并：更新 {updated} 张卡片的日程，新增 {added} 条复习记录")
