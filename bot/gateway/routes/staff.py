"""`/staff`: the clinic's counts and the review queue, for staff only; never linked from the
patient page.

A browser signs in with the form and gets a session cookie; a script sends
`Authorization: Bearer <STAFF_TOKEN>`. Without either, the page answers 401 with the sign-in
form and every other address 401 in JSON. With the staff page off (production without
STAFF_TOKEN), all of it answers 503.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Extra, Field
from sqlalchemy.exc import SQLAlchemyError

from bot.gateway.deps import InsightsDep, LimitsDep
from bot.gateway.errors import ApiError
from bot.gateway.staff.auth import SESSION_COOKIE, SESSION_SECONDS, valid_reviewer
from bot.gateway.staff.choices import load_choices
from bot.gateway.staff.insights import GatewayInsights
from bot.gateway.staff.page import CONTENT_SECURITY_POLICY, login_page, staff_page
from bot.insights.recorder import today
from bot.insights.review import Decision, QuestionNotFound
from bot.insights.summary import as_csv

MAX_DAYS = 366
# Whoever labels through the API without giving a name.
SCRIPT_REVIEWER = "script"
NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
PAGE_HEADERS = {
    **NO_STORE,
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
DaysQuery = Annotated[int, Query(ge=1, le=MAX_DAYS, description="How many days, up to today.")]


def staff_page_on(insights: InsightsDep) -> GatewayInsights:
    if not insights.auth.on:
        raise ApiError(
            503, "staff_page_off", "The staff page is off: set STAFF_TOKEN to turn it on."
        )
    return insights


OnDep = Annotated[GatewayInsights, Depends(staff_page_on)]


def signed_in(request: Request, insights: GatewayInsights) -> str | None:
    """The reviewer's name, from the session cookie or a bearer token (a script)."""
    if insights.auth.bearer_matches(request.headers.get("authorization")):
        return SCRIPT_REVIEWER
    return insights.auth.reviewer_of(request.cookies.get(SESSION_COOKIE))


def reviewer(request: Request, insights: OnDep) -> str:
    name = signed_in(request, insights)
    if name is None:
        raise ApiError(
            401,
            "unauthorized",
            "Sign in on /staff, or send Authorization: Bearer <STAFF_TOKEN>.",
            headers={"WWW-Authenticate": "Bearer", **NO_STORE},
        )
    return name


ReviewerDep = Annotated[str, Depends(reviewer)]
router = APIRouter(prefix="/staff", tags=["staff"])


def store_down() -> ApiError:
    return ApiError(
        503, "store_unavailable", "The conversation store is not available. Please try again soon."
    )


