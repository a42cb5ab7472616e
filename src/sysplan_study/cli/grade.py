"""The grade command: mark typed answers against a card for scripts, editor plugins and tests; never opens the
database and never prompts (a doubtful key phrase stays "partial")."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Any, Iterator, Optional

import typer

from sysplan_study.cli.app import _opts, _out, _print_json, app
from sysplan_study.errors import UserError

MAX_LINE = 4000  # a longer typed line is cut, as in review


class GradeFmt(str, Enum):
    table = "table"
    json = "json"


@app.command()
def grade(
    ctx: typer.Context,
    card_id: Optional[str] = typer.Argument(None, help="卡片 id（见 sysplan cards）；默写内容从标准输入逐行读取。"),
    format: GradeFmt = typer.Option(GradeFmt.table, "--format", "-f", help="table 给人看，json 给脚本用。"),
    batch: bool = typer.Option(
        False, "--batch", help='逐行读入 JSON {"card_id": ..., "typed": [...]}，每行输出一个 JSON 结果。'
    ),
) -> None:
    """逐项判分默写的答案（机器接口），不保存任何记录。  Example: printf '获取 共享\\n' | sysplan grade operate.resources.knowledge.activities --format json"""
    from sysplan_study.study import recall

    if batch == (card_id is not None):
        raise typer.BadParameter("给出 CARD_ID，或用 --batch 从标准输入读 JSON 行（二者选一）（give a CARD_ID or --batch, not both）", param_hint="CARD_ID")
    lib = _opts(ctx).library()
    vocab = recall.Vocabulary.of(lib.cards)
    if batch:
        return _batch(lib, vocab)
    assert card_id is not None
    card = _card(lib, card_id)
    lines = [line for line in (_clean(raw) for raw in _stdin_lines()) if line]
    result = recall.match(card, lines, vocab)
    if format is GradeFmt.json:
        _print_json(result.to_json(card.id))
        return
    from sysplan_study.ui import review_loop

    out = _out()
    out.print(review_loop.recall_table(result))
    doubtful = f"，≈ {result.partials} 项未计入（关键短语，复习时按 y 接受）" if result.partials else ""
    out.print(f"回忆出 {result.recalled}/{result.total} 项{doubtful}，建议评分 {recall.suggest_grade(result.share)}")


def _batch(lib: Any, vocab: Any) -> None:
    """One JSON object in, one out, per line; the first bad line stops with its number."""
    import json

    from sysplan_study.study import recall

    for number, raw in enumerate(_stdin_lines(), 1):
        if not raw.strip():
            continue
        try:
            request = json.loads(raw)
        except ValueError as e:
            raise UserError(f"标准输入第 {number} 行不是合法的 JSON（line {number}: invalid JSON: {e.msg}）") from None
        card_id = request.get("card_id") if isinstance(request, dict) else None
        typed = request.get("typed") if isinstance(request, dict) else None
        if not isinstance(card_id, str) or not isinstance(typed, list) or not all(isinstance(t, str) for t in typed):
            raise UserError(
                f'标准输入第 {number} 行应为 {{"card_id": "…", "typed": ["…"]}}'
                f"（line {number}: expected card_id string and typed list of strings）"
            )
        card = _card(lib, card_id, number)
        result = recall.match(card, [line for line in (_clean(t) for t in typed) if line], vocab)
        sys.stdout.write(json.dumps(result.to_json(card.id), ensure_ascii=False) + "\n")
        sys.stdout.flush()


def _card(lib: Any, card_id: str, line: int | None = None) -> Any:
    if not lib.has_card(card_id):
        where = f"标准输入第 {line} 行：" if line is not None else ""
        raise UserError(f"{where}没有这张卡片：{card_id!r}（unknown card id; see `sysplan cards`）")
    return lib.card(card_id)


def _stdin_lines() -> Iterator[str]:
    """Lines of stdin as text; input that is not UTF-8 is one error line, not a traceback."""
    try:
        yield from sys.stdin
    except UnicodeDecodeError:
        raise UserError("标准输入不是 UTF-8 文本（stdin is not UTF-8）") from None


def _clean(line: str) -> str:
    """A typed line without its end, control characters and surrounding spaces, cut at MAX_LINE."""
    import unicodedata

    line = line[:MAX_LINE].rstrip("\r\n")
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in line).strip()
