"""Writes about people and panels that touch several rows or have side effects.

Every service is atomic; a rule broken raises ValidationError with a message fit to show the person,
and nothing is changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from rest_framework.authtoken.models import Token

from panels.models import Attendance, Invitation, Meeting, Membership, Panel, SelfDescription, User
from panels.notifications import notify_user_on_commit

# --- Memberships ----------------------------------------------------------------------------


@transaction.atomic
def membership_add(
    *, panel: Panel, user: User, role: str, by: User | None, start_date: date | None = None
) -> Membership:
    if role not in Membership.Role.values:
        raise ValidationError(f"“{role}” is not a panel role.")
    if Membership.objects.filter(panel=panel, user=user, end_date__isnull=True).exists():
        raise ValidationError(f"{user.email} is already on {panel.name}. Change their role instead.")
    try:
        with transaction.atomic():
            return Membership.objects.create(
                panel=panel, user=user, role=role, start_date=start_date or timezone.localdate(), created_by=by
            )
    except IntegrityError:
        # Someone else added them between our check and the insert.
        raise ValidationError(f"{user.email} is already on {panel.name}.") from None


@transaction.atomic
def membership_end(*, membership: Membership, by: User | None, end_date: date | None = None) -> Membership:
    if membership.end_date is not None:
        raise ValidationError("This membership has already ended.")
    end_date = end_date or timezone.localdate()
    if end_date < membership.start_date:
        raise ValidationError("A membership cannot end before it starts.")
    membership.end_date = end_date
    membership.save(update_fields=["end_date"])
    return membership


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, by: User | None) -> Membership:
    """End the current membership and start a new one with the new role, so the history shows both."""
    if role not in Membership.Role.values:
        raise ValidationError(f"“{role}” is not a panel role.")
    if membership.end_date is not None:
        raise ValidationError("This membership has ended; add the person again instead.")
    if membership.role == role:
        return membership
    today = timezone.localdate()
    if membership.start_date >= today:
        # Started today: correcting the role is not history worth keeping.
        membership.role = role
        membership.save(update_fields=["role"])
        return membership
    membership_end(membership=membership, by=by, end_date=today)
    return Membership.objects.create(
        panel=membership.panel, user=membership.user, role=role, start_date=today, created_by=by
    )


# --- Invitations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str


def _normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(f"“{email}” is not a valid email address.") from None
    return email


@transaction.atomic
def invitation_create(*, panel: Panel, email: str, role: str, by: User, accept_url_for: Any) -> IssuedInvitation:
    """Invite someone by email. `accept_url_for(token)` gives the absolute link to put in the email."""
    email = _normalise_email(email)
    if role not in Membership.Role.values:
        raise ValidationError(f"“{role}” is not a panel role.")
    if Membership.objects.active().filter(panel=panel, user__email__iexact=email).exists():
        raise ValidationError(f"{email} is already a member of {panel.name}.")
    now = timezone.now()
    pending = Invitation.objects.filter(
        panel=panel, email=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    )
    if pending.exists():
        raise ValidationError(f"{email} already has an invitation waiting. Resend it or withdraw it first.")
    token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        panel=panel,
        email=email,
        role=role,
        token_hash=token_hash,
        invited_by=by,
        expires_at=Invitation.default_expiry(),
    )
    _send_invitation_email(invitation, accept_url_for(token))
    return IssuedInvitation(invitation, token)


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by: User, accept_url_for: Any) -> IssuedInvitation:
    """A new link (the old one stops working) with a fresh expiry."""
    if invitation.status in ("accepted", "revoked"):
        raise ValidationError(f"This invitation was {invitation.status}; it cannot be sent again.")
    token, token_hash = Invitation.new_token()
    invitation.token_hash = token_hash
    invitation.expires_at = Invitation.default_expiry()
    invitation.save(update_fields=["token_hash", "expires_at"])
    _send_invitation_email(invitation, accept_url_for(token))
    return IssuedInvitation(invitation, token)


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    if invitation.status != "pending" and invitation.status != "expired":
        raise ValidationError(f"This invitation was {invitation.status}; it cannot be withdrawn.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


def _send_invitation_email(invitation: Invitation, url: str) -> None:
    context = {"invitation": invitation, "url": url, "site_name": settings.SITE_NAME}
    send_mail(
        subject=f"[{settings.SITE_NAME}] You are invited to join {invitation.panel.name}",
        message=render_to_string("panels/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


def invitation_for_token(token: str, *, lock: bool = False) -> Invitation:
    """The pending invitation for a token; ValidationError saying why when it cannot be used."""
    qs = Invitation.objects.select_related("panel")
    if lock:
        qs = qs.select_for_update()
    invitation = qs.filter(token_hash=Invitation.hash_token(token or "")).first()
    if invitation is None:
        raise ValidationError("This invitation link is not valid. Ask the panel's coordinator for a new one.")
    status = invitation.status
    if status == "accepted":
        raise ValidationError("This invitation has already been used. Sign in instead.")
    if status == "revoked":
        raise ValidationError("This invitation was withdrawn. Ask the panel's coordinator if you think that is wrong.")
    if status == "expired":
        raise ValidationError("This invitation has expired. Ask the panel's coordinator to send it again.")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """A signed-in person accepts an invitation sent to their email address."""
    invitation = invitation_for_token(token, lock=True)
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            f"This invitation was sent to {invitation.email}, but you are signed in as {user.email}. "
            "Sign out and follow the link again."
        )
    return _accept(invitation, user)


@transaction.atomic
def invitation_accept_new_user(*, token: str, password: str, name: str = "") -> Membership:
    """Someone without an account accepts: their account is created with the invited (so verified) address."""
    invitation = invitation_for_token(token, lock=True)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError("An account with this email address already exists. Sign in to accept.")
    user = User(email=invitation.email, name=name.strip())
    validate_password(password, user)
    user.set_password(password)
    user.save()
    # Following the emailed link proves the address, so it needs no separate verification.
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return _accept(invitation, user)


def _accept(invitation: Invitation, user: User) -> Membership:
    membership = membership_add(panel=invitation.panel, user=user, role=invitation.role, by=invitation.invited_by)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    if invitation.invited_by_id:
        notify_user_on_commit(
            user_id=invitation.invited_by_id,
            payload={
                "kind": "invitation_accepted",
                "message": f"{user} joined {invitation.panel.name} as {membership.get_role_display().lower()}.",
                "url": invitation.panel.get_absolute_url(),
            },
        )
    return membership


# --- Meetings -------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *, panel: Panel, title: str, starts_at: datetime, location: str = "", agenda: str = "", by: User
) -> Meeting:
    return Meeting.objects.create(panel=panel, title=title, starts_at=starts_at, location=location, agenda=agenda)


@transaction.atomic
def meeting_update(*, meeting: Meeting, by: User, **fields: Any) -> Meeting:
    allowed = {"title", "starts_at", "location", "agenda", "minutes"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))}.")
    if "minutes" in fields and meeting.minutes_status == Meeting.MinutesStatus.PUBLISHED:
        raise ValidationError("These minutes are published and can no longer be edited.")
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.save()
    return meeting


@transaction.atomic
def meeting_publish_minutes(*, meeting: Meeting, by: User) -> Meeting:
    if meeting.minutes_status == Meeting.MinutesStatus.PUBLISHED:
        raise ValidationError("These minutes are already published.")
    if not meeting.minutes.strip():
        raise ValidationError("Write the minutes before publishing them.")
    meeting.publish_minutes()
    return meeting


@transaction.atomic
def attendance_record(*, meeting: Meeting, statuses: dict[int, str], by: User) -> None:
    """Set each listed person's attendance. Only current members of the meeting's panel can be recorded."""
    members = set(Membership.objects.active().filter(panel=meeting.panel).values_list("user_id", flat=True))
    for user_id, status in statuses.items():
        if user_id not in members:
            raise ValidationError("Attendance can only be recorded for the panel's current members.")
        if status not in Attendance.Status.values:
            raise ValidationError(f"“{status}” is not an attendance status.")
    for user_id, status in statuses.items():
        Attendance.objects.update_or_create(meeting=meeting, user_id=user_id, defaults={"status": status})


# --- Self-description -----------------------------------------------------------------------


@transaction.atomic
def self_description_save(*, user: User, consent: bool, **answers: str) -> SelfDescription:
    if not consent:
        raise ValidationError("We can only keep these answers with your consent. Tick the box to agree, or leave.")
    from panels.census import GROUP_BY_CODE

    ethnic_group = answers.get("ethnic_group", "")
    if ethnic_group not in ("", "prefer_not", *GROUP_BY_CODE):
        raise ValidationError("Choose an ethnic group from the list.")
    description, _ = SelfDescription.objects.update_or_create(
        user=user,
        defaults={
            "ethnic_group": ethnic_group,
            "age_band": answers.get("age_band", ""),
            "sex": answers.get("sex", ""),
            "disability": answers.get("disability", ""),
            "consented_at": timezone.now(),
        },
    )
    description.full_clean()
    return description


@transaction.atomic
def self_description_delete(*, user: User) -> None:
    SelfDescription.objects.filter(user=user).delete()


# --- API tokens ------------------------------------------------------------------------------------------------


@transaction.atomic
def api_token_replace(*, user: User) -> str:
    """A new API token for the user, in place of any old one (which stops working at once); its key, shown once."""
    Token.objects.filter(user=user).delete()
    return str(Token.objects.create(user=user).key)


def api_token_delete(*, user: User) -> None:
    """The user's API token stops working."""
    Token.objects.filter(user=user).delete()
