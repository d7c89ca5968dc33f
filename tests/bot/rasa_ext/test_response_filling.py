"""Filling responses: button entities stay as they are with no ERROR; slots fill as in Rasa."""

from __future__ import annotations

import copy
import re

import pytest
import yaml
from rasa.core.nlg import TemplatedNaturalLanguageGenerator, interpolator

from bot.rasa_ext import response_filling
from settings import PROJECT_DIR

RASA_INTERPOLATE_TEXT = interpolator.interpolate_text


class Events:
    """Stands in for Rasa's structlog logger; records the error events."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, dict]] = []

    def exception(self, event: str, **fields) -> None:
        self.errors.append((event, fields))


@pytest.fixture
def events(monkeypatch) -> Events:
    recorder = Events()
    monkeypatch.setattr(interpolator, "structlogger", recorder)
    return recorder


def domain_responses() -> dict:
    return yaml.safe_load((PROJECT_DIR / "domain.yml").read_text())["responses"]


def fill_every_response(interpolate_text, monkeypatch) -> dict:
    """Every response of the domain as Rasa's NLG fills it, with a value for every placeholder."""
    monkeypatch.setattr(interpolator, "interpolate_text", interpolate_text)
    responses = domain_responses()
    names = set(re.findall(r"{(\w+)}", str(responses)))
    values = {name: f"<{name}>" for name in names}
    generator = TemplatedNaturalLanguageGenerator(copy.deepcopy(responses))
    return {
        name: generator.generate_from_slots(name, {"current_test": None}, "rest", **values)
        for name in responses
    }


def test_rasa_alone_logs_an_error_for_a_button_with_entities(events, monkeypatch):
    fill_every_response(RASA_INTERPOLATE_TEXT, monkeypatch)
    keys = {fields["placeholder_key"] for _, fields in events.errors}
    assert '"test": "bone_scan"' in keys


def test_button_entities_are_kept_with_no_error(events, monkeypatch):
    filled = fill_every_response(response_filling.interpolate_text, monkeypatch)
    assert events.errors == []
    payloads = [b["payload"] for r in filled.values() for b in r.get("buttons") or []]
    assert '/ask_what_is{"test": "bone_scan"}' in payloads
    assert '/ask_handout{"handout_topic": "lab_overview"}' in payloads


def test_every_response_is_filled_exactly_as_rasa_fills_it(events, monkeypatch):
    ours = fill_every_response(response_filling.interpolate_text, monkeypatch)
    rasas = fill_every_response(RASA_INTERPOLATE_TEXT, monkeypatch)
    assert ours == rasas
    assert "<clinic_phone>" in ours["utter_red_flag"]["text"]


def test_a_placeholder_nothing_fills_still_logs_rasas_error(events):
    text = "Call {clinic_phone} about {unknown_slot}."
    assert response_filling.interpolate_text(text, {"clinic_phone": "555"}) == text
    assert [fields["placeholder_key"] for _, fields in events.errors] == ["unknown_slot"]
    assert events.errors[0][0] == "interpolator.interpolate.text"


def test_slot_values_fill_as_rasa_formats_them():
    values = {"n": 3, "none": None, "name": "MRI"}
    text = '{n} {none} {name} and {"test": "mri"}'
    assert response_filling.interpolate_text(text, values) == '3 None MRI and {"test": "mri"}'
