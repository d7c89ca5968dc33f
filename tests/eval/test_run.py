"""The held-out run: one conversation per case, and a report that shows what failed."""

from __future__ import annotations

from content.schema import load_content
from eval.heldout import Case, Turn
from eval.run import answer_bubbles, ask_all, render
from eval.scoring import accuracy, intent_accuracy, readability, red_flag_rates


class ScriptedAssistant:
    """Answers from a script and records which sender asked what."""

    def __init__(self, answers: dict[str, tuple[str, str]]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, str]] = []

    def intent(self, question: str) -> str:
        return self.answers[question][0]

    def answer(self, sender: str, question: str) -> str:
        self.asked.append((sender, question))
        return self.answers[question][1]


HELDOUT = {
    "knowledge": [
        Case(turns=[Turn(q="what is a ct", intent="ask_what_is", expect=["slices"])]),
        Case(turns=[Turn(q="what is an mri", intent="ask_what_is", expect=["magnets"])]),
    ],
    "multi_turn": [
        Case(
            turns=[
                Turn(q="what is a pet", intent="ask_what_is", expect=["sugar"]),
                Turn(q="what does it show", intent="ask_what_it_shows"),
            ]
        )
    ],
}
ANSWERS = {
    "what is a ct": ("ask_what_is", "A CT takes slices."),
    "what is an mri": ("ask_limits", "An MRI uses magnets."),
    "what is a pet": ("ask_what_is", "PET uses a sugar."),
    "what does it show": ("ask_what_it_shows", "Spots that use a lot of sugar."),
}


def test_each_case_is_one_conversation_with_a_sender_of_its_own():
    assistant = ScriptedAssistant(ANSWERS)
    ask_all(assistant, HELDOUT)
    senders = [sender for sender, _ in assistant.asked]
    assert len(set(senders)) == 3
    assert senders[2] == senders[3]
    assert [q for _, q in assistant.asked] == list(ANSWERS)


def test_report_shows_accuracy_per_category_and_names_each_failed_question():
    results = ask_all(ScriptedAssistant(ANSWERS), HELDOUT)
    report = {
        "finished": "2026-01-01 00:00 UTC",
        "target": "a fake",
        "heldout": accuracy(results) | {"intent_accuracy": intent_accuracy(results), "seconds": 1},
        "red_flags": red_flag_rates(results),
        "readability": readability([t.answer for r in results for t in r.turns], load_content()),
        "cross_validation": None,
        "cases": [r.as_dict() for r in results],
    }
    markdown = render(report)
    assert "| knowledge  | 1      | 2     | 50%      |" in markdown
    assert "| overall    | 2      | 3     | 67%      |" in markdown
    assert "| knowledge | what is an mri | ask_what_is | ask_limits |" in markdown
    assert "what is a ct |" not in markdown
    assert "cross-validation" not in markdown


def test_readability_is_scored_per_bubble_so_the_welcome_is_not_part_of_an_answer():
    welcome = "Hi! I explain the tests. I am not a doctor."
    scripted = {q: (intent, f"{welcome}\n{answer}") for q, (intent, answer) in ANSWERS.items()}
    bubbles = answer_bubbles(ask_all(ScriptedAssistant(scripted), HELDOUT))
    assert bubbles.count(welcome) == 4
    assert "A CT takes slices." in bubbles
    assert readability(bubbles, load_content())["answers"] == 5
