"""`sysplan report`: one self-contained HTML page, every number from stats/forecast JSON, checked in Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from browser import render

CH = "operate"
SELECTORS = ["rect.cell", "rect.cell:not([data-n='0'])", "rect.due-bar", "rect.ret-bar", "rect.fbar",
             "rect.split", "tr.weak-item", ".cheat li", "script", "link", "img", "iframe"]


def study(invoke: Any) -> None:
    """A scripted history: two review sessions in one chapter, and an exam date."""
    assert invoke("exam", "set", "2027-05-22").exit_code == 0
    for day, grades in (("2026-11-01", "5\n2\n4\n3\n4\n4\n4\n"), ("2026-11-03", "4\n5\n1\n4\n4\n3\n4\n4\n")):
        assert invoke("review", "--chapter", CH, "--limit", "6", input=grades, env={"SYSPLAN_TODAY": day}
                      ).exit_code == 0


def page_of(invoke: Any, *args: str) -> str:
    result = invoke("report", "--output", "-", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def stats_json(invoke: Any) -> dict[str, Any]:
    result = invoke("stats", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_page_in_chromium(invoke: Any, library: Any) -> None:
    study(invoke)
    page = page_of(invoke)
    data = stats_json(invoke)
    fc = json.loads(invoke("forecast", "--format", "json").stdout)
    results, console = render(page, {"desktop": 1280, "phone": 390}, SELECTORS)
    assert console == []
    n_decks = len(library.decks)
    for name, width in (("desktop", 1280), ("phone", 390)):
        r = results[name]
        assert r["width"] == width and r["scrollWidth"] <= width, (name, r["scrollWidth"])
        assert r["lang"] == "zh-CN" and r["resources"] == 0
        c = r["counts"]
        assert c["rect.cell"] == 26 * 7 and c["rect.cell:not([data-n='0'])"] == 2
        assert c["rect.due-bar"] == 30 and c["rect.ret-bar"] == 12 * n_decks
        assert c["rect.fbar"] == 2 * (n_decks + 1) and c["rect.split"] == 2 * (n_decks + 1)
        assert c["tr.weak-item"] == min(20, fc["overall"]["studied"]) == len(data["weakest_by_recall"]) > 0
        assert c["script"] == c["link"] == c["img"] == c["iframe"] == 0
        assert c[".cheat li"] == len(data["cheat_sheet"]) > 0
        for w in data["weakest_by_recall"]:
            assert w["text"] in r["text"] and w["card_id"] in r["text"]
        assert "179 天" in r["text"]  # the countdown: 2026-11-24 → 2027-05-22
        assert f"{fc['overall']['recall_if_stop']:.0%}" in r["text"]


def test_stats_json_has_the_report_keys(invoke: Any, library: Any) -> None:
    study(invoke)
    data = stats_json(invoke)
    days = data["answers_by_day_26w"]
    assert len(days) == 182 and days[-1]["day"] == "2026-11-24"
    assert {d["day"]: d["count"] for d in days if d["count"]} == {"2026-11-01": 7, "2026-11-03": 8}
    assert {d["day"]: d["count"] for d in days[-90:]} == {d["day"]: d["count"] for d in data["reviews_by_day"]}
    assert [d["day"] for d in data["due_forecast_30d"]][:2] == ["2026-11-24", "2026-11-25"]
    assert len(data["due_forecast_30d"]) == 30
    assert data["due_forecast_30d"][:14] == data["forecast"]  # the 14-day key agrees
    ret = {c["id"]: c["weeks"] for c in data["retention_by_week"]}
    assert set(ret) == {d.id for d in library.decks} and all(len(w) == 12 for w in ret.values())
    reviews = sum(w["reviews"] for w in ret[CH])
    assert reviews > 0 and all(w["reviews"] == 0 for d, ws in ret.items() if d != CH for w in ws)
    recalls = [w["recall"] for w in data["weakest_by_recall"]]
    assert recalls == sorted(recalls) and all(0 < r < 1 for r in recalls)
    assert all(w["card_id"].startswith(CH) for w in data["weakest_by_recall"])
    for c in data["cheat_sheet"]:
        assert c["initials"] == "".join(t.strip()[:1] for t in c["items"])


def test_empty_history_gives_a_valid_page(invoke: Any) -> None:
    page = page_of(invoke)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page
    assert re.search(r"\b(src|href)=", page) is None  # nothing fetched, not even a relative file
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page
    results, console = render(page, {"phone": 390}, SELECTORS)
    assert console == [] and results["phone"]["scrollWidth"] <= 390
    assert results["phone"]["counts"]["rect.cell"] == 182 and results["phone"]["counts"]["tr.weak-item"] == 0
    assert "未设置考试日期" in results["phone"]["text"]


def test_default_output_and_never_over_the_database(invoke: Any, isolated_home: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("report")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sysplan-report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    db = isolated_home / "sysplan.db"
    before = db.read_bytes()
    result = invoke("report", "--output", str(db))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert db.read_bytes() == before


def test_open_uses_webbrowser(invoke: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import webbrowser

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    out = tmp_path / "r.html"
    assert invoke("report", "--output", str(out), "--open").exit_code == 0
    assert opened == [out.resolve().as_uri()]


def test_thousands_of_leeches_keep_the_page_small(invoke: Any) -> None:
    """A large home has thousands of leeches: the page lists the 30 most lapsed and says how many there are."""
    from sysplan_study.reports import html_report

    data = stats_json(invoke)
    data["leeches"] = [{"card_id": f"c{i}", "deck": "d", "lapses": i % 50, "missed_items": []} for i in range(1000)]
    page = html_report.render(data, None)
    assert page.count('class="leech"') == html_report.LEECHES_SHOWN == 30
    assert "共 1000 张" in page and "<td>遗忘 49 次</td>" in page and "<td>遗忘 0 次</td>" not in page
