"""Reading a progress file as a stream (ijson): the header checked, each card/log row built with bounded size and
depth and handed on with its JSON path; whatever the bytes, a problem is one SchemaError, never a traceback."""

from __future__ import annotations

import codecs
import json
import re
import sys
from typing import Any, BinaryIO, Iterator

from sysplan_study.store.progress_schema import MAX_ITEMS, MAX_TEXT, Checker, SchemaError

PROGRESS_FORMAT = "sysplan-study-progress"
PROGRESS_VERSION = 1

# Larger files are refused up front: 1,000,000 answers export to about 0.5 GB, so this leaves room for ~4 million.
MAX_FILE_BYTES = 2 * 1024**3
CHUNK = 64 * 1024
# No string, number or run of blanks in a progress file comes near this; the parser would hold it whole in memory.
MAX_GAP = 1024 * 1024
# Containers below a row: row (1) → items (2) → one item (3); before/after are at 2.
MAX_DEPTH = 3
MAX_KEYS = 32  # no object of the schema has more keys
TOP = "（顶层）"
TOP_KEYS = ("format", "version", "exported_at", "scheduler", "cards", "log", "suspended")
BOM = b"\xef\xbb\xbf"
# Below the smallest int-digit limit Python can be set to (640), and far above any number of the schema; a deck
# text has at most 2,000 characters, and none of the shipped ones holds more than a few digits in a row.
MAX_DIGITS = 600
_DIGIT_FLAGS = bytes(1 if chr(b).isdigit() and b < 128 else 0 for b in range(256))
_DIGIT_RUN = b"\x01" * MAX_DIGITS
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_EVENT_TYPE = {"start_map": "对象", "start_array": "数组", "string": "字符串", "number": "数字",
               "integer": "整数", "double": "小数", "boolean": "布尔值", "null": "null"}


