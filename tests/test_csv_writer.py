"""The machine CSV writer: what any CSV reader reads back is what the frame held (formula-safe)."""

import csv
import io
from datetime import datetime

import numpy as np
import pandas as pd
from hypothesis import given, settings as hsettings, strategies as st

from wgm.report.machine import to_csv

COLUMNS = ["text", "kind", "ts", "n", "amount", "flag"]


def read_back(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def frame(texts: list[str]) -> pd.DataFrame:
    n = len(texts)
    return pd.DataFrame({
        "text": pd.Series(texts, dtype="str"),
        "kind": pd.Series([["task", "reply", "a,b"][i % 3] for i in range(n)], dtype="str"),
        "ts": pd.Series([datetime(2026, 3, 1, 9, 0, i % 60) if i % 4 else pd.NaT for i in range(n)],
                        dtype="datetime64[ns]"),
        "n": np.arange(n, dtype="int64"),
        "amount": [np.nan if i % 5 == 0 else i / 3 for i in range(n)],
        "flag": [i % 2 == 0 for i in range(n)],
    })


def expected_text(v: str) -> str:
    return "'" + v if v.startswith(("=", "+", "-", "@", "\t", "\r")) else v


def test_fields_with_commas_quotes_and_line_breaks_read_back_whole():
    texts = ['收到,马上办', 'say "hi"', "两行\n第二行", "a lone\rCR", "=1+1", "-5", "@所有人", "\tx", "plain", ""]
    rows = read_back(to_csv(frame(texts), COLUMNS + ["absent"]))
    assert rows[0] == COLUMNS + ["absent"]
    assert [r[0] for r in rows[1:]] == [expected_text(t) for t in texts]
    assert [r[1] for r in rows[1:4]] == ["task", "reply", "a,b"]
    assert rows[1][2] == "" and rows[2][2] == "2026-03-01T09:00:01"
    assert [r[3] for r in rows[1:3]] == ["0", "1"]
    assert rows[1][4] == "" and rows[2][4] == "0.33"
    assert [r[5] for r in rows[1:3]] == ["true", "false"]
    assert all(r[6] == "" for r in rows[1:])


def test_a_lone_carriage_return_is_quoted():
    # the csv module writes it bare: a reader then ends the row there
    assert b'"a lone\rCR"' in to_csv(frame(["a lone\rCR"]), ["text"])


def test_few_distinct_values_and_many_give_the_same_fields():
    # a column with few distinct values is encoded per value; it must read back as the long way does
    many = [f"消息{i},第{i}条" for i in range(300)]
    few = ["同一句,话"] * 300
    for texts in (many, few):
        rows = read_back(to_csv(frame(texts), COLUMNS))
        assert [r[0] for r in rows[1:]] == texts


def test_an_empty_frame_gives_the_header_only():
    assert read_back(to_csv(frame([]), COLUMNS)) == [COLUMNS]


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list('ab,"\n\r=+-@\t\x00 收到 ')), max_size=12), max_size=30))
def test_any_text_reads_back_formula_safe(texts):
    rows = read_back(to_csv(frame(texts), COLUMNS))
    assert [r[0] for r in rows[1:]] == [expected_text(t) for t in texts]


def test_rows_encoded_by_workers_give_the_same_bytes(monkeypatch):
    from wgm.report import machine
    texts = [f"第{i}条,{'=' if i % 7 == 0 else ''}消息\n" for i in range(1000)]
    one = b"".join(machine.csv_chunks(frame(texts), COLUMNS, jobs=1))
    monkeypatch.setattr(machine, "_MIN_ROWS_PER_WORKER", 100)
    monkeypatch.setattr(machine, "_ROWS_PER_CHUNK", 64)
    two = b"".join(machine.csv_chunks(frame(texts), COLUMNS, jobs=3))
    assert two == one and len(read_back(two)) == 1001


def test_several_files_encoded_in_pieces_by_workers_give_each_file_its_own_bytes(monkeypatch, tmp_path):
    import glob
    import tempfile
    from pathlib import Path
    from wgm.report import machine
    from wgm.report.atomic import stage
    frames = {"a.csv": (frame([f"甲{i}" for i in range(700)]), COLUMNS),
              "b.csv": (frame([f"乙,{i}" for i in range(50)]), COLUMNS),
              "c.csv": (frame([]), COLUMNS)}
    alone = {name: machine.to_csv(df, cols) for name, (df, cols) in frames.items()}
    monkeypatch.setattr(machine, "_MIN_ROWS_PER_WORKER", 100)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    encoded = machine.encode_all(frames, 2)
    written = {}
    for name, chunks in encoded.items():
        chunks = list(chunks)
        if name == "a.csv":
            assert sum(isinstance(c, Path) for c in chunks) > 1     # cut in pieces, each a part file
        written[name] = stage(tmp_path / name, chunks).read_bytes()
    assert written == alone
    del encoded, chunks
    assert glob.glob(str(tmp_path / ".wgm-csv-*")) == []        # the part files go with the last reader


