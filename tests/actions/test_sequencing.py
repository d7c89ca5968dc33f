"""The sequencing actions, run as the action server runs them, on trackers as Rasa sends them."""

from __future__ import annotations

import itertools
import statistics

import textstat
from rasa_sdk.events import SlotSet

from actions.respelling import strip_respellings
from actions.sequencing import (
    ActionCompareTests,
    ActionFirstTest,
    ActionNeedTest,
    ActionNextTest,
    ActionTestList,
    ActionWhichTest,
    ActionWhyTest,
)
from content.schema import load_content
from tests.actions.trackers import entity, run, texts, tracker_for

CONTENT = load_content()


def slot(events, name):
    return next(e["value"] for e in events if e["event"] == "slot" and e["name"] == name)


def named_tests(*ids):
    return [entity("test", t) for t in ids]


class Conversation:
    """Turns in one conversation: slots set by one answer are in the next turn's tracker."""

    def __init__(self, channel: str = "rest") -> None:
        self.slots: dict = {}
        self.channel = channel

    def say(self, action, text, intent, entities=None):
        tracker = tracker_for(text, intent, entities, slots=dict(self.slots), channel=self.channel)
        messages, events = run(action, tracker)
        self.slots.update({e["name"]: e["value"] for e in events if e["event"] == "slot"})
        return texts(messages), messages


def test_test_list_gives_the_usual_order_short_with_buttons_to_go_deeper():
    messages, events = run(
        ActionTestList(), tracker_for("what tests might I have", "ask_test_list")
    )
    answer = texts(messages)
    assert answer.index("x-ray") < answer.index("bone scan") < answer.index("biopsy")
    assert "care team" in answer
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads == ["/ask_first_test", '/ask_need_test{"test": "biopsy"}']
    assert len(strip_respellings(answer, CONTENT).split()) <= 60


def test_first_test_is_the_x_ray_for_bone_pain_and_becomes_the_subject():
    messages, events = run(ActionFirstTest(), tracker_for("what comes first", "ask_first_test"))
    assert "x-ray is often one of the first tests" in texts(messages)
    assert "care team" in texts(messages)
    assert SlotSet("current_test", "xray") in events
    assert SlotSet("previous_test", None) in events


def test_next_after_a_bone_scan_is_a_ct_for_lytic_spots_then_a_biopsy_if_unclear():
    messages, events = run(
        ActionNextTest(),
        tracker_for("what happens after my bone scan", "ask_next_test", named_tests("bone_scan")),
    )
    answer = texts(messages)
    assert "CT scan may be used" in answer and "biopsy (BY-op-see) may be done" in answer
    assert slot(events, "current_test") == "ct"
    assert slot(events, "previous_test") == "bone_scan"
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert titles == ["Why the CT scan?", "Why the biopsy?", "What comes after the CT scan?"]


def test_walking_the_pathway_with_and_after_that_reaches_the_end():
    talk = Conversation()
    first, _ = talk.say(ActionFirstTest(), "what test usually comes first", "ask_first_test")
    assert "x-ray" in first
    steps = []
    for _ in range(4):
        answer, _ = talk.say(ActionNextTest(), "and after that?", "ask_next_test")
        steps.append((talk.slots["current_test"], answer))
    assert [test for test, _ in steps] == ["bone_scan", "ct", "biopsy", "biopsy"]
    assert "whole skeleton" in steps[0][1]
    assert "lytic" in steps[1][1]
    assert "not clear from the tests" in steps[2][1]
    assert "microscope" in steps[3][1]


def test_why_that_one_explains_the_step_just_taken():
    talk = Conversation()
    talk.say(ActionNextTest(), "what comes after a PET scan", "ask_next_test", named_tests("pet"))
    assert (talk.slots["current_test"], talk.slots["previous_test"]) == ("mri", "pet")
    answer, _ = talk.say(ActionWhyTest(), "why that one?", "ask_why_test")
    assert "If an area on it looks like it could be cancer" in answer
    assert "spinal cord" not in answer


def test_why_an_mri_for_my_spine_gives_the_spinal_cord_reason_only():
    messages, events = run(
        ActionWhyTest(), tracker_for("why an MRI for my spine", "ask_why_test", named_tests("mri"))
    )
    answer = texts(messages)
    assert "standard test" in answer and "compression, SPY-nul kord kum-PREH-shun)" in answer
    assert "lump" not in answer
    assert SlotSet("current_test", "mri") in events


def test_why_a_ct_and_not_a_bone_scan_gives_the_likely_lytic_reason():
    messages, _ = run(
        ActionWhyTest(),
        tracker_for("why a CT and not a bone scan", "ask_why_test", named_tests("ct", "bone_scan")),
    )
    answer = texts(messages)
    assert "likely to dissolve bone" in answer and "bone scan can miss" in answer


