from __future__ import annotations

from django.apps import AppConfig


class ScrutinyConfig(AppConfig):
    name = "scrutiny"
    verbose_name = "Encounter records and scrutiny"
