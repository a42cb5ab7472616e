"""Words and sounds: jieba on a small dictionary (word order, word overlap) and toneless pinyin (IME homophones).

Both load on first use, in ~20 ms together, quietly: jieba's default dictionary (~0.5 s, and a "Building prefix
dict" line on stderr) is never loaded, and pypinyin's tables (~130 ms) only for a character outside the shipped
table (sounds.txt, generated from pypinyin by build_data.py).
"""

from __future__ import annotations

import sys
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
_lock = threading.Lock()
_tokenizer: Any = None
_sounds: dict[str, str] | None = None
_syllables: dict[str, str] | None = None
SOUND_BASE = 0xF0000  # sounds are private-use characters of plane 15: one per syllable, so one per ideograph


def _import_jieba() -> Any:
    """Import jieba without pkg_resources: jieba only uses it to find its default dictionary, which is never
    loaded here, and importing it costs ~60 ms and may print a deprecation warning on stderr."""
    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # makes `import pkg_resources` fail
    try:
        import jieba
    finally:
        if blocked:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(60)  # nothing on stderr, ever
    return jieba


def tokenizer() -> Any:
    """A jieba tokenizer on the shipped small dictionary (built once per process, thread-safe)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba = _import_jieba()
                tk = jieba.Tokenizer()
                with open(HERE / "words.txt", "rb") as f:
                    tk.FREQ, tk.total = tk.gen_pfdict(f)
                tk.initialized = True  # so jieba never loads (or caches) its default dictionary
                _tokenizer = tk
    return _tokenizer


@lru_cache(maxsize=8192)
def words(text: str) -> tuple[str, ...]:
    """jieba's words of a folded text (no HMM guessing: an unknown word falls apart into characters)."""
    return tuple(w for w in tokenizer().lcut(text, HMM=False) if w.strip())


def _sound_table() -> tuple[dict[str, str], dict[str, str]]:
    """(ideograph → sound symbol, syllable → sound symbol), from sounds.txt."""
    global _sounds, _syllables
    if _sounds is None:
        with _lock:
            if _sounds is None:
                table: dict[str, str] = {}
                syllables: dict[str, str] = {}
                with open(HERE / "sounds.txt", encoding="utf-8") as f:
                    for line in f:
                        if line.startswith("#") or "\t" not in line:
                            continue
                        syllable, chars = line.rstrip("\n").split("\t", 1)
                        symbol = syllables[syllable] = chr(SOUND_BASE + len(syllables))
                        table.update(dict.fromkeys(chars, symbol))
                _syllables = syllables
                _sounds = table
    assert _syllables is not None
    return _sounds, _syllables


@lru_cache(maxsize=1024)
def _rare_sound(ch: str) -> str:
    """An ideograph beyond the shipped table (extension B and later): ask pypinyin, which loads its tables once."""
    try:
        from pypinyin import Style, lazy_pinyin
    except ImportError:  # pragma: no cover - pypinyin is a dependency; without it such a character compares exactly
        return ch
    syllable = lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")
    return _sound_table()[1].get(syllable[0], ch) if syllable else ch


def sound(text: str) -> str:
    """Each ideograph replaced by a symbol of its toneless pinyin, so IME homophones (处理/处里) compare equal."""
    table = _sound_table()[0]
    return "".join(table.get(ch) or (_rare_sound(ch) if ch >= "\U00020000" else ch) for ch in text)
