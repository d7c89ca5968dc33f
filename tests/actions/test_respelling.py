"""Respellings follow a hard term's first mention in a conversation, and only the first."""

from actions.respelling import add_respellings, strip_respellings
from content.schema import load_content

CONTENT = load_content()


def test_first_mention_gets_its_respelling_in_parentheses():
    text, added = add_respellings("High calcium is called hypercalcemia.", set(), CONTENT)
    assert text == "High calcium is called hypercalcemia (HI-per-kal-SEE-me-uh)."
    assert [t.id for t in added] == ["hypercalcemia"]


def test_term_already_said_in_the_conversation_is_not_respelled_again():
    text, added = add_respellings(
        "Hypercalcemia can have other causes.", {"hypercalcemia"}, CONTENT
    )
    assert text == "Hypercalcemia can have other causes."
    assert added == []


def test_only_the_first_of_several_mentions_is_respelled():
    text, _ = add_respellings("Lytic spots look dark. Lytic means dissolved.", set(), CONTENT)
    assert text.count("LIT-ik") == 1
    assert text.startswith("Lytic (LIT-ik) spots")


def test_word_inside_parentheses_gets_a_comma_not_nested_parentheses():
    text, _ = add_respellings("Bone gets denser (blastic).", set(), CONTENT)
    assert text == "Bone gets denser (blastic, BLAS-tik)."


def test_plural_form_uses_its_own_respelling():
    text, added = add_respellings("Bone metastases can be found early.", set(), CONTENT)
    assert "metastases (meh-TAS-tuh-seez)" in text
    assert added[0].id == "metastasis"


def test_parts_of_longer_words_are_not_matched():
    text, added = add_respellings("Osteolytic changes.", set(), CONTENT)
    assert "LIT-ik)" not in text.replace("OS-tee-oh-lit-ik", "")
    assert [t.id for t in added] == ["osteolytic"]


def test_a_term_inside_a_longer_one_is_respelled_once_with_it():
    text, added = add_respellings("For a PET (positron emission tomography) scan", set(), CONTENT)
    assert (
        text
        == "For a PET (positron emission tomography, POZ-ih-tron ee-MIH-shun toh-MAH-gruh-fee) scan"
    )
    assert [t.id for t in added] == ["positron"]


def test_several_terms_are_listed_in_reading_order():
    text, added = add_respellings("Blastic or lytic metastases.", set(), CONTENT)
    assert [t.id for t in added] == ["blastic", "lytic", "metastasis"]


def test_stripping_gives_back_the_plain_text():
    plain = "Spots that are lytic (dissolved) and blastic."
    text, _ = add_respellings(plain, set(), CONTENT)
    assert strip_respellings(text, CONTENT) == plain
