"""The staff page's HTML, drawn on the server from the same data the JSON endpoints give.

Plain HTML forms and no script: every control is a native link, select or button, so it works
with a keyboard and a screen reader as browsers make them, and on a 360 px phone. Every text
from the database (a patient's redacted question) is escaped.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from typing import Any

from bot.gateway.staff.charts import daily_bars, horizontal_bars
from bot.gateway.staff.choices import DECLINE_INTENT, Choices

PERIODS = (7, 30, 90)
OUTCOME_NAMES = {
    "answered": "Answered",
    "declined": "Declined",
    "fallback": "Not sure",
    "not_on_page": "Page doesn't say",
    "red_flag": "Warning sign",
    "nurse": "Nurse call-back",
}
REASONS = {
    "fallback": "it was not sure",
    "not_on_page": "it said the page doesn't say",
    "declined_with_subject": "it declined, though a test or word was named",
    "low_confidence": "its reading was a weak guess",
}
# The assistant's guesses that are no intent a reviewer would choose.
GUESSES = {
    "nlu_fallback": "nothing (not sure)",
    "ask_not_on_page": "the page doesn't say",
    "out_of_scope": "decline",
}
CHANNEL_NAMES = {"web": "website", "slack": "Slack", "teams": "Teams", "other": "other"}
NO_SUBJECT = "No test or word named"

STYLE = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1f2933;background:#f5f7fa}
header,main{max-width:60rem;margin:0 auto;padding:0 1rem}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;
padding-top:.75rem;padding-bottom:.75rem}
header p{margin:0}
h1{font-size:1.5rem;margin:.5rem 0}
h2{font-size:1.25rem;margin:2rem 0 .5rem}
h3{font-size:1.05rem;margin:1.25rem 0 .25rem}
a{color:#004c8c}
a:focus-visible,button:focus-visible,select:focus-visible,input:focus-visible,summary:focus-visible{
outline:3px solid #b45309;outline-offset:2px}
button,select,input{font:inherit;min-height:44px}
button{background:#00695c;color:#fff;border:0;border-radius:6px;padding:.5rem 1rem;cursor:pointer}
button.quiet{background:#fff;color:#00695c;border:2px solid #00695c}
select,input{border:1px solid #52606d;border-radius:6px;padding:.4rem;background:#fff;color:#1f2933;
max-width:100%}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(9.5rem,1fr));gap:.75rem;
padding:0;list-style:none}
.cards li{background:#fff;border:1px solid #cbd2d9;border-radius:8px;padding:.75rem}
.cards strong{display:block;font-size:1.5rem}
.chart{background:#fff;border:1px solid #cbd2d9;border-radius:8px;padding:.5rem;max-width:30rem}
table{border-collapse:collapse;margin:.5rem 0;background:#fff}
th,td{border:1px solid #cbd2d9;padding:.25rem .5rem;text-align:left}
td.n{text-align:right}
.scroll{overflow-x:auto}
.queue{list-style:none;padding:0}
.queue>li{background:#fff;border:1px solid #cbd2d9;border-radius:8px;padding:.75rem;margin:.75rem 0}
blockquote{margin:0 0 .5rem;font-size:1.1rem}
.meta{margin:0 0 .5rem;color:#3e4c59}
form.decide{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end}
form.decide label{display:flex;flex-direction:column;font-weight:600;min-width:min(100%,14rem)}
.status{background:#e3f9e5;border:1px solid #2f8132;border-radius:6px;padding:.5rem .75rem}
.error{background:#ffe3e3;border:1px solid #a61b1b;border-radius:6px;padding:.5rem .75rem}
.login{max-width:24rem}
.login label{display:block;font-weight:600;margin-top:.75rem}
.login input{width:100%}
.login button{margin-top:1rem}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
white-space:nowrap}
"""
STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
# Nothing but this page's own style, forms and links: no script, no frames, nothing fetched.
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src '{STYLE_HASH}'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def _layout(title: str, body: str, reviewer: str | None = None) -> str:
    signed_in = ""
    if reviewer:
        signed_in = (
            f"<p>Signed in as {escape(reviewer)}</p>"
            '<form method="post" action="/staff/logout">'
            '<button class="quiet" type="submit">Sign out</button></form>'
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<header><p><strong>Bone test guide</strong>: staff</p>{signed_in}</header>"
        f"<main>{body}</main></body></html>"
    )