def _page(html: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


async def _form(request: Request) -> dict[str, str]:
    fields = parse_qs((await request.body()).decode("utf-8", errors="replace"))
    return {name: values[-1] for name, values in fields.items()}


@router.get("", include_in_schema=False)
async def staff_home(
    request: Request, insights: OnDep, days: DaysQuery = 30, saved: int | None = None
) -> HTMLResponse:
    name = signed_in(request, insights)
    if name is None:
        return _page(login_page(), 401)
    try:
        summary = await run_in_threadpool(insights.summary, days)
        pending = await run_in_threadpool(insights.review.questions, today(), "pending")
        reviewed = await run_in_threadpool(insights.review.questions, today(), "reviewed")
    except SQLAlchemyError as error:
        raise store_down() from error
    page = staff_page(
        summary, pending, reviewed, load_choices(), name, insights.queue_state(), saved
    )
    return _page(page)


@router.post("/login", include_in_schema=False)
async def sign_in(request: Request, insights: OnDep, limits: LimitsDep) -> Response:
    # Tries per address, so nobody guesses the token at the gateway's speed.
    address = limits.address_of(request)
    await limits.enforce(request, f"staff-login:{address}", "sign-in attempts")
    form = await _form(request)
    name = valid_reviewer(form.get("name", ""))
    if not insights.auth.is_token(form.get("token", "")):
        return _page(login_page("That token is not right. Please check it and try again."), 401)
    if name is None:
        return _page(login_page("Please give your name or initials, in letters."), 401)
    response = RedirectResponse("/staff", status_code=303, headers=NO_STORE)
    response.set_cookie(
        SESSION_COOKIE,
        insights.auth.session_cookie(name),
        max_age=SESSION_SECONDS,
        path="/staff",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout", include_in_schema=False)
async def sign_out() -> Response:
    response = RedirectResponse("/staff", status_code=303, headers=NO_STORE)
    response.delete_cookie(SESSION_COOKIE, path="/staff")
    return response


@router.get("/api/summary")
async def summary(insights: OnDep, _: ReviewerDep, days: DaysQuery = 30) -> JSONResponse:
    """Counts per day, per subject and per channel, and the rates, for the last `days` days."""
    try:
        result = await run_in_threadpool(insights.summary, days)
    except SQLAlchemyError as error:
        raise store_down() from error
    return JSONResponse(result, headers=NO_STORE)


@router.get("/api/summary.csv")
async def summary_csv(insights: OnDep, _: ReviewerDep, days: DaysQuery = 30) -> Response:
    """The counts per day as CSV, for a spreadsheet."""
    try:
        result = await run_in_threadpool(insights.summary, days)
    except SQLAlchemyError as error:
        raise store_down() from error
    name = f"bonemets-insights-{result['to']}-{days}d.csv"
    return Response(
        as_csv(result),
        media_type="text/csv; charset=utf-8",
        headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/api/review")
async def review_queue(
    insights: OnDep,
    _: ReviewerDep,
    status: Literal["pending", "reviewed", "all"] = "pending",
) -> JSONResponse:
    """The redacted questions waiting for review (or reviewed ones, or all), oldest first."""
    try:
        questions = await run_in_threadpool(insights.review.questions, today(), status)
    except SQLAlchemyError as error:
        raise store_down() from error
    return JSONResponse({**insights.queue_state(), "questions": questions}, headers=NO_STORE)


class DecisionIn(BaseModel):
    """`label` with an intent (and a subject), `not_on_page` with a topic, or `discard`."""

    action: Literal["label", "not_on_page", "discard"]
    intent: str | None = Field(None, example="ask_test_list")
    subject: str | None = Field(None, description="kind:id", example="test:bone_scan")
    topic: str | None = Field(None, description="for not_on_page", example="duration")
    reviewer: str | None = Field(None, description="for scripts: who decided")

    class Config:
        extra = Extra.forbid


def checked(decision: DecisionIn) -> Decision:
    """The decision, if it names only what the assistant knows; else a 422 saying what not."""
    choices = load_choices()
    if decision.action == "label" and decision.intent not in choices.intents:
        raise ApiError(422, "invalid_decision", f"intent must be one of {sorted(choices.intents)}")
    if decision.action == "not_on_page" and decision.topic not in choices.topics:
        raise ApiError(422, "invalid_decision", f"topic must be one of {sorted(choices.topics)}")
    if decision.subject and decision.subject not in choices.subjects:
        raise ApiError(422, "invalid_decision", "subject must be a test or word as kind:id")
    kind, _, subject_id = (decision.subject or "").partition(":")
    return Decision(
        action=decision.action,
        intent=decision.intent if decision.action == "label" else None,
        subject_kind=kind or None,
        subject_id=subject_id or None,
        topic=decision.topic if decision.action == "not_on_page" else None,
    )


async def _decide(
    insights: GatewayInsights, question_id: int, decision: Decision, name: str
) -> dict[str, Any]:
    try:
        return await run_in_threadpool(insights.review.decide, question_id, decision, name, today())
    except QuestionNotFound as error:
        raise ApiError(
            404, "not_found", f"No queued question {question_id}: it may have been deleted."
        ) from error
    except SQLAlchemyError as error:
        raise store_down() from error


QuestionId = Annotated[int, Path(ge=1, description="The question's id in the queue.")]


@router.post("/api/review/{question_id}")
async def decide(
    question_id: QuestionId, body: DecisionIn, insights: OnDep, name: ReviewerDep
) -> JSONResponse:
    """Records a reviewer's decision on one queued question."""
    if name == SCRIPT_REVIEWER and body.reviewer:
        name = valid_reviewer(body.reviewer) or SCRIPT_REVIEWER
    item = await _decide(insights, question_id, checked(body), name)
    return JSONResponse(item, headers=NO_STORE)


@router.post("/review/{question_id}", include_in_schema=False)
async def decide_from_page(
    question_id: QuestionId, request: Request, insights: OnDep, name: ReviewerDep
) -> Response:
    """The page's form: `decision` is `label:<intent>`, `not_on_page:<topic>` or `discard`."""
    form = await _form(request)
    action, _, value = form.get("decision", "").partition(":")
    if action not in ("label", "not_on_page", "discard"):
        raise ApiError(422, "invalid_decision", "Choose what the assistant should have understood.")
    decision = DecisionIn(
        action=action,
        intent=value if action == "label" else None,
        topic=value if action == "not_on_page" else None,
        subject=form.get("subject") or None,
    )
    await _decide(insights, question_id, checked(decision), name)
    return RedirectResponse(f"/staff?saved={question_id}#review", status_code=303, headers=NO_STORE)
