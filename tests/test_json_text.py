"""reports.json_text writes exactly what json.dumps(ensure_ascii=False, indent=2) writes."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sysplan_study.reports.json_text import dumps

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text()
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_same_text_as_json_dumps(value: Any) -> None:
    assert dumps(value) == json.dumps(value, ensure_ascii=False, indent=2)


@pytest.mark.parametrize("value", [
    {1: "int key", 2.5: "float key", None: "null key"},
    {True: "bool key", False: [1]},
    {"od": OrderedDict(a=[1, {"b": 2}]), "nan": float("nan"), "inf": [float("-inf")], "": {}},
    [[], {}, [[]], "\u2028\x00\"\\é😀", -0.0, 1e300, 10**30],
])
def test_same_text_for_unusual_keys_and_values(value: Any) -> None:
    assert dumps(value) == json.dumps(value, ensure_ascii=False, indent=2)


def test_unsupported_values_fail_as_in_json() -> None:
    for bad in ({"x": object()}, {(1, 2): 0}):
        with pytest.raises(TypeError):
            dumps(bad)
