"""rules.yaml loading: defaults, partial files, --set, and every mistake reported as file:line: key."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from wgm import settings
from wgm.catalog import RULE_IDS
from wgm.errors import SettingsError


def write(tmp_path, text: str):
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_cover_every_rule_and_time_word():
    s = settings.defaults()
    assert set(s.amounts) == set(RULE_IDS)
    assert s.time("cutoff") == time(21, 0) and s.time("end_of_day") == time(23, 59, 59)
    assert s.verification_grace == timedelta(days=2) and s.warning_lookback == timedelta(minutes=30)
    assert s.cap_days == 3 and "收到" in s.words("ack")


def test_partial_file_keeps_other_defaults(tmp_path):
    s = settings.load(write(tmp_path, "amounts:\n  reply_missed: 30\n"))
    assert s.amounts["reply_missed"] == 30
    assert s.amounts["reply_late"] == settings.defaults().amounts["reply_late"]
    assert s.hash != settings.defaults().hash


def test_set_overrides_file(tmp_path):
    s = settings.load(write(tmp_path, "amounts:\n  reply_missed: 30\n"), ["amounts.reply_missed=45",
                                                                           "admins=何敏,林涛"])
    assert s.amounts["reply_missed"] == 45
    assert s.admins == ("何敏", "林涛")


def test_every_problem_is_reported_with_line_and_key(tmp_path):
    path = write(tmp_path, "amounts:\n  reply_missed: 30\n  reply_late: 十\ntimes:\n  cutoff: 21:00\n"
                           "foo: 1\nwarning: {lookback: soon}\n")
    with pytest.raises(SettingsError) as err:
        settings.load(path)
    lines = str(err.value).splitlines()
    assert f"{path}:3: amounts.reply_late: expected a number >= 0, got '十'" in lines
    assert any(line.startswith(f"{path}:5: times.cutoff: write the time in quotes") for line in lines)
    assert any(line.startswith(f"{path}:6: foo: unknown key") for line in lines)
    assert any(line.startswith(f"{path}:7: warning.lookback: expected a duration") for line in lines)


def test_unknown_rule_in_amounts_and_bad_set(tmp_path):
    with pytest.raises(SettingsError, match=r"rules.yaml:2: amounts.reply_mised: unknown key"):
        settings.load(write(tmp_path, "amounts:\n  reply_mised: 3\n"))
    with pytest.raises(SettingsError, match=r"--set: delay.cap_days: expected a whole number"):
        settings.load(None, ["delay.cap_days=x"])


def test_invalid_yaml_names_the_line(tmp_path):
    with pytest.raises(SettingsError, match=r"rules.yaml:2: 不是有效的 YAML（not valid YAML）"):
        settings.load(write(tmp_path, "amounts:\n\treply_missed: 1\n"))


def test_hash_is_stable_and_order_free(tmp_path):
    a = settings.load(write(tmp_path, "delay: {cap_days: 4}\namounts: {format: 5}\n"))
    b = settings.load(write(tmp_path, "amounts: {format: 5}\ndelay: {cap_days: 4}\n"))
    assert a.hash == b.hash


def test_a_key_given_twice_is_an_error_naming_both_lines(tmp_path):
    from wgm.errors import SettingsError
    path = tmp_path / "rules.yaml"
    path.write_text("amounts:\n  reply_missed: 20\n  reply_missed: 0\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"rules.yaml:3: reply_missed: 键 'reply_missed' 写了两次，第一次在第 2 行"):
        settings.load(path)


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path):
    from wgm.errors import SettingsError
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i, name in enumerate("bcdefgh"):
        prev = "abcdefgh"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    path = tmp_path / "rules.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="expands to more than"):
        settings.load(path)


def test_a_roster_reusing_a_list_through_an_alias_is_read(tmp_path):
    from wgm.roster import load_roster
    path = tmp_path / "roster.yaml"
    path.write_text("members:\n  - {name: 张三}\n  - {name: 李四}\ngroups:\n  - {name: 甲群, members: &m [张三, 李四]}\n"
                    "  - {name: 乙群, members: *m}\n", encoding="utf-8")
    assert load_roster(path).group("乙群").members == ("张三", "李四")


@pytest.mark.parametrize("key", ["task_patterns", "incivility_patterns", "report_outcome_patterns"])
def test_a_shape_that_is_not_a_regular_expression_names_its_key(tmp_path, key):
    with pytest.raises(SettingsError, match=rf"rules.yaml:\d+: lexicon.{key}.0: not a valid pattern"):
        settings.load(write(tmp_path, f"lexicon:\n  {key}: ['(unclosed']\n"))


def test_the_follow_on_window_is_a_duration(tmp_path):
    assert settings.load(write(tmp_path, "thread:\n  follow_on: 30m\n")).thread_follow_on == timedelta(minutes=30)
    with pytest.raises(SettingsError, match=r"thread.follow_on: expected a duration"):
        settings.load(write(tmp_path, "thread:\n  follow_on: soon\n"))
