"""`python -m bot.rasa_ext.server run ...`: Rasa's own command line, with two fixes applied first.

The first is in `response_filling.py`: button entities are not taken for slot placeholders.
The second: Rasa checks every action server reply with `jsonschema.validate`, which validates
the (fixed) response schema against the JSON Schema meta-schema again on every call. Profiling
a running Rasa with py-spy showed that re-check taking about 60 % of Rasa's CPU in a
conversation, since each turn runs one or more custom actions. The fix compiles the schema
once and validates each reply against it: same checks, same error, without the repeated
meta-schema pass.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

from jsonschema import Validator
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

from bot.rasa_ext import response_filling

# Rasa's own wording for a reply that does not fit the schema (rasa/core/actions/action.py).
_INVALID_REPLY = (
    ". Failed to validate Action server response from API, make sure your response from the "
    "Action endpoint is valid. For more information about the format visit "
    f"{DOCS_BASE_URL}/custom-actions"
)


@functools.lru_cache(maxsize=1)
def action_reply_validator() -> Validator:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    error = best_match(action_reply_validator().iter_errors(result))
    if error is not None:
        error.message += _INVALID_REPLY
        raise error
    return True


def apply() -> None:
    response_filling.apply()
    RemoteAction._validate_action_result = validate_action_result


def main() -> None:
    apply()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
