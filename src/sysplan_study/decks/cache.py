"""The card index: parsed decks kept in one SQLite file (deck listing fields, cards as JSON, folded search text
with an FTS5 trigram index), reused while a deck file's size, mtime and checksum are unchanged.

Safe to delete. Nothing read from it can run code: values are JSON checked type by type (cache_codec), the file's
schema must be exactly the one this version creates (cache_schema: the file, its schema and version; this module:
what is stored in it and read back), and anything else (a damaged file, a planted one, another version's) is
deleted and rebuilt. Only changed deck files are parsed again (cache_parse), several at once when many changed.

A file is known unchanged without reading it when its size, mtime, ctime and inode are those recorded and were
already more than two seconds old when recorded (any write changes the ctime; the two seconds cover timestamp
granularity, as git's index does). Otherwise, and always off POSIX, its bytes are read and their CRC-32 compared.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import time
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from sysplan_study.decks.cache_schema import cache_file, create, open_checked
from sysplan_study.decks.files import MAX_DECK_BYTES, load_file, read_deck_bytes
from sysplan_study.decks.indexed import IndexedDeck
from sysplan_study.decks.model import DeckRef

if TYPE_CHECKING:  # parsing (cache_parse, the YAML loader) is imported only when a deck file has changed
    from sysplan_study.decks.cache_parse import Payload, Progress
    from sysplan_study.decks.yaml_lines import ContentError

RACY_NS = 2_000_000_000  # a file changed this close to when it was recorded is always read and checksummed
TRUST_STAT = os.name == "posix"  # elsewhere st_ctime is the creation time: it does not change on a write
PREFIX_MAX = 2000  # a two-character needle occurring more often is found faster by scanning the folded text
_ROW = ("id, path, builtin, size, mtime_ns, checksum, ctime_ns, ino, recorded_ns, deck_id, title, kind, number, "
        "note, card_ids")


def _checksum(data: bytes) -> str:
    """The content part of a deck file's cache key: the CRC-32 of its bytes.

    It only has to catch an edit that keeps both the size and the mtime (a copy with preserved times, a clock
    step); a cryptographic hash would add ~5 ms to every start at 20,000 cards for no gain: whoever can write the
    deck file decides its cards anyway.
    """
    return f"{zlib.crc32(data):08x}"


def _sound(row: tuple[Any, ...]) -> bool:
    """True if a deck_file row has the types this version writes (a planted one may not) and every card id
    starts with the deck id and a dot, as deck validation makes them (the library relies on it)."""
    if not (all(type(v) is int for v in row[2:5] + row[6:9]) and type(row[0]) is int
            and all(type(v) is str for v in (row[5], *row[9:12], row[14]))
            and all(v is None or type(v) is str for v in row[12:14])):
        return False
    deck_id, joined = row[9], row[14]
    head = deck_id + "."
    return "." not in deck_id and joined.startswith(head) and joined.count("\n" + head) == joined.count("\n")


class DeckIndex:
    """An open card index: look decks up by file, store what was parsed, load cards, find search candidates."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.fts = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'card_text'").fetchone() is not None

    @classmethod
    def open(cls) -> "DeckIndex | None":
        """The card index of this data home, rebuilt if damaged, foreign or stale; None if it cannot be had."""
        if os.environ.get("SYSPLAN_NO_CACHE"):
            return None
        path = cache_file()
        conn = open_checked(path)
        if conn is None:
            try:
                conn = create(path)
            except (OSError, sqlite3.Error):
                conn = open_checked(path)  # another process may have just created it
                if conn is None:
                    return None
        return cls(conn)

    # ------------------------------------------------------------------ loading decks

    def load(
        self, entries: Sequence[tuple[Path, bool]], progress: Progress | None = None
    ) -> list[DeckRef | ContentError]:
        """A deck reference (or the ContentError of an invalid file) for each (path, built-in) entry, in order:
        from the index when the file is unchanged, else parsed, validated and stored in one transaction."""
        out: list[DeckRef | ContentError] = []
        cached = self._rows()
        todo: list[tuple[int, Path, bool, bytes, tuple[Any, ...]]] = []
        refresh: list[tuple[Any, ...]] = []
        now = time.time_ns()
        for path, builtin in entries:
            name = os.path.abspath(path)
            row = cached.get(name)
            if row is not None and (row[2] != int(builtin) or not _sound(row)):
                row = None
            try:
                st = os.stat(path)
            except OSError:
                out.append(_unreadable(path, builtin))
                continue
            if row is not None and _unchanged(st, row):
                out.append(self._ref(row, path, builtin))
                continue
            from sysplan_study.decks.yaml_lines import ContentError  # only when a file must be read: not at start

            try:
                data = read_deck_bytes(path)  # bounded, and a FIFO is refused rather than read (ContentError)
            except ContentError as e:
                out.append(e)
                continue
            except OSError:
                out.append(_unreadable(path, builtin))
                continue
            key = (name, builtin, len(data), st.st_mtime_ns, _checksum(data), st.st_ctime_ns, st.st_ino, now)
            if row is not None and (row[3], row[4], row[5]) == key[2:5]:
                out.append(self._ref(row, path, builtin))
                if max(st.st_mtime_ns, st.st_ctime_ns) < now - RACY_NS:
                    refresh.append((st.st_ctime_ns, st.st_ino, now, row[0]))  # no need to read it next time
                continue
            out.append(ContentError([]))  # placeholder, replaced below
            todo.append((len(out) - 1, path, builtin, data, key))
        if refresh:
            self._refresh(refresh)
        if todo:
            from sysplan_study.decks import cache_parse

            parsed = cache_parse.parse_all([(str(p), b, d) for _, p, b, d, _ in todo], progress)
            stored = self._store([(key, r) for (_, _, _, _, key), r in zip(todo, parsed)], cached)
            for (i, path, builtin, _, _), result, file_id in zip(todo, parsed, stored):
                if isinstance(result, ContentError):
                    out[i] = result
                elif file_id is not None:
                    out[i] = IndexedDeck(self, file_id, result[0], result[1], result[2], str(path),
                                         result[5], result[3], result[4], builtin, path)
                else:
                    out[i] = DeckRef.of(cache_parse.deck_of(result, str(path), builtin))
        return out

    def _rows(self) -> dict[str, tuple[Any, ...]]:
        try:
            rows = self.conn.execute(f"SELECT {_ROW} FROM deck_file").fetchall()
        except sqlite3.DatabaseError:  # damaged pages (the schema was fine): start the index again
            self.conn.close()
            try:
                self.conn = create(cache_file())
            except (OSError, sqlite3.Error):
                self.conn = sqlite3.connect(":memory:")  # nothing to read, every write fails: decks from memory
            return {}
        return {r[1]: r for r in rows}

    def _ref(self, row: tuple[Any, ...], path: Path, builtin: bool) -> DeckRef:
        return IndexedDeck(self, row[0], row[9], row[10], row[11], str(path), row[14], row[12], row[13],
                           builtin, path)

    def _write(self, work: Any) -> bool:
        """Run work(conn) in one IMMEDIATE transaction; False (nothing written) if the index is locked or read-only."""
        c = self.conn
        try:
            c.execute("BEGIN IMMEDIATE")
            try:
                work(c)
                c.execute("COMMIT")
            except BaseException:
                if c.in_transaction:
                    c.execute("ROLLBACK")
                raise
        except sqlite3.Error:
            return False  # the cache is only a speed-up
        return True

    def _refresh(self, rows: list[tuple[Any, ...]]) -> None:
        self._write(lambda c: c.executemany(
            "UPDATE deck_file SET ctime_ns = ?, ino = ?, recorded_ns = ? WHERE id = ?", rows))

    def _store(self, parsed: list[tuple[tuple[Any, ...], "Payload | ContentError"]],
               cached: dict[str, tuple[Any, ...]]) -> list[int | None]:
        """Write parsed decks in one transaction (dropping their old rows and those of vanished files); the new
        file ids, or None for each when the index cannot be written now (the decks are then served from memory)."""
        from sysplan_study.decks.yaml_lines import ContentError

        ids: list[int | None] = []

        def work(c: sqlite3.Connection) -> None:
            ids.clear()
            gone = [row[0] for name, row in cached.items() if not os.path.exists(name)]
            for key, _ in parsed:
                found = c.execute("SELECT id FROM deck_file WHERE path = ?", (key[0],)).fetchone()
                if found:
                    gone.append(found[0])
            for file_id in gone:
                self._drop(file_id)
            for key, result in parsed:
                if isinstance(result, ContentError):
                    ids.append(None)
                    continue
                name, builtin, size, mtime, checksum, ctime, ino, recorded = key
                deck_id, title, kind, number, note, card_ids, body, cards, counts = result
                cur = c.execute(
                    "INSERT INTO deck_file (path, builtin, size, mtime_ns, checksum, ctime_ns, ino, recorded_ns, "
                    "deck_id, title, kind, number, note, card_ids, item_counts, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                    "?, ?, ?, ?, ?, ?, ?, ?)",
                    (name, int(builtin), size, mtime, checksum, ctime, ino, recorded, deck_id, title, kind, number,
                     note, card_ids, counts, body),
                )
                file_id = int(cur.lastrowid or 0)
                c.executemany("INSERT INTO card (file_id, seq, card_id, data) VALUES (?, ?, ?, ?)",
                              [(file_id, seq, cid, data) for seq, (cid, data, _) in enumerate(cards)])
                row_of = dict(c.execute("SELECT seq, id FROM card WHERE file_id = ?", (file_id,)).fetchall())
                c.executemany("INSERT INTO fold (id, file_id, seq, text) VALUES (?, ?, ?, ?)",
                              [(row_of[seq], file_id, seq, text) for seq, (_, _, text) in enumerate(cards)])
                if self.fts:
                    c.execute("INSERT INTO card_text (rowid, text) SELECT id, text FROM fold WHERE file_id = ?",
                              (file_id,))
                ids.append(file_id)

        return ids if self._write(work) else [None] * len(parsed)

    def _drop(self, file_id: int) -> None:
        """Remove one deck file's rows (inside the caller's transaction)."""
        if self.fts:
            self.conn.execute("INSERT INTO card_text (card_text, rowid, text) SELECT 'delete', id, text FROM fold "
                              "WHERE file_id = ?", (file_id,))
        self.conn.execute("DELETE FROM fold WHERE file_id = ?", (file_id,))
        self.conn.execute("DELETE FROM card WHERE file_id = ?", (file_id,))
        self.conn.execute("DELETE FROM deck_file WHERE id = ?", (file_id,))

    def forget(self, file_id: int) -> None:
        """Drop a deck whose cached rows turned out damaged, so the next run parses its file again."""
        self._write(lambda c: self._drop(file_id))

    # ------------------------------------------------------------------ cards and search

    def card_rows(self, file_id: int, seqs: Iterable[int] | None = None) -> list[tuple[int, str]]:
        """(position, card JSON) of a deck's cards in order, all or those at the given positions."""
        if seqs is None:
            return self.conn.execute("SELECT seq, data FROM card WHERE file_id = ? ORDER BY seq", (file_id,)).fetchall()
        return self.conn.execute(
            "SELECT seq, data FROM card WHERE file_id = ? AND seq IN (SELECT value FROM json_each(?)) ORDER BY seq",
            (file_id, f"[{','.join(str(int(s)) for s in seqs)}]"),
        ).fetchall()

    def card_row(self, file_id: int, card_id: str) -> str | None:
        """One card's JSON by id."""
        row = self.conn.execute("SELECT data FROM card WHERE file_id = ? AND card_id = ?",
                                (file_id, card_id)).fetchone()
        return row[0] if row else None

    def body(self, file_id: int) -> str | None:
        """A deck's sections, notes and source note (JSON)."""
        row = self.conn.execute("SELECT body FROM deck_file WHERE id = ?", (file_id,)).fetchone()
        return row[0] if row else None

    def candidates(self, file_ids: Iterable[int], needle: str) -> dict[int, list[int]]:
        """Positions, per deck file, of the cards whose folded text contains the folded needle (a superset of the
        exact matches: the caller checks each). Three characters or more go through the trigram index, and so do
        two: every occurrence starts a trigram (search texts end with a line break), so the cards holding a trigram
        that starts with the needle are those (a range of the index's terms, read through fts5vocab). A single
        character, which too many trigrams start with, scans the folded text of the decks asked for."""
        wanted = set(file_ids)
        rows: Any = None
        if self.fts and len(needle) >= 3:
            rows = self.conn.execute(
                "SELECT f.file_id, f.seq FROM card_text JOIN fold f ON f.id = card_text.rowid WHERE card_text MATCH ?",
                ('"' + needle.replace('"', '""') + '"',),
            )
        elif self.fts and len(needle) == 2:
            rows = self._starting_trigrams(needle)
        if rows is None:
            rows = self.conn.execute(
                "SELECT file_id, seq FROM fold "
                "WHERE instr(text, ?) > 0 AND file_id IN (SELECT value FROM json_each(?))",
                (needle, f"[{','.join(str(int(f)) for f in sorted(wanted))}]"),
            )
        out: dict[int, list[int]] = {}
        for file_id, seq in rows:
            if file_id in wanted:
                out.setdefault(file_id, []).append(seq)
        for seqs in out.values():
            seqs.sort()
        return out

    def _starting_trigrams(self, needle: str) -> Any:
        """(file id, position) of the cards with a trigram starting with a two-character needle; None when the
        index cannot say (no such range of terms, no fts5vocab) or the needle is too common for the index to beat
        a scan (more than PREFIX_MAX occurrences): the caller scans instead."""
        bounds = _term_range(needle)
        if bounds is None or "\n" in needle:  # a needle ending the text's last line would start no trigram
            return None
        try:
            # A virtual table in this connection's temp schema: the index file itself is never changed.
            self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.card_terms USING fts5vocab(main, card_text, "
                              "instance)")
            docs = self.conn.execute("SELECT doc FROM temp.card_terms WHERE term >= ? AND term < ? LIMIT ?",
                                     (*bounds, PREFIX_MAX + 1)).fetchall()
            if len(docs) > PREFIX_MAX:
                return None
            return self.conn.execute("SELECT file_id, seq FROM fold WHERE id IN (SELECT value FROM json_each(?))",
                                     (f"[{','.join(str(int(d)) for d, in docs)}]",)).fetchall()
        except sqlite3.Error:
            return None

    def stale(self, file_ids: Iterable[int]) -> set[int]:
        """Which of these deck files the index no longer holds (another process stored them again meanwhile)."""
        wanted = set(file_ids)
        held = {r[0] for r in self.conn.execute(
            "SELECT id FROM deck_file WHERE id IN (SELECT value FROM json_each(?))",
            (f"[{','.join(str(int(f)) for f in sorted(wanted))}]",))}
        return wanted - held


