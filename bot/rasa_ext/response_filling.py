"""Rasa's filling of slot values into responses, without taking a button's entities for a slot.

Rasa 3.6 (`rasa/core/nlg/interpolator.py`) treats every `{...}` in a response as a slot
placeholder (the pattern `{([^\n{}]+?)}`). A button payload such as
`/ask_what_is{"test": "bone_scan"}` carries its entities as a JSON object, so Rasa looks for a
slot named `"test": "bone_scan"`, logs an ERROR with a traceback, and sends the payload
unchanged: the right payload, and an ERROR on every such response (Rasa issue #6616). A slot name
never holds a quote and an entity's JSON always does, so here a placeholder is a `{...}` without
one. Everything else is as in Rasa, including its ERROR for a real placeholder with no value.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from rasa.core.nlg import interpolator

PLACEHOLDER = re.compile(r"{([^\n{}\"]+?)}")


def interpolate_text(response: str, values: dict[str, Any]) -> str:
    try:
        return PLACEHOLDER.sub(lambda match: format(values[match.group(1)]), response)
    except KeyError as error:
        # Rasa's own event, word for word: a placeholder that nothing fills is a real mistake.
        interpolator.structlogger.exception(
            "interpolator.interpolate.text",
            response=copy.deepcopy(response),
            placeholder_key=error.args[0],
            event_info=(
                "The specified slot name does not exist, and no explicit value was provided "
                "during the response invocation. Return the response without populating it."
            ),
        )
        return response


def apply() -> None:
    interpolator.interpolate_text = interpolate_text
