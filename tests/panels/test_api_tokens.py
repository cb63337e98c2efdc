"""API tokens: replacing one makes the old key stop working at once; deleting one leaves none."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from panels import services
from tests.factories import UserFactory


@pytest.mark.django_db
def test_a_new_token_replaces_the_old_one() -> None:
    user = UserFactory.create()
    first = services.api_token_replace(user=user)
    second = services.api_token_replace(user=user)
    assert first != second
    assert list(Token.objects.filter(user=user).values_list("key", flat=True)) == [second]


@pytest.mark.django_db
def test_a_deleted_token_leaves_none_and_deleting_again_is_harmless() -> None:
    user = UserFactory.create()
    services.api_token_replace(user=user)
    services.api_token_delete(user=user)
    services.api_token_delete(user=user)
    assert not Token.objects.filter(user=user).exists()