def _term_range(needle: str) -> tuple[str, str] | None:
    """The index terms (trigrams) that start with a two-character needle: [needle, the next string of its
    length) in code point order, which is SQLite's byte order of UTF-8; None when there is no next string."""
    last = ord(needle[-1])
    if last >= 0x10FFFF or 0xD800 <= last + 1 <= 0xDFFF:
        return None
    return needle, needle[:-1] + chr(last + 1)


def _unchanged(st: os.stat_result, row: tuple[Any, ...]) -> bool:
    """True if stat alone shows the file is the one recorded (see the module docstring); never for odd files."""
    return (TRUST_STAT and stat.S_ISREG(st.st_mode) and st.st_size <= MAX_DECK_BYTES
            and (st.st_size, st.st_mtime_ns) == (row[3], row[4]) and (st.st_ctime_ns, st.st_ino) == (row[6], row[7])
            and max(st.st_mtime_ns, st.st_ctime_ns) < row[8] - RACY_NS)


def _unreadable(path: Path, builtin: bool) -> ContentError:
    """The ContentError load_file gives for a file that cannot be read."""
    from sysplan_study.decks.yaml_lines import ContentError, Problem

    try:
        load_file(path, builtin)
    except ContentError as e:
        return e
    return ContentError([Problem(str(path), 0, "无法读取卡组（cannot read deck）")])


def load_ref(path: Path, builtin: bool) -> DeckRef:
    """One deck file through the card index (or parsed directly when there is none); raises ContentError."""
    index = DeckIndex.open()
    if index is None:
        return DeckRef.of(load_file(path, builtin))
    (result,) = index.load([(path, builtin)])
    if not isinstance(result, DeckRef):
        raise result  # the file's ContentError
    return result
