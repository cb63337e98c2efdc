"""Who gets what from the routes of panels, accounts and the site's own pages."""

from __future__ import annotations

from typing import Any

from tests.permissions.routes import (
    ALLOW,
    DENY,
    LOGIN,
    PANEL_MANAGE,
    PANEL_READ,
    PUBLIC,
    SIGNED_IN,
    Check,
    Rule,
    expect,
    no_kwargs,
)


def panel(s: Any) -> dict[str, Any]:
    return {"slug": s.panel.slug}


def meeting(s: Any) -> dict[str, Any]:
    return {"slug": s.panel.slug, "pk": s.meeting.pk}


def published_meeting(s: Any) -> dict[str, Any]:
    return {"slug": s.panel.slug, "pk": s.published_meeting.pk}


def membership(s: Any) -> dict[str, Any]:
    return {"slug": s.panel.slug, "pk": s.extra_membership.pk}


def invitation(s: Any) -> dict[str, Any]:
    return {"slug": s.panel.slug, "pk": s.invitation.pk}


def get(expected: dict[str, str]) -> tuple[Check, ...]:
    return (Check("GET", expected),)


# Accepting by token is allowed to anyone holding the link; an outsider's token here is someone else's,
# so the service refuses it with a 400 (which still proves the view was reached and nothing leaked).
RULES: dict[str, Rule] = {
    "home": Rule(no_kwargs, get(PUBLIC)),
    "healthz": Rule(no_kwargs, get(PUBLIC)),
    "dashboard": Rule(no_kwargs, get(SIGNED_IN)),
    "panel-list": Rule(no_kwargs, get(SIGNED_IN)),
    "panel-detail": Rule(panel, get(PANEL_READ)),
    "panel-edit": Rule(panel, (Check("GET", PANEL_MANAGE), Check("POST", PANEL_MANAGE, {"name": ""}))),
    "panel-members": Rule(panel, (Check("GET", PANEL_READ), Check("POST", PANEL_MANAGE, {"email": "x"}))),
    "membership-change": Rule(membership, (Check("POST", PANEL_MANAGE, {"role": "nonsense"}),)),
    "invitation-resend": Rule(invitation, (Check("POST", PANEL_MANAGE),)),
    "invitation-revoke": Rule(invitation, (Check("POST", PANEL_MANAGE),)),
    "meeting-list": Rule(panel, get(PANEL_READ)),
    "meeting-create": Rule(panel, (Check("GET", PANEL_MANAGE), Check("POST", PANEL_MANAGE, {"title": ""}))),
    "meeting-detail": Rule(meeting, get(PANEL_READ)),
    "meeting-edit": Rule(meeting, (Check("GET", PANEL_MANAGE),)),
    "meeting-publish": Rule(meeting, (Check("POST", PANEL_MANAGE),)),
    "public-panels": Rule(no_kwargs, get(PUBLIC)),
    "panel-public": Rule(panel, get(PUBLIC)),
    "meeting-public": Rule(published_meeting, get(PUBLIC)),
    "invitation-accept": Rule(lambda s: {"token": s.invitation_token}, get(PUBLIC)),
    "account-settings": Rule(no_kwargs, get(SIGNED_IN)),
    "self-description": Rule(no_kwargs, (Check("GET", SIGNED_IN), Check("POST", SIGNED_IN, {"consent": ""}))),
    "api-token": Rule(no_kwargs, (Check("POST", SIGNED_IN, {"action": "delete"}),)),
    # The API's description is public; the API itself is not.
    "api-schema": Rule(no_kwargs, get(PUBLIC)),
    "api-docs": Rule(no_kwargs, get(PUBLIC)),
    "api-panel-list": Rule(no_kwargs, get(SIGNED_IN)),
    "api-panel-detail": Rule(panel, (Check("GET", PANEL_READ), Check("PATCH", PANEL_MANAGE, {"is_public": True}))),
    "api-membership-list": Rule(
        panel,
        (Check("GET", PANEL_READ), Check("POST", PANEL_MANAGE, {"email": "nobody@example.org", "role": "member"})),
    ),
    "api-membership-detail": Rule(membership, (Check("PATCH", PANEL_MANAGE, {"role": "chair"}),)),
    "api-membership-end": Rule(membership, (Check("POST", PANEL_MANAGE),)),
    "api-invitation-list": Rule(
        panel, (Check("GET", PANEL_MANAGE), Check("POST", PANEL_MANAGE, {"email": "new@example.org", "role": "member"}))
    ),
    "api-invitation-resend": Rule(invitation, (Check("POST", PANEL_MANAGE),)),
    "api-invitation-revoke": Rule(invitation, (Check("POST", PANEL_MANAGE),)),
    "api-invitation-accept": Rule(no_kwargs, (Check("POST", expect(LOGIN, ALLOW, ALLOW, ALLOW), {"token": "x"}),)),
    "api-meeting-list": Rule(panel, (Check("GET", PANEL_READ), Check("POST", PANEL_MANAGE, {"title": ""}))),
    "api-meeting-detail": Rule(meeting, (Check("GET", PANEL_READ), Check("PATCH", PANEL_MANAGE, {"title": "New"}))),
    "api-meeting-publish": Rule(meeting, (Check("POST", PANEL_MANAGE),)),
    "api-meeting-attendance": Rule(meeting, (Check("GET", PANEL_READ), Check("PUT", PANEL_MANAGE, {"attendance": []}))),
}

assert all(v in (ALLOW, DENY, LOGIN) for r in RULES.values() for c in r.checks for v in c.expected.values())
