"""Deck problems with file:line, and YAML parsing (safe C loader) that remembers line numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sysplan_study.errors import UserError


@dataclass(frozen=True)
class Problem:
    """One validation error at a file and line."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentError(UserError):
    """Decks failed validation; holds every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        first = str(problems[0]) if problems else "invalid deck"
        more = f" (and {len(problems) - 1} more; run `sysplan check`)" if len(problems) > 1 else ""
        super().__init__(first + more)


# ---------------------------------------------------------------------------------------------- YAML with lines


class _LineDict(dict):
    """A mapping that remembers the line of its own start and of each key."""

    line: int = 0
    key_lines: dict[str, int]


class _LineList(list):
    """A sequence that remembers the line of each element."""

    line: int = 0
    item_lines: list[int]


def _loader_class() -> type:
    """A SafeLoader (the C one where present) whose mappings and sequences carry line numbers."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class LineLoader(base):  # type: ignore[misc, valid-type]
        pass

    def construct_mapping(loader: Any, node: Any) -> _LineDict:
        loader.flatten_mapping(node)
        out = _LineDict()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            if key in out:
                raise yaml.MarkedYAMLError(
                    problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark
                )
            out[key] = loader.construct_object(value_node, deep=True)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out

    def construct_sequence(loader: Any, node: Any) -> _LineList:
        out = _LineList(loader.construct_object(child, deep=True) for child in node.value)
        out.line = node.start_mark.line + 1
        out.item_lines = [child.start_mark.line + 1 for child in node.value]
        return out

    LineLoader.add_constructor("tag:yaml.org,2002:map", construct_mapping)
    LineLoader.add_constructor("tag:yaml.org,2002:seq", construct_sequence)
    return LineLoader


def parse_yaml(data: bytes, path: str) -> Any:
    """Decode UTF-8 strictly and parse with the safe loader; errors become a ContentError at file:line."""
    import yaml

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ContentError([Problem(path, line, f"not valid UTF-8 (byte 0x{data[e.start]:02x})")]) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return yaml.load(text, Loader=_loader_class())  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = (e.problem or e.context or "YAML error").strip()
        raise ContentError([Problem(path, line, f"YAML error: {problem}")]) from None
    except yaml.YAMLError as e:
        raise ContentError([Problem(path, 1, f"YAML error: {e}")]) from None
    except RecursionError:
        raise ContentError([Problem(path, 1, "YAML nested too deeply")]) from None


# ---------------------------------------------------------------------------------------------- validation

