from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join by invitation; OPEN_SIGNUP=true lets anyone create an account (and join nothing).
        return bool(settings.OPEN_SIGNUP)
