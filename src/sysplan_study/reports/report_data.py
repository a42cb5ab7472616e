"""Extra `stats --format json` keys the HTML report draws: 26-week daily answers, 30-day dues, weekly retention
per chapter, the weakest items by predicted recall and a 首字 cheat sheet (keys only added, never changed)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sysplan_study.decks.model import Library
from sysplan_study.store.history import Store

HEATMAP_WEEKS = 26
DUE_DAYS = 30
RETENTION_WEEKS = 12
WEAKEST_RECALL = 20


def extra(library: Library, store: Store, today: date, chapter: str | None) -> dict[str, Any]:
    """The report's keys; needs the card→deck scope `aggregates.deck_aggregates` has just loaded."""
    from sysplan_study.store import aggregates, report_queries

    start = today - timedelta(days=HEATMAP_WEEKS * 7 - 1)
    by_day = aggregates.answers_by_day(store, start, today, scoped=chapter is not None)
    days = [(start + timedelta(days=i)).isoformat() for i in range(HEATMAP_WEEKS * 7)]
    dues = aggregates.due_by_day(store, today + timedelta(days=DUE_DAYS - 1))
    due_30 = []
    for i in range(DUE_DAYS):
        day = (today + timedelta(days=i)).isoformat()
        n = dues.get(day, 0) + (sum(v for k, v in dues.items() if k < day) if i == 0 else 0)
        due_30.append({"day": day, "due": n})
    since = today - timedelta(days=RETENTION_WEEKS * 7 - 1)
    weekly = report_queries.weekly_retention(store, since, today)
    decks = [library.deck(chapter)] if chapter else list(library.decks)
    retention = []
    for d in decks:
        weeks = weekly.get(d.id, {})
        retention.append({"id": d.id, "title": d.title, "weeks": [
            {"week": (since + timedelta(days=7 * w)).isoformat(), "reviews": weeks.get(w, (0, 0))[0],
             "retention": round(weeks[w][1] / weeks[w][0], 4) if weeks.get(w, (0, 0))[0] else None}
            for w in range(RETENTION_WEEKS)]})
    weakest = weakest_by_recall(library, store, today)
    return {
        "answers_by_day_26w": [{"day": d, "count": by_day.get(d, 0)} for d in days],
        "due_forecast_30d": due_30,
        "retention_by_week": retention,
        "weakest_by_recall": weakest,
        "cheat_sheet": cheat_sheet(library, weakest),
    }


def weakest_by_recall(library: Library, store: Store, today: date) -> list[dict[str, Any]]:
    """The studied items (of the scoped cards) with the lowest predicted recall today (the forecast's model)."""
    from sysplan_study.memory import fsrs
    from sysplan_study.store import item_states, report_queries

    recall = fsrs.recall_function(item_states.item_config(store.conn))
    out: list[dict[str, Any]] = []
    for cid, index, stability, last in report_queries.lowest_recall(store, today):
        if len(out) == WEAKEST_RECALL:
            break
        if not library.has_card(cid):
            continue
        card = library.card(cid)
        if index >= card.count:  # an item no longer in the deck is left out, as in the forecast
            continue
        out.append({"card_id": cid, "item": index + 1, "text": _leaves(card)[index], "prompt": card.bare_prompt,
                    "section": card.section_title or card.section,
                    "recall": round(recall(stability, (today - last).days), 4)})
    return out


def _leaves(card: Any) -> list[str]:
    """The card's items' texts, in item order."""
    return [str(it.text) for it in card.items]


def cheat_sheet(library: Library, weakest: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each card among the weakest items (first seen first): its prompt and each item's first character."""
    seen: list[str] = []
    for w in weakest:
        if w["card_id"] not in seen:
            seen.append(w["card_id"])
    out = []
    for cid in seen:
        card = library.card(cid)
        texts = _leaves(card)
        out.append({"card_id": cid, "prompt": card.bare_prompt, "initials": "".join(t.strip()[:1] for t in texts),
                    "items": texts})
    return out
