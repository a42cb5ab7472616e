"""Cleaning a web copy of study notes: decoding, page furniture, pinyin notes, mis-decoded runs, traditional → simplified."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sysplan_study.errors import UserError

# Marks of a repaired run, carried through conversion and stripped by the parser (private-use characters).
REPAIR_OPEN, REPAIR_CLOSE = "\ue000", "\ue001"
LOST = "□"  # a character lost in a mis-decoded run

_TONE = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
# "服務(wù)": a pinyin note in brackets right after a Han character; it must carry a tone mark (or ü) to be pinyin.
_PINYIN = re.compile(rf"(?<=[\u3400-\u9fff\ue001])[(（][a-z{_TONE}]*[{_TONE}][a-z{_TONE}]*[)）]")
_FURNITURE = (
    re.compile(r"^.{0,80}_第\s*\d+\s*[页頁]\s*$"),
    re.compile(r"^已[阅閱][读讀]\s*\d+\s*[页頁].*$"),
    re.compile(r"^(下[载載]本文[档檔]|[评評][论論]|提交[评評][论論]|\d+/\d+|[温溫]馨提示)\s*$"),
    re.compile(r"^版[权權][说說]明[:：].*$"),
    re.compile(r"^\s*[•·]\s*\d+\.\s*本站.*$"),
)
_TRUNCATED = re.compile(r"[还還]剩\s*\d+\s*[页頁]未[读讀]")
_TITLE = re.compile(r"^(.{2,80}?)_第\s*1\s*[页頁]\s*$")


@dataclass
class Cleaned:
    """The text of the notes ready to parse, and what cleaning found on the way."""

    text: str
    title: str | None = None  # the document's title from the page furniture, if any
    truncated: bool = False  # the page says part of the document is not shown
    repairs: int = 0  # mis-decoded runs restored
    pinyin: int = 0  # pinyin notes removed
    furniture: list[str] = field(default_factory=list)  # lines dropped as page furniture


def decode(data: bytes, shown: str) -> str:
    """UTF-8 (with or without BOM), else GB18030 (what Chinese Windows saves); one clear error otherwise."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        if b"\x00" not in data:
            return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        if b"\x00" in data:
            raise UnicodeDecodeError("gb18030", data, 0, 1, "NUL byte")
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise UserError(f"无法识别文件编码，不是文本文件或请另存为 UTF-8（cannot decode: not UTF-8, UTF-16 or GB18030）: "
                        f"{shown}") from None


