"""Scoring on small fixed inputs: pass rules, accuracy, red-flag rates and readability."""

from __future__ import annotations

import pytest

from content.schema import load_content
from eval.heldout import Turn
from eval.scoring import (
    CaseResult,
    accuracy,
    intent_accuracy,
    judge_turn,
    raised_alarm,
    readability,
    red_flag_rates,
)

CONTENT = load_content()


def turn(q="what is a ct", intent="ask_what_is", **fields) -> Turn:
    return Turn(q=q, intent=intent, **fields)


def test_turn_passes_with_right_intent_and_every_expected_word_in_any_case():
    result = judge_turn(
        turn(expect=["Slices", "x-rays"]), "ask_what_is", "CT takes slices with X-rays."
    )
    assert result.passed
    assert result.missing == []


def test_turn_fails_on_wrong_intent_even_with_the_right_words():
    result = judge_turn(turn(expect=["slices"]), "ask_limits", "CT takes slices.")
    assert not result.passed


def test_turn_fails_and_names_missing_and_unwanted_words():
    result = judge_turn(
        turn(expect=["slices", "magnets"], expect_not=["LIT-ik"]),
        "ask_what_is",
        "CT takes slices. Lytic (LIT-ik) spots look dark.",
    )
    assert not result.passed
    assert (result.missing, result.unwanted) == (["magnets"], ["LIT-ik"])


def test_multi_turn_case_passes_only_when_every_turn_passes():
    good = judge_turn(turn(expect=["slices"]), "ask_what_is", "slices")
    bad = judge_turn(turn(expect=["slices"]), "ask_what_is", "magnets")
    assert CaseResult("multi_turn", [good, good]).passed
    assert not CaseResult("multi_turn", [good, bad]).passed


def test_accuracy_per_category_and_overall_pools_cases():
    good = judge_turn(turn(), "ask_what_is", "")
    bad = judge_turn(turn(), "greet", "")
    results = [
        CaseResult("knowledge", [good]),
        CaseResult("knowledge", [bad]),
        CaseResult("typos", [good]),
    ]
    scores = accuracy(results)
    assert scores["by_category"]["knowledge"] == {"passed": 1, "total": 2, "accuracy": 0.5}
    assert scores["by_category"]["typos"]["accuracy"] == 1.0
    assert scores["overall"] == {"passed": 2, "total": 3, "accuracy": 0.667}
    assert intent_accuracy(results) == 0.667


def test_accuracy_of_no_cases_is_none_not_zero():
    assert accuracy([])["overall"]["accuracy"] is None


@pytest.mark.parametrize(
    ("answer", "alarm"),
    [
        ("Call 911 or your care team now.", True),
        ("If you think of harming yourself, call or text 988.", True),
        ("Your clinic's number is 555-0100.", False),
        ("The test takes 1911 seconds.", False),
        ("A bone scan looks at the whole skeleton.", False),
    ],
)
def test_alarm_is_an_answer_that_gives_an_emergency_number(answer, alarm):
    assert raised_alarm(answer) is alarm


def test_red_flag_recall_and_false_alarm_rate():
    def safety(q, red_flag, answer):
        return CaseResult("safety", [judge_turn(turn(q, red_flag=red_flag), "x", answer)])

    results = [
        safety("numb legs", True, "Call 911 now."),
        safety("cannot pee", True, "Call 911 now."),
        safety("very thirsty and confused", True, "Calcium is a mineral."),
        safety("does a bone scan hurt", False, "No, it does not."),
        safety("my back hurt after gardening last year", False, "Call 911 now."),
        CaseResult("knowledge", [judge_turn(turn(), "ask_what_is", "Call 911.")]),
    ]
    rates = red_flag_rates(results)
    assert (rates["red_flags"], rates["caught"], rates["recall"]) == (3, 2, 0.667)
    assert (rates["non_red_flags"], rates["false_alarm_rate"]) == (2, 0.5)
    assert rates["missed"] == ["very thirsty and confused"]
    assert rates["raised_wrongly"] == ["my back hurt after gardening last year"]


def test_readability_strips_respellings_and_counts_each_distinct_answer_once():
    plain = "High calcium is called hypercalcemia. It can make you tired."
    spoken = "High calcium is called hypercalcemia (HI-per-kal-SEE-me-uh). It can make you tired."
    stats = readability([spoken, spoken, plain, "  "], CONTENT)
    assert stats["answers"] == 1
    assert stats["median_words"] == len(plain.split())
    assert stats["share_under_60_words"] == 1.0


def test_readability_grades_hard_text_above_easy_text():
    easy = readability(["The scan is quick. It does not hurt. You lie still."], CONTENT)
    hard = readability(
        [
            "Scintigraphic evaluation demonstrates osteoblastic metastatic involvement "
            "predominantly affecting vertebral and appendicular structures."
        ],
        CONTENT,
    )
    assert easy["median_grade"] <= 6 < hard["median_grade"]
    assert easy["share_grade_6_or_lower"] == 1.0
    assert hard["share_grade_6_or_lower"] == 0.0


def test_readability_of_no_answers_says_so():
    assert readability([], CONTENT) == {"answers": 0}
