"""`sysplan forecast`: how much of each chapter you will recall on exam day."""

from __future__ import annotations

from typing import Optional

import typer

from sysplan_study.cli.app import Fmt, _opts, _out, _print_json, app


@app.command()
def forecast(
    ctx: typer.Context,
    date: Optional[str] = typer.Option(None, "--date", help="预测哪一天（YYYY-MM-DD；默认考试日期）"),
    chapter: Optional[str] = typer.Option(None, "--chapter", "-c", help="只看这一章（卡组 id）"),
    format: Fmt = typer.Option(Fmt.table, "--format", "-f", help="table | json"),
    evaluate: bool = typer.Option(
        False, "--evaluate", help="拟合参数与默认参数在你最近四分之一的记录上的对数损失和 RMSE（按时间切分）"
    ),
) -> None:
    """考试那天各章能回忆多少（FSRS 逐项记忆）。  Example: sysplan forecast --date 2027-05-22"""
    from sysplan_study import clock
    from sysplan_study.study import config, forecast as model, weak
    from sysplan_study.ui.progress import replay_bar

    from sysplan_study.study import fitting

    o = _opts(ctx)
    when = clock.parse_date(date, "--date") if date is not None else None
    store, lib = o.store(write=False), o.library()
    if evaluate:
        with replay_bar("按复习记录建立逐项记忆") as progress:
            weak.ensure(store, lib, progress)
        e = fitting.evaluate(store)
        if format is Fmt.json:
            return _print_json(e.to_json())
        typer.echo(f"按时间切分：前 {e.train} 条拟合，最近 {e.test} 条检验（越小越好）")
        typer.echo(f"拟合参数  对数损失 {e.fitted[0]:.4f}  RMSE(bins) {e.fitted[1]:.4f}")
        typer.echo(f"默认参数  对数损失 {e.default[0]:.4f}  RMSE(bins) {e.default[1]:.4f}")
        return
    today = config.today(store)
    day = model.target_date(store, when, today)
    with replay_bar("按复习记录建立逐项记忆") as progress:
        weak.ensure(store, lib, progress)
        fitting.refresh(store, progress)
    result = model.forecast(store, lib, day, today, chapter)
    if format is Fmt.json:
        return _print_json(result.to_json())
    from sysplan_study.ui.forecast_view import render_forecast

    _out().print(render_forecast(result))