def test_a_spot_the_named_test_found_is_not_taken_for_a_spot_on_another_test():
    """ "Hot spot" is also how people speak of an area on a PET scan, the other way to a CT; it
    got the PET's reason ("A PET scan does not show much detail")."""
    question = "why do i need a CT after the bone scan showed a hot spot in my hip?"
    messages, _ = run(
        ActionWhyTest(), tracker_for(question, "ask_why_test", named_tests("ct", "bone_scan"))
    )
    answer = texts(messages)
    assert "PET" not in answer
    assert "whole skeleton" in answer and "detailed slices" in answer


def test_why_a_bone_scan_after_a_high_calcium_names_that_reason():
    messages, _ = run(
        ActionWhyTest(),
        tracker_for(
            "why a bone scan when my calcium was high",
            "ask_why_test",
            [*named_tests("bone_scan"), entity("term", "hypercalcemia")],
        ),
    )
    assert "high calcium" in texts(messages)


def test_why_a_pet_scan_gives_the_spread_site_unknown_reason():
    messages, _ = run(
        ActionWhyTest(), tracker_for("why a PET scan", "ask_why_test", named_tests("pet"))
    )
    assert "no one knows where" in texts(messages)


def test_why_blood_tests_without_a_test_entity_gives_the_blood_test_reason():
    messages, events = run(ActionWhyTest(), tracker_for("why blood tests?", "ask_why_test"))
    assert "Routine blood tests" in texts(messages)
    assert SlotSet("current_test", "blood_calcium") in events


def test_next_after_a_glossary_word_for_a_test_uses_that_test():
    messages, events = run(
        ActionNextTest(),
        tracker_for(
            "what follows a high calcium result",
            "ask_next_test",
            [entity("term", "hypercalcemia")],
        ),
    )
    assert "more tests are often done to look for bone metastases" in texts(messages)
    assert slot(events, "previous_test") == "blood_calcium"


def test_tests_named_by_test_and_by_glossary_word_are_compared_in_the_order_named():
    messages, events = run(
        ActionCompareTests(),
        tracker_for(
            "is a needle biopsy the same as a biopsy",
            "ask_compare_tests",
            [entity("test", "ct_biopsy"), entity("term", "biopsy")],
        ),
    )
    assert "one kind of biopsy" in texts(messages)
    # The first one named is what the question is about: "is it..." next means it.
    assert SlotSet("current_test", "ct_biopsy") in events


def test_why_an_mri_and_not_a_ct_with_no_step_between_them_compares_them():
    messages, _ = run(
        ActionWhyTest(),
        tracker_for("why MRI instead of CT", "ask_why_test", named_tests("mri", "ct")),
    )
    assert "Both make detailed pictures in slices" in texts(messages)


def test_why_without_any_test_asks_which_test():
    messages, events = run(ActionWhyTest(), tracker_for("why that one", "ask_why_test"))
    assert messages[0]["response"] == "utter_ask_which_test"
    assert events == []


def test_do_i_need_a_biopsy_says_often_not_yes_when_unclear_and_points_to_the_care_team():
    messages, events = run(
        ActionNeedTest(), tracker_for("do I need a biopsy", "ask_need_test", named_tests("biopsy"))
    )
    answer = texts(messages)
    assert "often not needed" in answer and "not clear" in answer
    assert "Only your care team can say" in answer
    assert SlotSet("current_test", "biopsy") in events


def test_do_i_need_it_uses_the_test_last_discussed_and_its_best_reason():
    messages, _ = run(
        ActionNeedTest(),
        tracker_for("do I need one, my back hurts", "ask_need_test", slots={"current_test": "mri"}),
    )
    answer = texts(messages)
    assert "standard test" in answer and "care team" in answer


def test_comparing_bone_scan_and_pet_uses_the_written_comparison():
    messages, events = run(
        ActionCompareTests(),
        tracker_for("bone scan or PET?", "ask_compare_tests", named_tests("bone_scan", "pet")),
    )
    assert "Both look at the whole body" in texts(messages)
    # Both weighed: "why that one?" next means the last one named.
    assert SlotSet("current_test", "pet") in events
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "Why the bone scan?",
        "Why the PET scan?",
    ]


def test_how_is_it_different_from_a_ct_compares_with_the_test_last_discussed():
    messages, events = run(
        ActionCompareTests(),
        tracker_for(
            "how is it different from a CT?",
            "ask_compare_tests",
            named_tests("ct"),
            slots={"current_test": "bone_scan"},
        ),
    )
    assert "A bone scan shows the whole skeleton" in texts(messages)
    # "It" is still the bone scan: "does it use x-rays?" next is about the bone scan.
    assert SlotSet("current_test", "bone_scan") in events


