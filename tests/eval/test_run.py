"""The evaluation run: one conversation per case, a report beside the search box, and a
sealed split whose failures are counted but never listed."""

from __future__ import annotations

from eval.cases import Case, Turn
from eval.run import ask_all, render_set
from eval.scoring import accuracy, red_flag_rates
from eval.search_box import search_all


class ScriptedAssistant:
    """Answers from a script and records which sender asked what."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, str]] = []

    def intent(self, question: str) -> str:
        return "ask_what_is"

    def answer(self, sender: str, question: str) -> str:
        self.asked.append((sender, question))
        return self.answers[question]


CASES = {
    "facts": [
        Case(turns=[Turn(q="what is a ct", expect=["slices"])]),
        Case(turns=[Turn(q="what is an mri", expect=["magnet*"])]),
    ],
    "multi_turn": [
        Case(
            turns=[
                Turn(q="what is a pet", expect=["sugar"]),
                Turn(q="how long does it take", behaviour="not_on_page"),
            ]
        )
    ],
}
ANSWERS = {
    "what is a ct": "A CT takes slices.",
    "what is an mri": "An MRI uses radio waves.",
    "what is a pet": "PET uses a sugar.",
    "how long does it take": "The page I use doesn't say how long it takes.",
}


def result_of(name: str, sealed: bool) -> dict:
    results = ask_all(ScriptedAssistant(ANSWERS), CASES)
    return {
        "name": name,
        "sealed": sealed,
        "seconds": 1,
        "questions": 4,
        "assistant": accuracy(results),
        "search_box": accuracy(search_all(CASES)),
        "red_flags": red_flag_rates(results),
        "cases": [r.as_dict() for r in results],
    }


def test_each_case_is_one_conversation_with_a_sender_of_its_own():
    assistant = ScriptedAssistant(ANSWERS)
    ask_all(assistant, CASES)
    senders = [sender for sender, _ in assistant.asked]
    assert len(set(senders)) == 3
    assert senders[2] == senders[3]
    assert [q for _, q in assistant.asked] == list(ANSWERS)


def test_report_shows_each_category_beside_the_search_box_and_lists_failures():
    markdown = render_set(result_of("realistic-dev", sealed=False))
    assert "| facts       | 50%       |" in markdown
    assert "| **overall** | 67%       |" in markdown
    assert "what is an mri" in markdown and "magnet*" in markdown
    assert "what is a ct |" not in markdown


def test_a_sealed_split_counts_its_failures_without_showing_them():
    markdown = render_set(result_of("realistic-test", sealed=True))
    assert "sealed test split" in markdown
    assert "1 questions failed" in markdown
    assert "what is an mri" not in markdown
