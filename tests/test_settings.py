"""The settings module as a deployer meets it: real `manage.py` runs in a clean environment.

Each test starts a fresh interpreter because settings are read once, at import.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from channels.layers import get_channel_layer
from django.core.cache import caches
from django.core.checks.security.base import _check_secret_key  # type: ignore[attr-defined]  # not in django-stubs
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from hypothesis import given
from hypothesis import strategies as st

from config.env import env_bool, env_int, env_list, is_weak_secret

BASE_DIR = Path(__file__).resolve().parent.parent

# Everything config/settings.py reads, so the developer's or CI's own values never leak in.
_PROJECT_VARIABLES = {
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "PSEUDONYM_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "OPEN_SIGNUP",
    "INVITATION_DAYS",
    "DEFAULT_FROM_EMAIL",
    "BEHIND_TLS_PROXY",
    "CONN_MAX_AGE",
    "DATABASE_POOL",
    "DATABASE_POOL_MIN_SIZE",
    "DATABASE_POOL_MAX_SIZE",
    "DATABASE_POOL_TIMEOUT",
    "LOG_LEVEL",
    "SITE_NAME",
    "SITE_URL",
    "SURVEY_RESPONSES_PER_MINUTE",
    "TASKS_BACKEND",
    "POLICE_UK_API_URL",
    "SYNC_RECENT_MONTHS",
    "POLICE_UK_TIMEOUT",
    "POLICE_UK_ATTEMPTS",
    "SYNC_FETCH_WORKERS",
    "DJANGO_SETTINGS_MODULE",
}


def _clean_environ() -> dict[str, str]:
    return {
        name: value
        for name, value in os.environ.items()
        if name not in _PROJECT_VARIABLES and not name.startswith(("EMAIL_", "SECURE_"))
    }


def _strong_secret() -> str:
    return secrets.token_urlsafe(48)  # 64 characters


def _production_environ(**overrides: str | None) -> dict[str, str]:
    environ = _clean_environ() | {
        "DEBUG": "false",
        "SECRET_KEY": _strong_secret(),
        "PSEUDONYM_KEY": _strong_secret(),
        "ALLOWED_HOSTS": "example.org",
    }
    for name, value in overrides.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    return environ


def _manage(*args: str, environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _setting(name: str, environ: dict[str, str]) -> str:
    code = f"import config.settings as s; print(repr(getattr(s, {name!r}, None)))"
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


# --- production mode ---------------------------------------------------------------------------


def test_deploy_check_passes_with_no_warnings_when_production_is_configured() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", environ=_production_environ())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


@pytest.mark.parametrize("name", ["SECRET_KEY", "PSEUDONYM_KEY"])
@pytest.mark.parametrize(
    "value",
    [
        pytest.param(None, id="unset"),
        pytest.param("", id="empty"),
        pytest.param("too-short-0123456789", id="short"),
        pytest.param("ab" * 40, id="repetitive"),
        pytest.param("django-insecure-" + secrets.token_urlsafe(48), id="django-insecure-prefix"),
    ],
)
def test_production_refuses_to_start_without_a_strong_secret(name: str, value: str | None) -> None:
    result = _manage("check", environ=_production_environ(**{name: value}))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{name} must be set to a long random value" in result.stderr
    if value:
        assert value not in result.stdout + result.stderr, "the rejected secret must not be echoed"


@pytest.mark.parametrize(
    ("name", "dev_value"),
    [
        ("SECRET_KEY", "development-only-secret-key-never-use-this-in-production-0123456789"),
        ("PSEUDONYM_KEY", "development-only-pseudonym-key-never-use-this-in-production"),
    ],
)
def test_production_refuses_the_development_secret(name: str, dev_value: str) -> None:
    result = _manage("check", environ=_production_environ(**{name: dev_value}))

    assert result.returncode != 0
    assert f"{name} must be set to a long random value" in result.stderr


def test_production_trusts_the_proxy_https_header_unless_told_not_to() -> None:
    assert _setting("SECURE_PROXY_SSL_HEADER", _production_environ()) == "('HTTP_X_FORWARDED_PROTO', 'https')"
    assert _setting("SECURE_PROXY_SSL_HEADER", _production_environ(BEHIND_TLS_PROXY="false")) == "None"


def test_production_has_no_default_allowed_hosts() -> None:
    assert _setting("ALLOWED_HOSTS", _production_environ(ALLOWED_HOSTS=None)) == "[]"


def test_production_queues_background_tasks_in_the_database() -> None:
    assert "django_tasks_db.DatabaseBackend" in _setting("TASKS", _production_environ())


def test_an_unknown_tasks_backend_stops_start_up_and_names_the_variable() -> None:
    result = _manage("check", environ=_clean_environ() | {"TASKS_BACKEND": "celery"})

    assert result.returncode != 0
    assert "TASKS_BACKEND must be one of" in result.stderr


# --- development mode --------------------------------------------------------------------------


def test_development_needs_no_configuration() -> None:
    environ = _clean_environ()
    result = _manage("check", environ=environ)

    assert result.returncode == 0, result.stderr
    assert _setting("DEBUG", environ) == "True"
    assert "sqlite3" in _setting("DATABASES", environ)
    assert "InMemoryChannelLayer" in _setting("CHANNEL_LAYERS", environ)


def test_database_and_redis_urls_switch_the_backends() -> None:
    environ = _clean_environ() | {
        "DATABASE_URL": "postgres://scrutiny@db.internal:5432/scrutiny",
        "REDIS_URL": "redis://cache.internal:6379/1",
        "DATABASE_POOL": "false",
        "CONN_MAX_AGE": "60",
    }

    databases = _setting("DATABASES", environ)
    assert "'ENGINE': 'django.db.backends.postgresql'" in databases
    assert "'HOST': 'db.internal'" in databases
    assert "'CONN_MAX_AGE': 60" in databases
    assert "channels_redis.core.RedisChannelLayer" in _setting("CHANNEL_LAYERS", environ)
    assert "redis://cache.internal:6379/1" in _setting("CACHES", environ)


def _database(environ: dict[str, str]) -> dict[str, Any]:
    import ast

    databases: dict[str, dict[str, Any]] = ast.literal_eval(_setting("DATABASES", environ))
    return databases["default"]


POSTGRES_URL = "postgres://scrutiny@db.internal:5432/scrutiny"


def test_postgresql_connections_come_from_a_pool_by_default() -> None:
    """Under ASGI every request runs in a thread of its own, so without the pool each one opens a connection."""
    database = _database(_clean_environ() | {"DATABASE_URL": POSTGRES_URL})

    assert database["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 8, "timeout": 10}
    assert database["CONN_MAX_AGE"] == 0


def test_the_pool_is_sized_from_the_environment_and_can_be_turned_off() -> None:
    sized = _clean_environ() | {
        "DATABASE_URL": POSTGRES_URL,
        "DATABASE_POOL_MIN_SIZE": "1",
        "DATABASE_POOL_MAX_SIZE": "20",
        "DATABASE_POOL_TIMEOUT": "30",
    }
    assert _database(sized)["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 20, "timeout": 30}

    off = _database(_clean_environ() | {"DATABASE_URL": POSTGRES_URL, "DATABASE_POOL": "false"})
    assert "pool" not in off.get("OPTIONS", {})


def test_sqlite_has_no_pool() -> None:
    assert "pool" not in str(_database(_clean_environ())["OPTIONS"])
    assert _setting("DATABASE_POOL", _clean_environ()) == "False"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"DATABASE_URL": POSTGRES_URL, "CONN_MAX_AGE": "60"},
            "CONN_MAX_AGE and DATABASE_POOL cannot be used together",
        ),
        (
            {"DATABASE_URL": "sqlite:////tmp/scrutiny.sqlite3", "DATABASE_POOL": "true"},
            "DATABASE_POOL needs PostgreSQL",
        ),
        (
            {"DATABASE_URL": POSTGRES_URL, "DATABASE_POOL_MAX_SIZE": "ten"},
            "DATABASE_POOL_MAX_SIZE must be a whole number",
        ),
    ],
)
def test_a_pool_that_cannot_work_stops_start_up_and_names_the_variables(environ: dict[str, str], message: str) -> None:
    result = _manage("check", environ=_clean_environ() | environ)

    assert result.returncode != 0
    assert message in result.stderr


def test_the_channel_layer_reads_redis_longer_than_it_blocks_waiting_for_messages() -> None:
    """redis-py 8 times a socket read out after 5 s by default, as long as channels-redis blocks in BZPOPMIN: the
    read must outlast the wait, or a quiet consumer dies under load and its live events are lost."""
    import ast

    from channels_redis.core import RedisChannelLayer

    environ = _clean_environ() | {"REDIS_URL": "redis://cache.internal:6379/1"}
    layers = ast.literal_eval(_setting("CHANNEL_LAYERS", environ))
    (host,) = layers["default"]["CONFIG"]["hosts"]
    assert host["address"] == "redis://cache.internal:6379/1"
    assert host["socket_timeout"] > RedisChannelLayer.brpop_timeout


def test_a_bad_boolean_stops_start_up_and_names_the_variable() -> None:
    result = _manage("check", environ=_clean_environ() | {"DEBUG": "maybe"})

    assert result.returncode != 0
    assert "ImproperlyConfigured: DEBUG must be true or false, not 'maybe'." in result.stderr


# --- the backends this test run is configured with ---------------------------------------------
# CI runs the suite once with no DATABASE_URL/REDIS_URL and once with PostgreSQL and Redis.


@pytest.mark.django_db
def test_the_suite_runs_on_the_configured_database() -> None:
    using_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))

    assert connection.vendor == ("postgresql" if using_postgres else "sqlite")
    assert "test" in str(connection.settings_dict["NAME"])
    assert MigrationRecorder(connection).applied_migrations(), "pytest-django migrated the test database"


def test_the_cache_round_trips() -> None:
    cache = caches["default"]
    backend = "RedisCache" if os.environ.get("REDIS_URL") else "LocMemCache"
    assert type(cache).__name__ == backend

    cache.set("test-settings-probe", {"ok": True}, timeout=30)
    assert cache.get("test-settings-probe") == {"ok": True}
    cache.delete("test-settings-probe")


@pytest.mark.asyncio
async def test_the_channel_layer_delivers_a_message() -> None:
    layer = get_channel_layer()
    assert layer is not None
    backend = "RedisChannelLayer" if os.environ.get("REDIS_URL") else "InMemoryChannelLayer"
    assert type(layer).__name__ == backend

    channel = await layer.new_channel()
    await layer.send(channel, {"type": "probe", "n": 1})
    assert await layer.receive(channel) == {"type": "probe", "n": 1}


# --- config/env.py -----------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", " yes ", "on"])
def test_env_bool_reads_true(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", False) is True


@pytest.mark.parametrize("raw", ["0", "false", "False", "no", "off", ""])
def test_env_bool_reads_false(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", True) is False


def test_env_bool_uses_the_default_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOME_FLAG", raising=False)
    assert env_bool("SOME_FLAG", True) is True
    assert env_bool("SOME_FLAG", False) is False


@pytest.mark.parametrize("raw", ["maybe", "2", "y", "enabled"])
def test_env_bool_rejects_anything_else_clearly(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("SOME_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match=rf"^SOME_FLAG must be true or false, not '{raw}'\.$"):
        env_bool("SOME_FLAG", True)


def test_env_int_reads_a_number_and_rejects_anything_else(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_NUMBER", "14")
    assert env_int("SOME_NUMBER", 1) == 14
    monkeypatch.setenv("SOME_NUMBER", "")
    assert env_int("SOME_NUMBER", 1) == 1
    monkeypatch.setenv("SOME_NUMBER", "fourteen")
    with pytest.raises(ImproperlyConfigured, match=r"^SOME_NUMBER must be a whole number, not 'fourteen'\.$"):
        env_int("SOME_NUMBER", 1)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_HOSTS", " example.org, ,www.example.org,")
    assert env_list("SOME_HOSTS", []) == ["example.org", "www.example.org"]
    monkeypatch.delenv("SOME_HOSTS")
    assert env_list("SOME_HOSTS", ["localhost"]) == ["localhost"]


_secret_like = st.one_of(
    st.text(min_size=0, max_size=80),
    st.text(alphabet="abcdef", min_size=45, max_size=60),
    st.builds(lambda tail: "django-insecure-" + tail, st.text(min_size=30, max_size=60)),
)


@given(_secret_like)
def test_is_weak_secret_agrees_with_the_deploy_check(value: str) -> None:
    # Production refuses exactly the keys `check --deploy` would only warn about.
    assert is_weak_secret(value) is not _check_secret_key(value)


def test_is_weak_secret_on_examples() -> None:
    assert is_weak_secret("x" * 49 + "abc")  # long enough, but only 4 distinct characters
    assert is_weak_secret(secrets.token_urlsafe(30))  # 40 characters
    assert is_weak_secret("django-insecure-" + secrets.token_urlsafe(48))
    assert not is_weak_secret(_strong_secret())
