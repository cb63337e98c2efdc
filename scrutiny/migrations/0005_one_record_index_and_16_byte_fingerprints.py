"""Records: one index besides the primary key, 16-byte time-ordered fingerprints, no financial-year column, the
withdrawn mark for records data.police.uk no longer publishes, and notes on an import batch.

The unique (force, fingerprint) index and the two reporting indexes become one unique (force, month, fingerprint)
index that serves both de-duplication and reporting (bench/README.md has the figures). Stored fingerprints are
converted in place (scrutiny.importing.fingerprints.from_legacy keeps the same bytes of the old ones), so a file
imported before this migration still adds nothing when imported again.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models


def convert_fingerprints(apps: Any, schema_editor: Any) -> None:
    from scrutiny.importing.fingerprints import from_legacy

    EncounterRecord = apps.get_model("scrutiny", "EncounterRecord")
    db = schema_editor.connection.alias
    batch: list[Any] = []
    rows = EncounterRecord.objects.using(db).only("pk", "fingerprint", "occurred_at").order_by("pk")
    for record in rows.iterator(chunk_size=5000):
        new = from_legacy(bytes(record.fingerprint), record.occurred_at)
        if new != bytes(record.fingerprint):
            record.fingerprint = new
            batch.append(record)
        if len(batch) >= 5000:
            EncounterRecord.objects.using(db).bulk_update(batch, ["fingerprint"])
            batch = []
    if batch:
        EncounterRecord.objects.using(db).bulk_update(batch, ["fingerprint"])


class Migration(migrations.Migration):
    dependencies = [
        ("panels", "0004_forces_as_reference_data"),
        ("scrutiny", "0004_reporting_indexes_carry_vehicle_only"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="encounterrecord", name="record_fingerprint_unique_per_force"),
        migrations.RemoveIndex(model_name="encounterrecord", name="record_force_month"),
        migrations.RemoveIndex(model_name="encounterrecord", name="record_force_fy"),
        migrations.RunPython(convert_fingerprints, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="encounterrecord",
            name="fingerprint",
            field=models.BinaryField(editable=False, max_length=16),
        ),
        migrations.RemoveField(model_name="encounterrecord", name="financial_year"),
        migrations.AddField(
            model_name="encounterrecord",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="notes",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddConstraint(
            model_name="encounterrecord",
            constraint=models.UniqueConstraint(
                fields=("force", "month", "fingerprint"), name="record_force_month_fingerprint"
            ),
        ),
    ]