def login_page(error: str | None = None) -> str:
    alert = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return _layout(
        "Sign in: bone test guide staff",
        "<h1>Sign in</h1>"
        "<p>For clinic staff: what patients ask the assistant, and the questions it could "
        "not answer.</p>"
        f"{alert}"
        '<form class="login" method="post" action="/staff/login">'
        '<label for="name">Your name or initials</label>'
        '<input id="name" name="name" autocomplete="name" required maxlength="40">'
        '<label for="token">Staff token</label>'
        '<input id="token" name="token" type="password" autocomplete="current-password" '
        "required>"
        '<button type="submit">Sign in</button></form>',
    )


def staff_page(
    summary: dict[str, Any],
    pending: list[dict[str, Any]],
    reviewed: list[dict[str, Any]],
    choices: Choices,
    reviewer: str,
    queue: dict[str, Any],
    saved: int | None = None,
) -> str:
    days = summary["days"]
    status = (
        f'<p class="status" role="status">Saved your decision on question {saved}.</p>'
        if saved is not None
        else ""
    )
    body = (
        f"<h1>What patients asked: the last {days} days</h1>"
        f"{status}"
        f"<p>{summary['from']} to {summary['to']} (UTC days). Counts hold no message text and "
        "no patient id.</p>"
        f"{_period_form(days)}"
        f'<p><a href="/staff/api/summary.csv?days={days}" download>'
        "Download the daily counts (CSV)</a></p>"
        f"{_cards(summary)}"
        f"{_per_day(summary)}"
        f"{_outcomes(summary)}"
        f"{_subjects(summary)}"
        f"{_queue(pending, choices, queue)}"
        f"{_reviewed(reviewed, choices)}"
    )
    return _layout("Staff: bone test guide", body, reviewer)


def _period_form(days: int) -> str:
    options = "".join(
        f'<option value="{n}"{" selected" if n == days else ""}>{n} days</option>' for n in PERIODS
    )
    if days not in PERIODS:
        options += f'<option value="{days}" selected>{days} days</option>'
    return (
        '<form method="get" action="/staff"><label for="days">Show the last </label>'
        f'<select id="days" name="days">{options}</select> '
        '<button class="quiet" type="submit">Show</button></form>'
    )


def _percent(rate: float) -> str:
    return f"{rate * 100:.0f} %"


def _cards(summary: dict[str, Any]) -> str:
    totals, rates, latency = summary["totals"], summary["rates"], summary["latency_ms"]
    channels = ", ".join(
        f"{CHANNEL_NAMES.get(name, name)} {count}" for name, count in summary["channels"].items()
    )
    cards = [
        ("Conversations", str(totals["conversations"])),
        ("Messages", str(totals["messages"])),
        ("Answered", _percent(rates["answered"])),
        ("Declined", _percent(rates["declined"])),
        ("Not sure", _percent(rates["fallback"])),
        ("Page doesn't say", _percent(rates["not_on_page"])),
        ("Warning signs", str(totals["red_flag"])),
        ("Nurse call-backs", str(totals["nurse"])),
        ("Forget me", str(totals["forgot"])),
        ("Assistant failed", str(totals["gateway_replies"])),
        ("Median answer time", f"{latency['median']} ms" if latency["median"] else "none"),
    ]
    items = "".join(f"<li>{escape(label)}<strong>{value}</strong></li>" for label, value in cards)
    return (
        '<h2 id="glance">At a glance</h2>'
        f'<ul class="cards" aria-labelledby="glance">{items}</ul>'
        f"<p>By channel: {escape(channels) or 'no messages yet'}. "
        "&ldquo;Assistant failed&rdquo;: the gateway answered itself because the assistant did "
        "not (a warning sign still got the emergency reply).</p>"
    )