def content_of(text: str) -> Cleaned:
    """The notes without the download site's furniture: between 文档简介 and 温馨提示 when both are there."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    title = next((m.group(1).strip() for line in lines if (m := _TITLE.match(line.strip()))), None)
    truncated = any(_TRUNCATED.search(line) for line in lines)
    start = next((i for i, line in enumerate(lines) if line.strip() in ("文档简介", "文檔簡介")), None)
    if start is not None:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].strip() in ("温馨提示", "溫馨提示")), len(lines))
        dropped = [line for line in lines[:start + 1] + lines[end:] if line.strip()]
        lines = lines[start + 1:end]
    else:
        dropped = []
    kept = []
    for line in lines:
        if any(p.match(line.strip()) for p in _FURNITURE):
            dropped.append(line)
        else:
            kept.append(line)
    return Cleaned("\n".join(kept).strip("\n"), title, truncated, furniture=dropped)


def _rare(ch: str) -> bool:
    """A character unlikely in real text: private use, or Han whose simplified form is outside GB2312."""
    if "\ue000" <= ch <= "\uf8ff":
        return True
    if "\u3400" <= ch <= "\u9fff":
        try:
            to_simplified(ch).encode("gb2312")
        except UnicodeEncodeError:
            return True
    return False


_HALF_TO_FULL = str.maketrans({";": "；", ":": "：", ",": "，", "!": "！"})
# "?" where the decoder lost a byte, an optional scrap of pinyin note ("xí)"), then the run it decoded one byte off.
_MISDECODED = re.compile(r"\?(?:[a-z" + _TONE + r"]{1,6}\))?([^\x00-\x2f\x3f\x5b-\x60\x7b-\x7f\s（）、，。]{2,16})")


def _shifted(run: str) -> str | None:
    """The run re-read one byte later in GB18030, if that gives only ordinary characters (else None)."""
    data = run.translate(_HALF_TO_FULL).encode("gb18030", errors="replace")
    if len(data) < 3:
        return None
    tail = data[1:]
    if len(tail) % 2:
        tail = tail[:-1]
    try:
        fixed = tail.decode("gb18030")
    except UnicodeDecodeError:
        return None
    if not fixed or any(_rare(c) for c in fixed) or any(c < "\u0080" for c in fixed if not c.isalnum()):
        return None
    return fixed


def _plausible(run: str, fixed: str) -> bool:
    """Re-reading is right when the run held a rare character, or when it yields a field label and its colon."""
    if any(_rare(c) for c in run):
        return True
    from sysplan_study.decks.importers.labels import known_label_at_end

    body = to_simplified(fixed.lstrip("；;"))
    return body.endswith("：") and known_label_at_end(body[:-1]) is not None


def repair_misdecoded(text: str) -> tuple[str, int]:
    """Restore runs the site decoded one byte off ("?；顒樱海?)" was "。活動：（1）"); each wrapped in repair marks.

    A run is re-read only when it holds a rare character and the re-reading holds none. The byte lost before it
    becomes "。" (a sentence ended there) or □ (a lost character inside a word); "?)" / "?、" right after a
    repaired label is the item number the decoder swallowed, which is "1" after a label.
    """
    out: list[str] = []
    pos = 0
    count = 0
    for m in _MISDECODED.finditer(text):
        run = m.group(1)
        fixed = _shifted(run)
        if fixed is None or not _plausible(run, fixed):
            continue
        out.append(text[pos:m.start()])
        lost = "。" if fixed[0] in "；;" or m.start() == 0 else ""
        body = fixed.lstrip("；;")
        if fixed.endswith(("：", ":")) or m.group(0).startswith("?;"):
            lost = "。"
        out.append(f"{lost}{REPAIR_OPEN}{body if lost else LOST + body}{REPAIR_CLOSE}")
        pos = m.end()
        count += 1
        rest = text[pos:]
        if rest.startswith("?)"):
            out.append("(1)" if not body.endswith(("：", ":")) else "(1)")
            pos += 2
        elif rest.startswith("?、"):
            out.append("：1、" if not body.endswith(("：", ":")) else "1、")
            pos += 2
    out.append(text[pos:])
    text = "".join(out)
    # A lone "?" + one mis-read character + "?)": a character and an item number lost together ("獲?。?)").
    text, n = re.subn(r"\?[^\x00-\x7f]\?\)", f"{REPAIR_OPEN}{LOST}{REPAIR_CLOSE}(#)", text)
    return text, count + n


def strip_pinyin(text: str) -> tuple[str, int]:
    """Remove the site's pinyin notes: "服務(wù)" → "服務"."""
    return _PINYIN.subn("", text)


_CONVERTER: list = []


def to_simplified(text: str) -> str:
    """Traditional → simplified characters with OpenCC's own dictionaries (t2s)."""
    if not _CONVERTER:
        try:
            import opencc
        except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
            raise UserError("缺少 opencc 包，无法转换繁体字（pip install opencc）") from None
        _CONVERTER.append(opencc.OpenCC("t2s"))
    return _CONVERTER[0].convert(text)


def clean_notes(text: str) -> Cleaned:
    """Everything before parsing: furniture, mis-decoded runs, pinyin notes, then simplified characters."""
    cleaned = content_of(text)
    body, cleaned.repairs = repair_misdecoded(cleaned.text)
    body, cleaned.pinyin = strip_pinyin(body)
    cleaned.text = to_simplified(body)
    if cleaned.title:
        cleaned.title = to_simplified(strip_pinyin(cleaned.title)[0])
    return cleaned
