"""Conversations about test order, end to end through the gateway with the trained model.

Each test is one conversation: follow-ups ("and after that?", "why that one?", "how is it
different from a CT?") must land on the test last discussed, also after switching tests.
"""

from __future__ import annotations

import uuid

import pytest

from bot.supervisor.stack import Stack, texts

pytestmark = pytest.mark.e2e


class Chat:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.sender = f"e2e-seq-{uuid.uuid4().hex[:12]}"

    def say(self, message: str) -> str:
        return texts(self.stack.say(self.sender, message))


def test_walking_from_the_first_test_with_and_after_that(stack: Stack):
    chat = Chat(stack)
    assert "x-ray is often one of the first tests" in chat.say("what test usually comes first?")
    assert "whole skeleton" in chat.say("and after that?")
    assert "likely to dissolve bone" in chat.say("and after that?")
    assert "biopsy" in chat.say("and after that?")


def test_why_that_one_explains_the_step_from_the_pet_scan(stack: Stack):
    chat = Chat(stack)
    assert "MRI or CT scan may be used" in chat.say("what happens after my PET scan?")
    why = chat.say("why that one?")
    assert "If an area on it looks like it could be cancer" in why
    assert "spinal cord" not in why


def test_what_does_it_show_after_a_step_describes_the_next_test(stack: Stack):
    chat = Chat(stack)
    assert "CT scan may be used" in chat.say("what comes after a bone scan?")
    assert "size and shape" in chat.say("what does it show?")


def test_mri_for_the_spine_then_how_it_differs_from_a_ct(stack: Stack):
    chat = Chat(stack)
    spine = chat.say("why an MRI for my spine?")
    assert "standard test" in spine and "SPY-nul kord kum-PREH-shun" in spine
    assert "Both make detailed pictures in slices" in chat.say("how is it different from a CT?")


def test_ct_and_not_a_bone_scan_then_what_follows_the_ct(stack: Stack):
    chat = Chat(stack)
    assert "bone scan can miss those spots" in chat.say("why a CT and not a bone scan?")
    assert "not clear from the tests" in chat.say("and after that?")


def test_do_i_need_a_biopsy_then_what_happens_after_it(stack: Stack):
    chat = Chat(stack)
    need = chat.say("do I need a biopsy?")
    assert "often not needed" in need and "care team" in need
    assert "microscope" in chat.say("what happens after it?")


def test_test_list_button_for_the_biopsy_question(stack: Stack):
    chat = Chat(stack)
    replies = stack.say(chat.sender, "what tests might I have?")
    assert "Tests often go in steps" in texts(replies)
    buttons = {b["title"]: b["payload"] for r in replies for b in r.get("buttons", [])}
    assert "often not needed" in chat.say(buttons["Do I need a biopsy?"])


def test_switching_from_the_x_ray_step_to_the_pet_step_mid_conversation(stack: Stack):
    chat = Chat(stack)
    assert "whole skeleton" in chat.say("what comes after an x-ray?")
    assert "MRI or CT" in chat.say("and what about after a PET scan?")
    assert "If an area on it" in chat.say("why that one?")
    assert "likely to dissolve bone" in chat.say("ok, and why would they do a CT?")


def test_comparison_then_why_the_second_test(stack: Stack):
    chat = Chat(stack)
    assert "Both look at the whole body" in chat.say("bone scan or PET?")
    assert "no one knows where" in chat.say("why that one?")


def test_explaining_a_test_then_why_it_is_done_then_what_comes_next(stack: Stack):
    chat = Chat(stack)
    assert "magnets" in chat.say("what is an MRI?")
    assert "standard test" in chat.say("why would they do it?")
    assert "biopsy" in chat.say("what comes next?")


def test_why_blood_tests_then_how_calcium_and_alp_differ(stack: Stack):
    chat = Chat(stack)
    assert "Routine blood tests" in chat.say("why blood tests?")
    assert "the liver also makes ALP" in chat.say("how is it different from the ALP test?")


def test_respelling_given_once_across_sequencing_answers(stack: Stack):
    chat = Chat(stack)
    first = chat.say("why a CT and not a bone scan?")
    assert "LIT-ik" in first
    again = chat.say("how is a bone scan different from a CT?")
    assert "lytic" in again and "LIT-ik" not in again


def test_greeting_first_test_then_thanks(stack: Stack):
    chat = Chat(stack)
    assert "not a doctor" in chat.say("hello")  # the welcome greets a first hello
    assert "x-ray" in chat.say("which test do they do first?")
    assert "welcome" in chat.say("thanks!")