def _per_day(summary: dict[str, Any]) -> str:
    per_day = summary["per_day"]
    days = [d["day"] for d in per_day]
    messages = [d["messages"] for d in per_day]
    conversations = [d["conversations"] for d in per_day]
    busiest = max(per_day, key=lambda d: d["messages"]) if per_day else None
    description = (
        f"From {summary['from']} to {summary['to']}: {sum(conversations)} conversations and "
        f"{sum(messages)} messages"
        + (
            f"; the busiest day was {busiest['day']} with {busiest['messages']} messages."
            if busiest and busiest["messages"]
            else "."
        )
    )
    chart = daily_bars(
        "per-day",
        "Conversations and messages per day",
        description,
        days,
        {"Messages": messages, "Conversations": conversations},
    )
    rows = "".join(
        f"<tr><td>{d['day']}</td><td class=n>{d['conversations']}</td>"
        f"<td class=n>{d['messages']}</td><td class=n>{d['answered']}</td>"
        f"<td class=n>{d['red_flag']}</td><td class=n>{d['nurse']}</td></tr>"
        for d in reversed(per_day)
    )
    return (
        "<h2>Conversations and messages per day</h2>"
        f'<div class="chart">{chart}</div>'
        "<details><summary>The numbers per day</summary>"
        '<div class="scroll"><table><caption class="sr-only">Counts per day</caption>'
        "<tr><th scope=col>Day</th><th scope=col>Conversations</th><th scope=col>Messages</th>"
        "<th scope=col>Answered</th><th scope=col>Warning signs</th>"
        f"<th scope=col>Nurse call-backs</th></tr>{rows}</table></div></details>"
    )


def _outcomes(summary: dict[str, Any]) -> str:
    rates, totals = summary["rates"], summary["totals"]
    rows = [(name, rates[key], _percent(rates[key])) for key, name in OUTCOME_NAMES.items()]
    described = ", ".join(f"{name} {shown}" for name, _, shown in rows)
    chart = horizontal_bars(
        "outcomes",
        "How messages ended",
        f"Of {totals['messages']} messages: {described}.",
        rows,
    )
    return f'<h2>How messages ended</h2><div class="chart">{chart}</div>'


def _subjects(summary: dict[str, Any]) -> str:
    subjects = summary["subjects"]
    rows = [(s["name"], s["messages"], str(s["messages"])) for s in subjects]
    described = ", ".join(f"{s['name']} {s['messages']}" for s in subjects) or "no test or word yet"
    chart = horizontal_bars(
        "subjects", "Top subjects", f"Messages per test or word: {described}.", rows
    )
    table = "".join(
        f"<tr><td>{escape(s['name'])}</td><td class=n>{s['messages']}</td>"
        f"<td class=n>{s['answered']}</td></tr>"
        for s in subjects
    )
    return (
        "<h2>Top subjects</h2>"
        f'<div class="chart">{chart}</div>'
        "<details><summary>The numbers per subject</summary><table>"
        "<tr><th scope=col>Test or word</th><th scope=col>Messages</th>"
        f"<th scope=col>Answered</th></tr>{table}</table></details>"
    )


def _queue(pending: list[dict[str, Any]], choices: Choices, queue: dict[str, Any]) -> str:
    if not queue["on"]:
        intro = (
            "<p>The review queue is off (REVIEW_QUEUE): no question text is kept. Counts above "
            "still work.</p>"
        )
    else:
        intro = (
            f"<p>{len(pending)} waiting. The questions the assistant could not answer, with "
            "names, numbers, dates, e-mail and web addresses taken out; each is deleted after "
            f"{queue['retention_days']} days, or when the patient says &ldquo;forget me&rdquo;. "
            "Choose what the assistant should have understood; <code>make review-export</code> "
            "turns your decisions into training data.</p>"
        )
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in pending:
        subject = item["guess"]["subject"]
        name = choices.subject_name(subject["kind"], subject["id"]) if subject else NO_SUBJECT
        groups.setdefault(name, []).append(item)
    sections = "".join(
        f"<h3>{escape(name)}</h3><ol class=queue>"
        + "".join(_question(item, choices) for item in items)
        + "</ol>"
        for name, items in sorted(groups.items(), key=lambda g: (g[0] == NO_SUBJECT, g[0]))
    )
    return f'<h2 id="review">Questions to review</h2>{intro}{sections}'