class _Refused(Exception):
    """Raised from inside the parser's read: the file is too large or holds an over-long token."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class _Bounded:
    """A binary file read in chunks for the parser, refusing what would make it hold too much or fail blind:
    more than MAX_FILE_BYTES, MAX_GAP bytes without a quote (an over-long string, number or blank run, which
    the parser would buffer whole), or a run of MAX_DIGITS digits (the C parser's int() of it fails and loses the
    chunk's events, so the JSON path of the error would be wrong).

    The chunk is cut just before the problem and the *next* read raises: the parser has then reported every
    value before it, and the error names the JSON path of the offending value.
    """

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.pos = 0  # bytes of the file handed to the parser so far
        self.last_quote = 0  # file offset of the last '"' seen
        self.digits = 0  # length of the run of digits the last chunk ended with
        self.problem: str | None = None
        # Checked here, not left to the parser: the pure-Python ijson backend decodes whole chunks and would lose
        # the JSON path of a bad byte.
        self.utf8 = codecs.getincrementaldecoder("utf-8")()

    def read(self, n: int = -1) -> bytes:
        if n == 0:
            return b""  # ijson probes with read(0) whether the file gives bytes or text
        if self.problem is not None:
            raise _Refused(self.problem)
        data = self.raw.read(CHUNK)
        if self.pos == 0 and data.startswith(BOM):
            data = data[len(BOM):]  # a BOM left by a Windows editor is not an error
        problems: list[tuple[int, str]] = []
        if self.pos + len(data) > MAX_FILE_BYTES:
            problems.append((MAX_FILE_BYTES - self.pos, f"文件超过 {MAX_FILE_BYTES // 1024**3} GiB，拒绝导入"))
        q = data.find(b'"')
        if self.pos + (len(data) if q < 0 else q) - self.last_quote > MAX_GAP:
            problems.append((self.last_quote + MAX_GAP - self.pos, "字符串、数字或空白过长（超过 1 MiB）"))
        pending = len(self.utf8.getstate()[0])
        try:
            self.utf8.decode(data)  # never final: bytes cut off at the very end are the parser's to report
        except UnicodeDecodeError as e:
            problems.append((e.start - pending, "不是有效的 UTF-8 文本"))
        flags = data.translate(_DIGIT_FLAGS)
        lead = len(flags) - len(flags.lstrip(b"\x01"))
        run = flags.find(_DIGIT_RUN)
        if self.digits + lead >= MAX_DIGITS or run >= 0:
            problems.append((0 if self.digits + lead >= MAX_DIGITS else run, f"数字超过 {MAX_DIGITS} 位"))
        trail = len(flags) - len(flags.rstrip(b"\x01"))
        self.digits = self.digits + len(flags) if trail == len(flags) else trail
        if q >= 0:
            self.last_quote = self.pos + data.rfind(b'"')
        if problems:
            cut, self.problem = min(problems)
            data = data[:max(cut, 0)]
            if not data:
                raise _Refused(self.problem)
        self.pos += len(data)
        return data


def _parse_problem(e: BaseException) -> str:
    """One short line for a parser failure (yajl's messages span several lines and quote the file)."""
    import ijson

    if isinstance(e, ijson.JSONError):
        first = str(e).strip().splitlines()[0] if str(e).strip() else ""
        first = first.strip("b'\"")[:60]
        return f"不是有效的 JSON（{first}）" if first.isascii() and first.isprintable() else "不是有效的 JSON"
    if isinstance(e, UnicodeDecodeError):
        return "不是有效的 UTF-8 文本"
    return "不是有效的 JSON（数值过大或无法解析）"


class _Located(Exception):
    """A problem deep inside a row: the path parts below the row are added as it propagates up (no bookkeeping
    on the normal path, which runs once per event of a file of millions of rows)."""

    def __init__(self, message: str, parts: list[str | int] | None = None):
        super().__init__(message)
        self.message = message
        self.parts = parts or []


def _forget(e: BaseException | None) -> None:
    """Drop the tracebacks of an exception and its chain (their frames hold the parser's coroutines)."""
    seen: set[int] = set()
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        e.__traceback__ = None
        e = e.__cause__ or e.__context__


_END = ("end", None)  # what next() gives when the events run out


class ProgressStream:
    """One pass over a progress file: `rows()` yields ("cards" | "log", JSON path, built object)."""

    def __init__(self, raw: BinaryIO, checker: Checker):
        import ijson

        self.checker = checker
        self._events = ijson.basic_parse(_Bounded(raw), buf_size=CHUNK, use_float=False)
        self._backend = str(getattr(ijson, "backend", ""))
        self._buried: list[BaseException] = []
        # What the parser raises on bad bytes (a 5,000-digit number surfaces as SystemError from the C backend).
        self._errors = (ijson.JSONError, ValueError, SystemError, OverflowError, MemoryError, RecursionError)
        self._path: list[str | int] = []

    def where(self, *extra: str | int) -> str:
        """The JSON path of the value being read, e.g. log[17].after.due."""
        out = ""
        for part in (*self._path, *extra):
            if isinstance(part, int):
                out += f"[{part}]"
            elif _PLAIN_KEY.fullmatch(part):
                out += f".{part}" if out else part
            else:
                out += f"[{json.dumps(part, ensure_ascii=True)[:40]}]"
        return out or TOP

    def rows(self) -> Iterator[tuple[str, str, Any]]:
        """Every card and log row in file order; the header is checked on the way and at the end."""
        failure: SchemaError | None = None
        try:
            yield from self._document()
        except _Located as e:
            failure = SchemaError(self.where(*reversed(e.parts)), e.message)
            self._bury(e)
        except _Refused as e:
            failure = SchemaError(self.where(), e.message)
            self._bury(e)
        except self._errors as e:
            failure = SchemaError(self.where(), _parse_problem(e))
            self._bury(e)
        finally:
            self._close()
        if failure is not None:
            raise failure  # outside the handlers: no chain of parser exceptions (and their frames) attached

    def _bury(self, e: BaseException) -> None:
        """Keep a parser exception (and the frames its traceback holds) until `_close` can let go of it quietly.

        The pure-Python ijson backend's coroutines, kept alive by those frames, raise when collected; collected
        anywhere else, Python would print "Exception ignored in ..." on stderr."""
        self._buried.append(e)

    def _close(self) -> None:
        """End the parser now, with unraisable exceptions silenced: the pure-Python backend's coroutines raise as
        they are collected when parsing stopped half way."""
        hook = sys.unraisablehook
        sys.unraisablehook = lambda _: None
        try:
            for e in self._buried:
                _forget(e)
            self._buried.clear()
            try:
                self._events.close()
            except Exception:
                pass
            self._events = iter(())  # the last reference: the lexer is collected here, while the hook is quiet
            if self._backend != "yajl2_c":
                import gc

                gc.collect()  # the pure-Python backend's coroutines form cycles: collect them now, quietly
        finally:
            sys.unraisablehook = hook

    def _next(self) -> tuple[str, Any]:
        event = next(self._events, _END)
        if event is _END:
            raise SchemaError(self.where(), "文件提前结束")
        return event

    def _document(self) -> Iterator[tuple[str, str, Any]]:
        ev, _ = self._next()
        if ev != "start_map":
            raise SchemaError(TOP, f"应为对象，实际为{_EVENT_TYPE.get(ev, ev)}：不是 sysplan 进度文件")
        seen: set[str] = set()
        while True:
            ev, key = self._next()
            if ev == "end_map":
                break
            if key in seen:
                raise SchemaError(self.where(key), "重复的键")
            if key not in TOP_KEYS:
                raise SchemaError(TOP, f"未知的键 {repr(key)[:40]}（可用: {', '.join(TOP_KEYS)}）")
            seen.add(key)
            self._path.append(key)
            if key in ("cards", "log", "suspended"):
                yield from self._array(key)
            else:
                self._header(key, self._value(*self._next(), 1))
            self._path.pop()
        for key in ("format", "version", "cards", "log"):
            if key not in seen:
                raise SchemaError(TOP, f"缺少键 {key!r}" + ("：不是 sysplan 进度文件" if key == "format" else ""))
        if next(self._events, _END) is not _END:  # yajl reports trailing garbage itself; this is belt and braces
            raise SchemaError(TOP, "对象之后还有内容")

    def _header(self, key: str, value: Any) -> None:
        where = self.where()
        if key == "format" and value != PROGRESS_FORMAT:
            raise SchemaError(where, f"不是 sysplan 进度文件（应为 {PROGRESS_FORMAT!r}）")
        if key == "version":
            self.checker.integer(where, value, PROGRESS_VERSION, PROGRESS_VERSION)
        if key == "exported_at":
            self.checker.timestamp(where, value)
        if key == "scheduler":
            self.checker.scheduler(where, value)

    def _array(self, key: str) -> Iterator[tuple[str, str, Any]]:
        ev, _ = self._next()
        if ev != "start_array":
            raise SchemaError(self.where(), f"应为数组，实际为{_EVENT_TYPE.get(ev, ev)}")
        i = 0
        path = self._path
        events = self._events
        while True:
            path.append(i)
            ev, value = next(events, _END)
            if ev == "end_array":
                path.pop()
                return
            if ev == "end":
                raise SchemaError(self.where(), "文件提前结束")
            yield key, self.where(), self._value(ev, value, 1)
            path.pop()
            i += 1

    def _value(self, ev: str, value: Any, depth: int) -> Any:
        """A JSON value from its first event: containers built at most MAX_DEPTH deep, MAX_KEYS/MAX_ITEMS wide."""
        if ev == "start_map":
            if depth > MAX_DEPTH:
                raise _Located("嵌套过深")
            return self._map(depth)
        if ev == "start_array":
            if depth > MAX_DEPTH:
                raise _Located("嵌套过深")
            return self._list(depth)
        if ev == "string" and len(value) > MAX_TEXT:
            raise _Located(f"文本超过 {MAX_TEXT} 个字符")
        if ev == "end":
            raise _Located("文件提前结束")
        return value

    def _map(self, depth: int) -> dict[str, Any]:
        events = self._events
        out: dict[str, Any] = {}
        key: str | None = None
        try:
            while True:
                ev, key = next(events, _END)
                if ev == "end_map":
                    return out
                if ev != "map_key":
                    key = None
                    raise _Located("文件提前结束")
                if key in out:
                    raise _Located("重复的键")
                if len(out) >= MAX_KEYS:
                    raise _Located(f"键超过 {MAX_KEYS} 个")
                ev, value = next(events, _END)
                if ev == "start_map" or ev == "start_array" or ev == "end" or ev == "string":
                    value = self._value(ev, value, depth + 1)
                out[key] = value
        except _Located as e:
            if key is not None:
                e.parts.append(key)
            raise
        except _Refused as e:
            raise _Located(e.message, [key] if key is not None else []) from self._bury(e)
        except self._errors as e:
            raise _Located(_parse_problem(e), [key] if key is not None else []) from self._bury(e)

    def _list(self, depth: int) -> list[Any]:
        events = self._events
        out: list[Any] = []
        try:
            while True:
                ev, value = next(events, _END)
                if ev == "end_array":
                    return out
                if len(out) >= MAX_ITEMS:
                    raise _Located(f"元素超过 {MAX_ITEMS} 个")
                if ev == "start_map" or ev == "start_array" or ev == "end" or ev == "string":
                    value = self._value(ev, value, depth + 1)
                out.append(value)
        except _Located as e:
            e.parts.append(len(out))
            raise
        except _Refused as e:
            raise _Located(e.message, [len(out)]) from self._bury(e)
        except self._errors as e:
            raise _Located(_parse_problem(e), [len(out)]) from self._bury(e)