def test_pair_without_a_written_comparison_is_compared_from_the_two_profiles():
    messages, _ = run(
        ActionCompareTests(),
        tracker_for("x-ray vs PET", "ask_compare_tests", named_tests("xray", "pet")),
    )
    answer = texts(messages)
    assert answer.index("An x-ray is a simple picture") < answer.index("A PET scan uses")


def test_two_names_for_one_test_are_said_to_be_the_same_test_and_it_is_explained():
    # Found by hand: "cat scan" and "CT scan" both resolve to ct, and the bot asked which two.
    messages, events = run(
        ActionCompareTests(),
        tracker_for(
            "is a CT scan the same thing as a cat scan",
            "ask_compare_tests",
            named_tests("ct", "ct"),
        ),
    )
    answer = texts(messages)
    assert answer.startswith("Those two names mean the same test.")
    assert "slices" in answer
    assert SlotSet("current_test", "ct") in events


def test_one_name_written_twice_is_not_two_names_for_the_same_test():
    # From a patient's question: "my MRI report ... can an MRI tell the difference" named one
    # test twice, and the bot said "Those two names mean the same test."
    text = "my mri report says degenerative change. can an MRI tell cancer from wear and tear"
    entities = [
        {"entity": "test", "value": "mri", "start": start, "end": start + 3}
        for start in (3, text.index("MRI"))
    ]
    messages, _ = run(ActionCompareTests(), tracker_for(text, "ask_compare_tests", entities))
    answer = texts(messages)
    assert "same test" not in answer
    assert "infection" in answer


def test_comparing_a_test_with_itself_asks_which_two_tests():
    messages, _ = run(
        ActionCompareTests(),
        tracker_for(
            "is it like a CT", "ask_compare_tests", named_tests("ct"), slots={"current_test": "ct"}
        ),
    )
    assert messages[0]["response"] == "utter_ask_which_two_tests"


def test_next_without_any_test_asks_which_test():
    messages, _ = run(ActionNextTest(), tracker_for("what happens next", "ask_next_test"))
    assert messages[0]["response"] == "utter_ask_which_test"


def test_next_after_a_test_the_page_does_not_place_sends_to_the_care_team():
    messages, events = run(
        ActionNextTest(),
        tracker_for("what comes after the urine test", "ask_next_test", named_tests("ntx")),
    )
    assert "does not say which test often comes after" in texts(messages)
    assert "care team" in texts(messages)
    assert SlotSet("current_test", "ntx") in events


def test_nurses_on_slack_get_the_clinical_wording_and_the_source_in_the_text():
    talk = Conversation(channel="slack")
    answer, messages = talk.say(
        ActionWhyTest(), "rationale for MRI, ?cord compression", "ask_why_test", named_tests("mri")
    )
    assert "MRI is the standard test for suspected spinal cord compression" in answer
    assert "Source: American Cancer Society" in answer
    assert not any(m.get("custom") for m in messages)


def test_answer_carries_its_source_section_for_the_widget():
    messages, _ = run(
        ActionWhyTest(), tracker_for("why a PET scan", "ask_why_test", named_tests("pet"))
    )
    sources = [m["custom"]["source"] for m in messages if "source" in (m.get("custom") or {})]
    assert sources == [
        {
            "publisher": "American Cancer Society",
            "title": "How Are Bone Metastases Diagnosed?",
            "section": "Positron emission tomography (PET)",
            "last_medical_review": "2016-05-02",
        }
    ]


def every_patient_answer():
    """Every answer the sequencing actions can give a patient, with no conversation before."""
    test_ids = list(CONTENT.tests)
    asks = [
        (ActionTestList(), "what tests might I have", "ask_test_list", []),
        (ActionFirstTest(), "what comes first", "ask_first_test", []),
    ]
    for test in test_ids:
        asks += [
            (ActionNextTest(), "what comes after it", "ask_next_test", named_tests(test)),
            (ActionWhyTest(), "why that one", "ask_why_test", named_tests(test)),
            (ActionNeedTest(), "do I need it", "ask_need_test", named_tests(test)),
        ]
    for first, second in itertools.combinations(test_ids, 2):
        asks.append(
            (
                ActionCompareTests(),
                "how do they differ",
                "ask_compare_tests",
                named_tests(first, second),
            )
        )
    for action, text, intent, entities in asks:
        messages, _ = run(action, tracker_for(text, intent, entities))
        yield strip_respellings(texts(messages), CONTENT)


