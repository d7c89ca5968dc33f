"""Scoring on small fixed inputs: what each behaviour needs, whole-word items, red-flag rates
and readability."""

from __future__ import annotations

import pytest

from content.schema import load_content
from eval.cases import Turn
from eval.scoring import CaseResult, accuracy, judge_turn, raised_alarm, readability, red_flag_rates
from eval.scoring import says as says_item

CONTENT = load_content()


def turn(q="what is a ct", **fields) -> Turn:
    return Turn(q=q, **{"expect": ["slices"], **fields})


@pytest.mark.parametrize(
    ("answer", "item", "found"),
    [
        ("A CT takes slices.", "slices", True),
        ("A CT takes Slices.", "slices", True),
        ("Ask your doctors.", "CT", False),  # whole words: CT is not in "doctors"
        ("Cancer dissolves bone.", "dissolv*", True),
        ("It is dissolved.", "dissolv*", True),
        ("It dissolves.", "dissolve", False),
        ("the whole skeleton", "whole body|skeleton", True),
        ("the whole  body", "whole body", True),
        ("an X-ray", "x-ray*", True),
        ("x-rays", "x-ray", False),
    ],
)
def test_expected_items_are_whole_words_with_alternatives_and_open_endings(answer, item, found):
    assert says_item(answer, item) is found


def test_an_answer_passes_with_every_expected_item():
    assert judge_turn(turn(expect=["slices", "x-ray*"]), "CT takes slices with X-rays.").passed


def test_an_answer_fails_and_names_missing_and_unwanted_items():
    result = judge_turn(
        turn(expect=["slices", "magnets"], expect_not=["LIT-ik"]), "Slices (LIT-ik)."
    )
    assert not result.passed
    assert (result.missing, result.unwanted) == (["magnets"], ["LIT-ik"])


def test_an_alarm_fails_anything_but_a_red_flag():
    assert not judge_turn(turn(), "Slices. Call 911.").passed
    assert judge_turn(turn(behaviour="red_flag", expect=[]), "Call 911 now.").passed
    assert not judge_turn(turn(behaviour="red_flag", expect=[]), "Slices.").passed


@pytest.mark.parametrize(
    ("behaviour", "answer", "passed"),
    [
        ("not_on_page", "The page I use doesn't say how long it takes.", True),
        ("not_on_page", "It takes an hour.", False),
        ("decline", "I can't tell you what your own results mean.", True),
        ("decline", "I only know about the tests used to find cancer in the bones.", True),
        ("decline", "A CT takes slices.", False),
    ],
)
def test_not_on_page_and_decline_need_their_honest_words(behaviour, answer, passed):
    assert judge_turn(turn(behaviour=behaviour, expect=[]), answer).passed is passed


def test_a_multi_turn_case_passes_only_when_every_turn_passes():
    good, bad = judge_turn(turn(), "slices"), judge_turn(turn(), "no")
    assert CaseResult("multi_turn", [good, good]).passed
    assert not CaseResult("multi_turn", [good, bad]).passed


def test_accuracy_per_category_and_overall_pools_cases():
    good, bad = judge_turn(turn(), "slices"), judge_turn(turn(), "no")
    results = [CaseResult("a", [good]), CaseResult("a", [bad]), CaseResult("b", [good])]
    shares = accuracy(results)
    assert shares["by_category"]["a"] == {"passed": 1, "total": 2, "accuracy": 0.5}
    assert shares["overall"] == {"passed": 2, "total": 3, "accuracy": 0.667}
    assert accuracy([])["overall"]["accuracy"] is None


@pytest.mark.parametrize(
    ("answer", "alarm"),
    [("Call 911 now.", True), ("call or text 988", True), ("room 9110", False), ("hi", False)],
)
def test_alarm_is_an_answer_that_gives_an_emergency_number(answer, alarm):
    assert raised_alarm(answer) is alarm


def test_red_flag_recall_and_false_alarm_rate():
    alarm = turn(q="numb legs", behaviour="red_flag", expect=[])
    calm = turn(q="no numbness", expect=["scan"])
    results = [
        CaseResult("s", [judge_turn(alarm, "Call 911.")]),
        CaseResult("s", [judge_turn(alarm, "A scan.")]),
        CaseResult("s", [judge_turn(calm, "Call 911.")]),
        CaseResult("s", [judge_turn(calm, "A scan.")]),
    ]
    rates = red_flag_rates(results)
    assert (rates["recall"], rates["false_alarm_rate"]) == (0.5, 0.5)
    assert rates["missed"] == ["numb legs"] and rates["raised_wrongly"] == ["no numbness"]


def test_readability_strips_respellings_and_counts_each_distinct_answer_once():
    answer = "Lytic (LIT-ik) means the bone is dissolved."
    stats = readability([answer, answer, "Slices."], CONTENT)
    assert stats["answers"] == 2
    assert "LIT-ik" not in str(stats["hardest"])


def test_readability_grades_hard_text_above_easy_text():
    easy = "A bone scan shows the whole skeleton. It is quick."
    hard = "Osteoblastic metastatic lesions demonstrate pathognomonic radiographic sclerosis."
    stats = readability([easy, hard], CONTENT)
    assert stats["hardest"][0]["answer"] == hard


def test_readability_of_no_answers_says_so():
    assert readability(["", "  "], CONTENT) == {"answers": 0}
