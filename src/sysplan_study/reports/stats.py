"""Progress figures per deck and overall, from SQL aggregates in the store, as plain data for any format."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sysplan_study.decks.model import Library
from sysplan_study.store.history import Store

RETENTION_DAYS = 30
HISTORY_DAYS = 90
FORECAST_DAYS = 14
WEAKEST = 10
LEECHES_LISTED = 50  # stats lists the worst leeches only (a large home has thousands); `cards --leeches` lists all
MISSED_PER_LEECH = 5
YOUNG_FROM, MATURE_FROM = 7, 21
KEYS = ("cards", "new", "learning", "young", "mature", "due", "reviews", "retention", "avg_ef", "lapses")


def deck_overview(library: Library, store: Store, today: date) -> list[dict[str, Any]]:
    """One row per deck: id, title, kind, cards, new (never reviewed), due (on or before today)."""
    from sysplan_study.store import due

    # Sets of ids from indexed SQL, intersected per deck in C: no State, no date parsed, no loop over every card.
    scheduled, due_now, suspended = due.scheduled_ids(store), due.due_ids(store, today), store.suspended_ids()
    rows = []
    for d in library.decks:
        ids = d.card_ids
        held = suspended.intersection(ids)
        rows.append({
            "id": d.id, "title": d.title, "kind": d.kind, "cards": len(ids),
            "new": len(ids) - len(scheduled.intersection(ids)) - len(held - scheduled),
            "due": len(due_now.intersection(ids) - held),
            "suspended": len(held),
            "builtin": d.builtin,
        })
    return rows


def _finish(raw: dict[str, Any]) -> dict[str, Any]:
    """Turn the store's raw sums into the published keys."""
    recent = raw.get("recent", 0)
    ef = raw.get("ef100_avg")
    return {
        "cards": raw.get("cards", 0), "new": raw.get("new", 0), "learning": raw.get("learning", 0),
        "young": raw.get("young", 0), "mature": raw.get("mature", 0), "due": raw.get("due", 0),
        "reviews": raw.get("reviews", 0),
        "retention": round(raw.get("recent_passed", 0) / recent, 4) if recent else None,
        "avg_ef": round(ef / 100, 2) if ef is not None else None,
        "lapses": raw.get("lapses", 0),
        "suspended": raw.get("suspended", 0),
    }


def streak(days_desc: list[str], today: date) -> int:
    """Consecutive study days with answers ending today, or yesterday while today has none yet."""
    have = set(days_desc)
    day = today if today.isoformat() in have else today - timedelta(days=1)
    n = 0
    while day.isoformat() in have:
        n += 1
        day -= timedelta(days=1)
    return n


