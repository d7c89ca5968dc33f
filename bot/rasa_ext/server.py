"""`python -m bot.rasa_ext.server run ...`: Rasa's own command line, with fixes applied first.

`response_filling.py`: button entities are not taken for slot placeholders.
`action_calls.py`: each action server reply is checked by a compiled schema, and the calls
reuse their connections, instead of costing Rasa's one busy core a schema check and a new
connection each.
And once the model is loaded, what it holds is kept out of the garbage collector's full passes
(bot/gc_pauses.py), which otherwise stopped Rasa for 300 ms at a time.
"""

from __future__ import annotations

import sys
from typing import Any

from rasa.core import run as rasa_run

from bot.gc_pauses import freeze_what_is_loaded
from bot.rasa_ext import action_calls, response_filling

_load_agent_on_start = rasa_run.load_agent_on_start


async def load_agent_then_freeze(*args: Any, **kwargs: Any) -> Any:
    """Rasa's listener that loads the model before the server starts, then the freeze."""
    agent = await _load_agent_on_start(*args, **kwargs)
    freeze_what_is_loaded()
    return agent


def apply() -> None:
    response_filling.apply()
    action_calls.apply()
    rasa_run.load_agent_on_start = load_agent_then_freeze


def main() -> None:
    apply()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
