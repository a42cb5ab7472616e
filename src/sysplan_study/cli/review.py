"""Review commands: review, undo."""

from __future__ import annotations

from typing import Any, Optional

import typer

from sysplan_study.cli.app import _opts, _out, app




@app.command()
def review(
    ctx: typer.Context,
    chapter: Optional[str] = typer.Option(
        None, "--chapter", "-c",
        help="只复习这一章：design 规划设计 · deploy 部署实施 · operate 运营管理 · improve 持续改进 · "
             "supervise 监督管理 · marketing 营销 · terms 术语（及你自己的卡组 id）",
    ),
    new_limit: Optional[int] = typer.Option(
        None, "--new-limit", help="本学习日最多学几张新卡（按记录计，含其他窗口；默认见 sysplan config new-limit）"
    ),
    limit: Optional[int] = typer.Option(None, "--limit", help="本次最多复习几张"),
    typed: bool = typer.Option(False, "--typed", help="逐项默写：输入记得的各项，逐项判分"),
    weak: bool = typer.Option(
        False, "--weak", help="只练最可能忘记的条目（见 sysplan weak；逐项默写，按条目记录，不改变复习日程）"
    ),
    exam: bool = typer.Option(
        False, "--exam", help="按考试日预计记住的增益挑选今天复习的卡（可提前复习未到期的卡；需先 sysplan exam set）"
    ),
    budget: Optional[int] = typer.Option(
        None, "--budget", help="配合 --exam：今天复习几张（默认：今天到期的张数，至少 10）；新卡另按 --new-limit"
    ),
) -> None:
    """复习到期卡片，再学新卡（SM-2 或 FSRS：sysplan config scheduler）。  Example: sysplan review --chapter design --typed"""
    from sysplan_study.study import config, planner
    from sysplan_study.study import recall
    from sysplan_study.ui import review_loop as tui
    from sysplan_study.ui.answer_input import make_input
    from sysplan_study.study.session import ReviewSession

    if exam and weak:
        raise typer.BadParameter("--exam 与 --weak 不能同时使用（choose one）")
    if budget is not None and not exam:
        raise typer.BadParameter("--budget 只配合 --exam 使用（--budget needs --exam）")
    o = _opts(ctx)
    store, lib = o.store(), o.library()
    today = config.today(store)
    out = _out()
    if exam:
        return _exam_review(store, lib, today, out, chapter, new_limit, budget, typed, limit)
    if weak:
        from sysplan_study.study import weak as weakest
        from sysplan_study.study.session import weak_session
        from sysplan_study.ui.progress import replay_bar

        with replay_bar("按复习记录建立逐项记忆") as progress:
            weakest.ensure(store, lib, progress)
        found = weakest.weakest(store, lib, today, chapter, limit or weakest.DEFAULT_LIMIT)
        session = weak_session(store, today, [(w.card_id, w.item) for w in found], lib.card)
        summary = tui.run_review(session, make_input(out), out, True, "逐项练最可能忘记的条目：补出空着的项",
                                 recall.Vocabulary.of(lib.cards))
        out.print(tui.summary_panel(summary, today, chapter))
        return
    limit_new = config.get(store, "new-limit") if new_limit is None else new_limit
    assert isinstance(limit_new, int)
    session = ReviewSession.start(store, lib.card_ids_in(chapter), lib.card, today, limit_new, limit)
    session.due_cap = planner.due_cap(store, today)
    session.leech_threshold = int(config.get(store, "leech-threshold"))
    vocab = recall.Vocabulary.of(lib.cards) if typed else None
    summary = tui.run_review(session, make_input(out), out, typed, planner.header(store, today), vocab)
    out.print(tui.summary_panel(summary, today, chapter))


def _exam_review(store: Any, lib: Any, today: Any, out: Any, chapter: str | None, new_limit: int | None,
                 budget: int | None, typed: bool, limit: int | None) -> None:
    """`review --exam`: the day's reviews chosen by expected exam-day gain; the forecast before and after."""
    from sysplan_study.study import exam_session, recall
    from sysplan_study.ui import review_loop as tui
    from sysplan_study.ui.answer_input import make_input
    from sysplan_study.ui.progress import replay_bar

    with replay_bar("按复习记录建立逐项记忆") as progress:
        run = exam_session.start(store, lib, today, chapter, new_limit, budget, limit, progress)
    q = run.queue
    head = tui.exam_header(run.exam, today, len(q.reviews), q.budget, len(q.new), q.done_today)
    vocab = recall.Vocabulary.of(lib.cards) if typed else None
    summary = tui.run_review(run.session, make_input(out), out, typed, head, vocab)
    out.print(tui.summary_panel(summary, today, chapter, exam_change=(run.exam, run.before, run.recall_now(lib))))


@app.command()
def undo(ctx: typer.Context) -> None:
    """撤销本机最后一次回答或重置（可重复），恢复卡片原来的日程。  Example: sysplan undo"""
    from sysplan_study.study.session import undo_last

    entry = undo_last(_opts(ctx).store())
    if entry is None:
        typer.echo("没有可撤销的回答。")
        return
    what = "重置" if entry.mode == "reset" else f"评分 {entry.grade}"
    typer.echo(f"已撤销：{entry.card_id} {what}（{entry.mode}，{entry.reviewed_at[:16]}）")

