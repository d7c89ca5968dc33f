"""`python -m bot.rasa_ext.server run ...`: Rasa's own command line, with fixes applied first.

`response_filling.py`: button entities are not taken for slot placeholders.
`action_calls.py`: each action server reply is checked by a compiled schema, and the calls
reuse their connections, instead of costing Rasa's one busy core a schema check and a new
connection each.
"""

from __future__ import annotations

import sys

from bot.rasa_ext import action_calls, response_filling


def apply() -> None:
    response_filling.apply()
    action_calls.apply()


def main() -> None:
    apply()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
