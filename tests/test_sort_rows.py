"""schema.sort_rows must give exactly what a stable pandas sort gives, only sooner."""

from datetime import datetime, timedelta

import pandas as pd
from hypothesis import given, settings as hsettings, strategies as st

from wgm.schema import sort_rows

KEYS = ["group", "ts", "msg_id"]


def frame(rows) -> pd.DataFrame:
    # a shuffled-looking index: the result must come back with a fresh 0..n-1 one
    return pd.DataFrame({
        "group": pd.Series([r[0] for r in rows], dtype="str"),
        "ts": pd.Series([datetime(2026, 5, 1) + timedelta(seconds=r[1]) if r[1] is not None else pd.NaT
                         for r in rows], dtype="datetime64[ns]"),
        "msg_id": pd.Series([r[2] for r in rows], dtype="str"),
        "row": range(len(rows)),
    }).set_axis([7 * i + 3 for i in range(len(rows))])


rows_strategy = st.lists(st.tuples(st.sampled_from(["甲群", "乙群", "a"]),
                                   st.one_of(st.none(), st.integers(0, 4)),
                                   st.sampled_from(["h1", "h2", "h10", "x", ""])), max_size=40)


def same_as_pandas(df: pd.DataFrame, keys=KEYS) -> None:
    expected = df.sort_values(keys, kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(sort_rows(df, keys), expected)


@hsettings(max_examples=200, deadline=None)
@given(rows_strategy)
def test_any_frame_sorts_as_pandas_does(rows):
    same_as_pandas(frame(rows))


@hsettings(max_examples=100, deadline=None)
@given(rows_strategy)
def test_frames_nearly_in_order_sort_as_pandas_does(rows):
    # the fast paths: already sorted on the first keys, with ties left in any order
    df = frame(rows)
    df = df.sort_values(["group", "ts"], kind="stable")
    same_as_pandas(df)
    same_as_pandas(df.sort_values(KEYS, kind="stable"))


def test_ties_on_the_first_keys_are_ordered_by_the_last():
    df = frame([("a群", 1, "h2"), ("a群", 1, "h1"), ("a群", 2, "a"), ("b群", 0, "b"), ("b群", 0, "a")])
    assert sort_rows(df, KEYS)["msg_id"].tolist() == ["h1", "h2", "a", "a", "b"]
    assert sort_rows(df, KEYS)["row"].tolist() == [1, 0, 2, 4, 3]


@hsettings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["张三", "李四", "", "张三 "]), st.sampled_from(["a", "b", ""]),
                          st.sampled_from(["x", "y"])), max_size=30))
def test_distinct_rows_are_drop_duplicates_in_first_seen_order(rows):
    """schema.distinct_rows (senders attached once per distinct sender, not once per message) codes rows
    as drop_duplicates would keep them: first-seen order, and each row's code names its combination."""
    from wgm.schema import distinct_rows
    df = pd.DataFrame({name: pd.Series([r[i] for r in rows], dtype="str") for i, name in enumerate("abc")})
    codes, first = distinct_rows(df, ["a", "b", "c"])
    kept = df.drop_duplicates()
    assert first.tolist() == kept.index.tolist()
    assert [tuple(df.iloc[first[c]]) for c in codes] == [tuple(r) for r in df.itertuples(index=False)]
