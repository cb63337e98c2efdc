"""Who gets what from the review session pages: the panel's members, chair and coordinators see a session; members
(and the chair) score; the chair and coordinators draw samples and run the meeting. Outsiders are refused
everywhere, and anonymous visitors are sent to sign in."""

from __future__ import annotations

from typing import Any

from tests.permissions.routes import ALLOW, DENY, LOGIN, PANEL_MANAGE, PANEL_READ, Check, Rule, expect

RUN = PANEL_MANAGE  # anonymous: sign in; outsider and member: refused; coordinator: allowed
# Members score; a coordinator runs the session but does not score.
SCORE = expect(LOGIN, DENY, ALLOW, DENY)


def panel(s: Any) -> dict[str, Any]:
    return {"slug": s.panel.slug}


def session(s: Any) -> dict[str, Any]:
    return {"pk": s.session.pk}


def item(s: Any) -> dict[str, Any]:
    return {"pk": s.session.pk, "item_pk": s.item.pk}


def post(expected: dict[str, str], data: dict[str, Any] | None = None) -> Check:
    return Check("POST", expected, data or {})


RULES: dict[str, Rule] = {
    "review-session-list": Rule(panel, (Check("GET", PANEL_READ),)),
    # An empty form is refused with a 400: the view was reached, nothing was created.
    "review-session-new": Rule(panel, (Check("GET", RUN), post(RUN))),
    "review-session-detail": Rule(session, (Check("GET", PANEL_READ),)),
    "review-session-next": Rule(session, (post(RUN),)),
    "review-session-go-to": Rule(session, (post(RUN, {"item": 0}),)),
    "review-session-add-record": Rule(session, (post(RUN, {"record": 1}),)),
    "review-session-close": Rule(session, (post(RUN),)),
    "review-session-summary": Rule(session, (Check("GET", PANEL_READ), post(RUN, {"minutes": "Met."}))),
    "review-item-score": Rule(item, (Check("GET", SCORE), post(SCORE, {"action": "draft"}))),
    "review-item-reveal": Rule(item, (post(RUN),)),
    "review-item-agree": Rule(item, (post(RUN, {"grounds": "unclear"}),)),
}

assert all(v in (ALLOW, DENY, LOGIN) for r in RULES.values() for c in r.checks for v in c.expected.values())