def compute(library: Library, store: Store, today: date, chapter: str | None = None) -> dict[str, Any]:
    """Everything `sysplan stats` reports (the JSON interface documented in README)."""
    from sysplan_study.store import aggregates

    decks = [library.deck(chapter)] if chapter else list(library.decks)
    since = today - timedelta(days=RETENTION_DAYS - 1)
    raw = aggregates.deck_aggregates(store, aggregates.DeckScope([(d.id, d.card_ids) for d in decks]), today, since)
    chapters = []
    totals: dict[str, Any] = {}
    for d in decks:
        r = raw.get(d.id, {"cards": 0})
        chapters.append({"id": d.id, "title": d.title, **_finish(r)})
        for k, v in r.items():
            if k == "ef100_avg":
                continue
            totals[k] = totals.get(k, 0) + (v or 0)
    reviewed = sum(r.get("cards", 0) - r.get("new", 0) for r in raw.values())
    ef_sum = sum((r.get("ef100_avg") or 0) * (r.get("cards", 0) - r.get("new", 0)) for r in raw.values())
    totals["ef100_avg"] = ef_sum / reviewed if reviewed else None
    start = today - timedelta(days=HISTORY_DAYS - 1)
    by_day = aggregates.answers_by_day(store, start, today, scoped=chapter is not None)
    from sysplan_study.reports import report_data  # the HTML report's keys (only added)

    # Fetched for the report's longer window, which then reads them again; the days past ours are not looked at.
    dues = aggregates.due_by_day(store, today + timedelta(days=max(FORECAST_DAYS, report_data.DUE_DAYS) - 1))
    forecast = []
    for i in range(FORECAST_DAYS):
        day = today + timedelta(days=i)
        n = dues.get(day.isoformat(), 0)
        if i == 0:
            n += sum(v for k, v in dues.items() if k < day.isoformat())  # overdue counts as due today
        forecast.append({"day": day.isoformat(), "due": n})
    weakest = [
        {"card_id": cid, "item": idx + 1, "text": text, "missed": missed, "attempts": attempts}
        for cid, idx, text, missed, attempts in aggregates.weakest_items(store, WEAKEST)
    ]
    result: dict[str, Any] = {
        "today": today.isoformat(),
        "chapters": chapters,
        "totals": _finish(totals),
        "streak_days": streak(aggregates.study_days(store, today), today),
        "reviews_by_day": [
            {"day": (start + timedelta(days=i)).isoformat(), "count": by_day.get((start + timedelta(days=i)).isoformat(), 0)}
            for i in range(HISTORY_DAYS)
        ],
        "forecast": forecast,
        "weakest": weakest,
    }
    result["leeches"], result["leech_count"] = leeches(library, store)
    result.update(report_data.extra(library, store, today, chapter))
    from sysplan_study.study import planner

    exam = planner.exam_date(store)
    if exam is not None:
        result["exam"] = planner.plan(
            exam, today, result["totals"]["new"], planner.new_limit(store), planner.lead_days(store),
            store.setting(planner.CAP_KEY) == "1",
        ).to_json()
    result["exam_forecast"] = exam_forecast(library, store, exam, today, chapter)
    return result


def exam_forecast(library: Library, store: Store, exam: date | None, today: date, chapter: str | None
                  ) -> dict[str, Any] | None:
    """`forecast`'s overall *if you stop* figure for the exam date (of the chapter, if one), or None without an
    exam date today or later: items, items studied, mean predicted recall of those (None when none is)."""
    if exam is None or exam < today:
        return None
    from sysplan_study.study import forecast

    figure = forecast.overall_if_stop(store, library, exam, chapter)
    return {"date": exam.isoformat(), "items": figure.items, "studied": figure.studied,
            "recall_if_stop": forecast.rounded(figure.recall_if_stop)}


def leeches(library: Library, store: Store, limit: int | None = LEECHES_LISTED, chapter: str | None = None
            ) -> tuple[list[dict[str, Any]], int]:
    """Cards failed `leech-threshold` times after having been passed (card, deck, lapses, items missed most), most
    lapses then card id first, only the first `limit` of them (all for None), of one deck if given; and how many
    there are in all."""
    from sysplan_study.store import aggregates
    from sysplan_study.study import config

    threshold = config.get(store, "leech-threshold")
    assert isinstance(threshold, int)
    if chapter is None:
        worst, total = aggregates.leeches(store, threshold, limit)
    else:
        worst = [(cid, n) for cid, n in aggregates.leeches(store, threshold)[0] if library.deck_of(cid) == chapter]
        total, worst = len(worst), worst[:limit]
    missed = aggregates.missed_items_of(store, (cid for cid, _ in worst), MISSED_PER_LEECH)
    return [{"card_id": cid, "deck": library.deck_of(cid), "lapses": n, "missed_items": missed.get(cid, [])}
            for cid, n in worst], total


def table_rows(data: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows (chapters then totals) shared by the table, CSV and Markdown formats."""
    header = ["id", "title", *KEYS]
    rows = [[c["id"], c["title"], *(_cell(c[k], k) for k in KEYS)] for c in data["chapters"]]
    rows.append(["total", "合计", *(_cell(data["totals"][k], k) for k in KEYS)])
    return header, rows


def _cell(value: Any, key: str) -> Any:
    """EF with two decimals everywhere (2.50, not 2.5); other values as they are."""
    return f"{value:.2f}" if key == "avg_ef" and value is not None else value


def fmt(value: Any, key: str | None = None) -> str:
    """A cell: retention as a percentage, EF with two decimals, None as a dash."""
    if value is None:
        return "—"
    if key == "avg_ef":
        return f"{float(value):.2f}"
    if isinstance(value, float) and value <= 1 and value >= 0:
        return f"{value:.0%}"
    return str(value)