@hsettings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-9_000_000_000, 9_000_000_000)), max_size=40))
def test_times_are_written_as_numpy_spells_them(seconds):
    """iso_times (a day spelled once, a second looked up) gives np.datetime_as_string's text, before
    1970 too, and "" where a time is missing."""
    import numpy as np
    import pandas as pd
    from wgm.report.machine import iso_times
    values = pd.Series([pd.NaT if s is None else np.datetime64(s, "s") for s in seconds], dtype="datetime64[ns]")
    expected = ["" if s is None else str(np.datetime_as_string(np.datetime64(s, "s"), unit="s")) for s in seconds]
    assert iso_times(values) == expected


@hsettings(max_examples=80, deadline=None)
@given(st.lists(st.integers(-5, 60), max_size=40), st.lists(st.booleans(), max_size=40))
def test_numbers_and_flags_are_spelled_as_python_spells_them(numbers, flags):
    """Line numbers (looked up in a table of their spellings when small and not negative) and
    booleans come out as str() and true/false, whichever way they are encoded."""
    from wgm.report.machine import csv_fields
    assert csv_fields(pd.Series(numbers, dtype="int64")) == [str(v) for v in numbers]
    assert csv_fields(pd.Series(flags, dtype="bool")) == ["true" if v else "false" for v in flags]


_JSON_TEXT = st.text(alphabet=st.sampled_from(list('ab"\\\n\r\t\x00\x1f\u2028 收到😀%s{}:,')), max_size=8)


@hsettings(max_examples=120, deadline=None)
@given(st.lists(st.tuples(_JSON_TEXT, st.sampled_from(["task", "chat", 'a"b']), st.integers(-3, 10**12),
                          st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=True, width=32)),
                          st.booleans(), st.one_of(st.none(), st.integers(0, 10**9))), max_size=25))
def test_json_records_are_what_the_json_encoder_writes_for_each_row(rows):
    """audit.json's records are encoded a column at a time; each line must be exactly what
    json.JSONEncoder(ensure_ascii=False) writes for the row's dict of plain values."""
    import json

    from wgm.report.machine import json_values, json_records
    n = len(rows)
    df = pd.DataFrame({
        "text": pd.Series([r[0] for r in rows], dtype="str"),
        "kind": pd.Series([r[1] for r in rows], dtype="str"),
        "n": pd.Series([r[2] for r in rows], dtype="int64"),
        "amount": pd.Series([np.nan if r[3] is None else r[3] for r in rows], dtype="float64"),
        "flag": pd.Series([r[4] for r in rows], dtype="bool"),
        "ts": pd.Series([pd.NaT if r[5] is None else datetime(2026, 1, 1) + pd.Timedelta(seconds=r[5])
                         for r in rows], dtype="datetime64[ns]"),
        "items": pd.Series([[r[1], r[2]] for r in rows], dtype=object),
    })
    columns = list(df.columns)
    encode = json.JSONEncoder(ensure_ascii=False, default=str).encode
    expected = [encode(dict(zip(columns, row))) for row in zip(*(json_values(df[c]) for c in columns))]
    assert list(json_records(df, columns, "unparsed")) == expected     # no unparsed sort key here: order kept
    assert len(expected) == n


def test_json_records_of_many_distinct_texts_are_encoded_one_by_one_alike():
    """Past ~64 rows a column of mostly distinct texts skips the factorizing: the same JSON."""
    import json

    from wgm.report.machine import json_records
    texts = [f'第{i}条"引号"\\ 😀\n' for i in range(300)]
    df = pd.DataFrame({"text": pd.Series(texts, dtype="str"), "n": np.arange(300, dtype="int64")})
    encode = json.JSONEncoder(ensure_ascii=False).encode
    assert list(json_records(df, ["text", "n"], "unparsed")) == [encode({"text": t, "n": i}) for i, t in enumerate(texts)]


def test_json_numbers_of_few_distinct_values_are_spelled_as_one_by_one():
    """A float column of few distinct values (confidence, amounts) is spelled once per value and looked up:
    the same JSON as value by value, -0.0, NaN and infinities included."""
    import json

    from wgm.report.machine import _json_literals, json_values
    for values in ([0.5, 1.0, 0.95, 30.0, float("nan"), float("inf"), 1e-7] * 40,
                   [0.0, -0.0, 0.004, -0.004, 50.0] * 40, [0.125, 2.675, 1.005] * 40):
        series = pd.Series(values, dtype="float64")
        one_by_one = [json.dumps(v) if v == v else '""' for v in json_values(series)]
        assert _json_literals(series) == [v.replace("NaN", '""') for v in one_by_one], values
