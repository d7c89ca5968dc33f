"""The cross-validation summary picks the averages and the worst intents from Rasa's report."""

from __future__ import annotations

from eval.crossval import summarise


def stats(f1: float, support: int, confused_with: dict | None = None) -> dict:
    return {"precision": f1, "recall": f1, "f1-score": f1, "support": support} | (
        {"confused_with": confused_with} if confused_with is not None else {}
    )


REPORT = {
    "greet": stats(1.0, 15, {}),
    "ask_limits": stats(0.375, 17, {"ask_what_it_shows": 3, "ask_what_is": 6}),
    "ask_what_it_shows": stats(0.41234, 18, {"ask_what_is": 6}),
    "ask_source": stats(0.9, 15),
    "accuracy": 0.6540084,
    "macro avg": stats(0.6630706, 65),
    "weighted avg": stats(0.654, 65),
    "micro avg": stats(0.654, 65),
}


def test_summary_gives_rounded_averages_and_counts_only_real_intents():
    summary = summarise(REPORT, folds=3, seconds=351.6)
    assert (summary["accuracy"], summary["macro_f1"], summary["weighted_f1"]) == (
        0.654,
        0.663,
        0.654,
    )
    assert (summary["folds"], summary["seconds"], summary["intents"]) == (3, 352, 4)


def test_worst_intents_come_lowest_f1_first_with_biggest_confusion_first():
    worst = summarise(REPORT, folds=3, seconds=1, worst=2)["worst"]
    assert [w["intent"] for w in worst] == ["ask_limits", "ask_what_it_shows"]
    assert list(worst[0]["confused_with"].items()) == [("ask_what_is", 6), ("ask_what_it_shows", 3)]
    assert worst[1]["f1"] == 0.412


def test_intent_never_confused_reports_an_empty_confusion():
    worst = summarise({**REPORT, "ask_source": stats(0.1, 15)}, folds=3, seconds=1, worst=1)
    assert worst["worst"][0] == {
        "intent": "ask_source",
        "f1": 0.1,
        "support": 15,
        "confused_with": {},
    }
