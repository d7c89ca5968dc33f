"""Takes personal data out of a question before it is stored for review.

Replaced by a placeholder: anything after "my name is", e-mail addresses, web addresses, dates,
phone numbers and any number longer than three digits (record numbers, years, postcodes),
also spelled out ("five five five one two"). Rules over a model: a rule's misses can be
listed and tested, and when in doubt it takes out too much rather than too little. The
placeholders use no digits, brackets or braces, so no later rule matches them and Rasa's
training format does not read them as entity markup.
"""

from __future__ import annotations

import re

NAME = "<name>"
EMAIL = "<email>"
URL = "<url>"
DATE = "<date>"
PHONE = "<phone>"
NUMBER = "<number>"

# Everything after it, to the end of the message: a name is often followed by more about them.
_NAME_INTRO = re.compile(
    r"\b(my\s+name\s*(?:is|'s|’s|s\b|:)|\bname\s*:)\s*\S.*",
    re.IGNORECASE | re.DOTALL,
)
_DOMAIN_END = r"(?:com|org|net|edu|gov|info|io|co|uk|us|ca|au|health|nhs)\b"
_EMAIL = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    # "ann at gmail dot com", "ann [at] gmail.com"
    r"|\b[\w.+-]+\s*(?:\sat\s|\[at\]|\(at\))\s*[\w-]+"
    rf"(?:\s*(?:\bdot\b|\[dot\]|\(dot\))\s*|\.){_DOMAIN_END}",
    re.IGNORECASE,
)
# A web address runs to the next space, but the punctuation that ends a sentence is not part of it.
_URL_REST = r"(?:\S*[^\s.,;:!?)\]'\"])?"
_URL = re.compile(
    rf"\b(?:https?://|www\.){_URL_REST}"
    rf"|\b(?:[a-z0-9-]+\.)+{_DOMAIN_END}(?:/{_URL_REST})?",
    re.IGNORECASE,
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = re.compile(
    rf"\b\d{{1,4}}[/.-]\d{{1,2}}[/.-]\d{{1,4}}\b"  # 12/03/2024, 2024-03-12, 3.12.24
    rf"|\b\d{{1,2}}/\d{{1,2}}\b"  # 12/03
    rf"|\b{_ORDINAL}(?:\s+of)?\s+{_MONTH}(?:,?\s+\d{{2,4}})?\b"  # 3rd of March 2024
    rf"|\b{_MONTH}\s+{_ORDINAL}\b(?:,?\s+\d{{2,4}}\b)?"  # March 3, 2024
    rf"|\b{_MONTH}\s+\d{{4}}\b"  # March 2024
    rf"|\b(?:on\s+)?the\s+\d{{1,2}}(?:st|nd|rd|th)\b",  # on the 5th
    re.IGNORECASE,
)
# Seven or more digits with the separators phone numbers are written with.
_PHONE = re.compile(r"(?<![\w<])\+?\(?\d(?:[\s().-]{0,2}\d){6,}(?![\w>])")
_DIGIT_WORD = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)"
_SPELLED_NUMBER = re.compile(rf"\b{_DIGIT_WORD}(?:[\s,-]+{_DIGIT_WORD}){{3,}}\b", re.IGNORECASE)
_LONG_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+|\d{4,}")


def redact(text: str) -> str:
    """The text with personal data replaced by placeholders such as <phone>."""
    text = _NAME_INTRO.sub(lambda m: f"{m.group(1)} {NAME}", text)
    text = _EMAIL.sub(EMAIL, text)
    text = _URL.sub(URL, text)
    text = _DATE.sub(DATE, text)
    text = _PHONE.sub(PHONE, text)
    text = _SPELLED_NUMBER.sub(NUMBER, text)
    return _LONG_NUMBER.sub(NUMBER, text)
