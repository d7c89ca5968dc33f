"""The warning-sign evaluation counts recall, false alarms and errors right, on a small file."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from eval.warning_signs import evaluate, load_split, render

SPLIT = """\
messages:
  - {q: "my legs keep buckling since tuesday", red_flag: true, sign: spinal_cord}
  - {q: "so thirsty and confused today", red_flag: true, sign: high_calcium}
  - {q: "what is a bone scan?", red_flag: true, sign: fracture}
  - {q: "no numbness, just wondering what an mri shows", red_flag: false, kind: negation}
  - {q: "I want to kill myself", red_flag: false, kind: other}
"""


@pytest.fixture()
def result(tmp_path):
    path = tmp_path / "mini.yml"
    path.write_text(SPLIT, encoding="utf-8")
    return evaluate(path)


def test_recall_counts_warning_signs_and_false_alarms_count_look_alikes(result):
    assert (result["warning_signs"], result["look_alikes"]) == (3, 2)
    assert result["recall"] == pytest.approx(2 / 3)
    assert result["false_alarm_rate"] == pytest.approx(1 / 2)


def test_rates_are_given_per_sign_and_per_kind(result):
    assert result["recall_by_sign"] == {"fracture": 0.0, "high_calcium": 1.0, "spinal_cord": 1.0}
    assert result["false_alarms_by_kind"] == {"negation": 0.0, "other": 1.0}


def test_every_miss_and_false_alarm_is_listed_with_what_it_is(result):
    assert result["misses"] == [{"q": "what is a bone scan?", "sign": "fracture"}]
    assert result["false_alarms"] == [
        {"q": "I want to kill myself", "kind": "other", "signs": ["self_harm"]}
    ]


def test_time_per_message_is_measured(result):
    assert 0 < result["p50_ms"] <= result["p95_ms"]


def test_render_shows_the_rates_and_the_errors(result):
    text = render(result)
    assert "| 67%    | 50%" in text
    assert "- (fracture) what is a bone scan?" in text
    assert "- (other; self_harm) I want to kill myself" in text


def test_a_message_must_say_which_sign_or_kind_it_is(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text('messages:\n  - {q: "my legs are numb", red_flag: true}\n', encoding="utf-8")
    with pytest.raises(ValidationError, match="needs its sign"):
        load_split(path)
