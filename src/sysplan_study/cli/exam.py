"""The exam planner commands: exam, exam set, exam clear."""

from __future__ import annotations

from typing import Optional

import typer

from sysplan_study.cli.app import Fmt, _opts, _out, _print_json, app

DEFAULT_LEAD_DAYS = 14  # mirrors planner.DEFAULT_LEAD_DAYS without importing it at start-up


exam_app = typer.Typer(help="考试日期与备考计划", no_args_is_help=False, invoke_without_command=True)
app.add_typer(exam_app, name="exam")


@exam_app.callback()
def exam(ctx: typer.Context, format: Fmt = typer.Option(Fmt.table, "--format", "-f")) -> None:
    """距考试天数、每天需要学的新卡数。  Example: sysplan exam"""
    if ctx.invoked_subcommand is not None:
        return
    from sysplan_study import clock
    from sysplan_study.study import planner

    o = _opts(ctx)
    store = o.store(write=False)
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
    from sysplan_study.study import forecast

    recall = forecast.overall_if_stop(store, lib, when) if when >= today else None  # stored item memories
    if format is Fmt.json:
        data = p.to_json()
        if recall is not None:
            data["forecast"] = {"items": recall.items, "studied": recall.studied,
                                "recall_if_stop": forecast.rounded(recall.recall_if_stop)}
        return _print_json(data)
    lines = planner.describe(p).splitlines()
    if recall is not None and recall.recall_if_stop is not None:
        lines.append(f"考试日预计回忆率：已学 {recall.studied}/{recall.items} 项中约 {recall.recall_if_stop * 100:.0f}%"
                     f"（从现在起不再复习；按计划复习的预测见 sysplan forecast）")
        lines.append("按考试日的收益挑今天要复习的卡（可提前复习未到期的）：sysplan review --exam")
    from sysplan_study.ui.render import wrapped

    out = _out()
    for line in lines:  # CJK line breaking: a number or a command is never split across lines
        out.print(wrapped(line))


@exam_app.command("set")
def exam_set(
    ctx: typer.Context,
    when: str = typer.Argument(..., help="考试日期 YYYY-MM-DD"),
    lead_days: int = typer.Option(DEFAULT_LEAD_DAYS, "--lead-days", help="考前几天要见过所有卡片"),
    new_limit: Optional[int] = typer.Option(None, "--new-limit", help="每天新卡上限（即 config new-limit）"),
    cap_intervals: bool = typer.Option(False, "--cap-intervals", help="把考试之后的到期日拉回考前最后一周"),
) -> None:
    """设置考试日期。  Example: sysplan exam set 2027-05-22 --cap-intervals"""
    from sysplan_study import clock
    from sysplan_study.study import planner

    day = clock.parse_date(when, "考试日期 (exam date)")
    today = clock.today()
    planner.check_exam_date(day, today)  # before the database is opened (or created)
    store = _opts(ctx).store()
    planner.set_exam(store, day, cap_intervals, lead_days, new_limit, today=today)
    typer.echo(f"考试日期已设为 {day.isoformat()}（距今 {(day - today).days} 天）")


@exam_app.command("clear")
def exam_clear(ctx: typer.Context) -> None:
    """清除考试日期。  Example: sysplan exam clear"""
    from sysplan_study.study import planner

    planner.set_exam(_opts(ctx).store(), None)
    typer.echo("已清除考试日期")

