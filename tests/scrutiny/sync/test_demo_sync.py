"""What `make run` does after `loaddemo`: `syncrecords --replay data/police-uk-api`. The demo's Cheshire records (from
the CSVs) are exactly what the recorded API months hold, so the sync adds Avon and Somerset and withdraws nothing; a
second run writes nothing."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from scrutiny.models import EncounterRecord, ImportBatch, SessionRecord, SourceMonth, SourceMonthStatus
from tests.scrutiny.sync.conftest import RECORDINGS

pytestmark = pytest.mark.django_db


def test_the_demos_sync_holds_every_recorded_month_and_withdraws_nothing(settings: Any) -> None:
    settings.DEBUG = True
    call_command("loaddemo", stdout=StringIO())
    cheshire_before = EncounterRecord.objects.filter(force__police_uk_id="cheshire").count()
    out = StringIO()

    call_command("syncrecords", "--replay", str(RECORDINGS), "--json", stdout=out)

    summary = json.loads(out.getvalue())
    assert (summary["status"], summary["failed"]) == ("finished", 0)
    by_month = {(m["force"], m["month"]): m for m in summary["months"]}
    for month in ("2025-06", "2025-07", "2025-08", "2025-09"):
        assert (by_month["cheshire", month]["imported"], by_month["cheshire", month]["withdrawn"]) == (0, 0)
    assert by_month["avon-and-somerset", "2023-01"]["imported"] == 507
    assert EncounterRecord.objects.filter(force__police_uk_id="cheshire").count() == cheshire_before
    assert not EncounterRecord.objects.filter(withdrawn_at__isnull=False).exists()
    sampled = SessionRecord.objects.values_list("record_id", flat=True)
    assert sampled.exists()
    assert EncounterRecord.objects.current().filter(pk__in=sampled).count() == sampled.count()
    assert SourceMonth.objects.filter(status=SourceMonthStatus.HELD).count() == 5

    batches = ImportBatch.objects.count()
    out = StringIO()
    call_command("syncrecords", "--replay", str(RECORDINGS), "--json", stdout=out)

    again = json.loads(out.getvalue())
    assert (again["fetched"], again["changed"], again["months"]) == (3, 0, [])
    assert ImportBatch.objects.count() == batches