def test_every_sequencing_answer_is_short_and_plain():
    answers = list(every_patient_answer())
    assert len(answers) == 2 + 3 * 11 + 55
    words = [len(a.split()) for a in answers]
    grades = {a: textstat.flesch_kincaid_grade(a) for a in answers}
    assert statistics.median(words) <= 60
    assert statistics.median(grades.values()) <= 6
    too_hard = {a: g for a, g in grades.items() if g > 8}
    assert not too_hard, too_hard


def test_a_difference_within_the_test_talked_about_gets_what_it_shows():
    tracker = tracker_for(
        "whats the difference between fine and core",
        "ask_compare_tests",
        slots={"current_test": "ct_biopsy"},
    )
    assert "thin cylinder" in texts(run(ActionCompareTests(), tracker)[0])


def test_which_test_for_a_situation_gets_the_pathway_s_test_for_it():
    tracker = tracker_for(
        "which scan is best for spots that dissolve bone",
        "ask_which_test",
        [entity("term", "lytic")],
    )
    messages, events = run(ActionWhichTest(), tracker)
    assert "CT" in texts(messages)
    assert SlotSet("current_test", "ct") in events


def test_next_step_follows_the_finding_mentioned():
    tracker = tracker_for(
        "the x-ray showed a lump, what do they usually do next",
        "ask_next_test",
        named_tests("xray"),
    )
    assert texts(run(ActionNextTest(), tracker)[0]).startswith("If an x-ray shows a lump")


def test_why_so_many_scans_without_a_test_gets_why_imaging_is_done():
    messages, _ = run(
        ActionWhyTest(),
        tracker_for("why so many scans before, during and after treatment?", "ask_why_test"),
    )
    assert "before, during, and after" in texts(messages)


def test_need_asks_about_the_biopsy_when_scans_are_named_beside_it():
    messages, _ = run(
        ActionNeedTest(),
        tracker_for(
            "bone scan and bloods both point to it, do they still need a biopsy?",
            "ask_need_test",
            named_tests("bone_scan", "biopsy"),
        ),
    )
    assert "often not needed" in texts(messages)


def test_what_next_without_a_test_follows_the_finding_mentioned():
    messages, _ = run(
        ActionNextTest(),
        tracker_for("if the scans are unclear about it, what happens next", "ask_next_test"),
    )
    assert "biopsy" in texts(messages)


def test_why_a_blood_test_result_led_to_scans_names_what_else_it_can_mean():
    messages, _ = run(
        ActionWhyTest(),
        tracker_for(
            "my wifes alp was up so they scanned her liver and her bones, why both",
            "ask_why_test",
            [entity("test", "alp")],
        ),
    )
    assert "liver" in texts(messages)


def test_if_a_test_is_still_not_sure_what_may_follow_is_the_answer():
    messages, _ = run(
        ActionNeedTest(),
        tracker_for("and if the MRI still isnt sure?", "ask_need_test", [entity("test", "mri")]),
    )
    assert "biopsy" in texts(messages).lower()


def test_why_not_just_another_test_compares_it_with_the_one_talked_about():
    messages, _ = run(
        ActionWhyTest(),
        tracker_for(
            "why not just a bone scan then",
            "ask_why_test",
            [entity("test", "bone_scan")],
            slots={"current_test": "pet"},
        ),
    )
    answer = texts(messages)
    assert "PET" in answer and "bone scan" in answer.lower()


def test_a_high_result_that_led_to_a_named_scan_is_why_that_scan_was_done():
    messages, _ = run(
        ActionWhyTest(),
        tracker_for(
            "my husbands calcium came back high and now theyve booked a bone scan, is that why",
            "ask_why_test",
            [entity("term", "hypercalcemia"), entity("test", "bone_scan")],
        ),
    )
    assert "other causes" in texts(messages)


def test_why_a_ct_guided_biopsy_gives_its_own_reason_first():
    messages, _ = run(
        ActionWhyTest(),
        tracker_for(
            "why a needle biopsy with the ct guiding it",
            "ask_why_test",
            [entity("test", "ct_biopsy")],
        ),
    )
    assert texts(messages).startswith("When a spot to sample is deep")


def test_why_some_people_get_a_biopsy_and_others_do_not_is_whether_it_is_needed():
    messages, _ = run(
        ActionWhyTest(),
        tracker_for(
            "Why do some people get a biopsy and others don't?",
            "ask_why_test",
            [entity("test", "biopsy")],
        ),
    )
    assert "often not needed" in texts(messages)


def test_the_ct_guiding_a_needle_biopsy_is_part_of_the_biopsy_not_another_test():
    messages, _ = run(
        ActionWhyTest(),
        tracker_for(
            "Why a needle biopsy with the CT machine guiding it?",
            "ask_why_test",
            [entity("test", "ct_biopsy"), entity("test", "ct")],
        ),
    )
    assert "needle" in texts(messages)