def _question(item: dict[str, Any], choices: Choices) -> str:
    number = item["id"]
    guess = item["guess"]
    confidence = (
        f", {guess['confidence'] * 100:.0f} % sure" if guess["confidence"] is not None else ""
    )
    intent = guess["intent"] or "nlu_fallback"
    guessed = GUESSES.get(intent) or choices.intents.get(intent, intent)
    subject = guess["subject"]
    chosen_subject = f"{subject['kind']}:{subject['id']}" if subject else ""
    return (
        f'<li aria-labelledby="q{number}-text"><blockquote id="q{number}-text">'
        f"{escape(item['text'])}</blockquote>"
        f'<p class="meta">Question {number}, asked {item["asked_on"]} on '
        f"{CHANNEL_NAMES.get(item['channel'], item['channel'])}: "
        f"{REASONS.get(item['reason'], item['reason'])}. Its guess: {escape(guessed)}"
        f"{confidence}.</p>"
        f'<form class="decide" method="post" action="/staff/review/{number}">'
        f'<label for="q{number}-decision">What it should have understood'
        f'<select id="q{number}-decision" name="decision" required>'
        f"{_decision_options(choices)}</select></label>"
        f'<label for="q{number}-subject">About'
        f'<select id="q{number}-subject" name="subject">'
        f"{_subject_options(choices, chosen_subject)}</select></label>"
        f'<button type="submit">Save decision<span class="sr-only"> on question {number}'
        "</span></button></form></li>"
    )


def _decision_options(choices: Choices) -> str:
    def options(pairs: list[tuple[str, str]]) -> str:
        return "".join(
            f'<option value="{escape(v)}">{escape(label)}</option>' for v, label in pairs
        )

    page = [(f"label:{i}", d) for i, d in choices.intents.items() if i.startswith("ask_")]
    declines = [
        (f"label:{i}", d) for i, d in choices.intents.items() if i.startswith(DECLINE_INTENT)
    ]
    talk = [
        (f"label:{i}", d)
        for i, d in choices.intents.items()
        if not i.startswith(("ask_", DECLINE_INTENT))
    ]
    not_on_page = [
        (f"not_on_page:{t}", f"doesn't say {says}") for t, says in choices.topics.items()
    ]
    return (
        '<option value="">Choose&hellip;</option>'
        f'<optgroup label="The page answers it">{options(page)}</optgroup>'
        f'<optgroup label="Not on the page">{options(not_on_page)}</optgroup>'
        f'<optgroup label="Decline">{options(declines)}</optgroup>'
        f'<optgroup label="Conversation">{options(talk)}</optgroup>'
        '<option value="discard">Discard: nothing to learn from it</option>'
    )


def _subject_options(choices: Choices, chosen: str) -> str:
    options = [("", NO_SUBJECT), *sorted(choices.subjects.items(), key=lambda s: s[1].lower())]
    return "".join(
        f'<option value="{escape(value)}"{" selected" if value == chosen else ""}>'
        f"{escape(name)}</option>"
        for value, name in options
    )


def _reviewed(reviewed: list[dict[str, Any]], choices: Choices) -> str:
    if not reviewed:
        return ""
    items = []
    for item in reviewed:
        decision = item["decision"]
        if item["status"] == "not_on_page":
            said = f"not on the page: doesn't say {choices.topics.get(decision['topic'], '')}"
        elif item["status"] == "discarded":
            said = "discarded"
        else:
            said = choices.intents.get(decision["intent"], decision["intent"])
        if decision["subject"]:
            subject = decision["subject"]
            said += f", about {choices.subject_name(subject['kind'], subject['id'])}"
        items.append(
            f"<li><q>{escape(item['text'])}</q>: {escape(said)} "
            f"({escape(decision['reviewer'] or '')}, {decision['reviewed_on']})</li>"
        )
    return (
        "<h2>Reviewed</h2><p>Written to the training data by the next "
        f"<code>make review-export</code>.</p><ul>{''.join(items)}</ul>"
    )
