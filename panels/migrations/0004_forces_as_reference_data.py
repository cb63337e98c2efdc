"""Every force of England and Wales exists from the first migrate: the 43 territorial forces and British Transport
Police (panels/forces.py), so an import or a sync never needs an organisation created by hand first.

A force already present (same data.police.uk id, e.g. made by hand or by an older demo) is kept as it is.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def load_forces(apps: Any, schema_editor: Any) -> None:
    from panels.forces import FORCES

    Organisation = apps.get_model("panels", "Organisation")
    ForceArea = apps.get_model("panels", "ForceArea")
    areas = {a.code: a for a in ForceArea.objects.all()}
    taken = set(Organisation.objects.values_list("slug", flat=True))
    for info in FORCES:
        if Organisation.objects.filter(police_uk_id=info.police_uk_id).exists():
            continue
        slug, n = info.slug, 1
        while slug in taken:
            n += 1
            slug = f"{info.slug}-{n}"
        taken.add(slug)
        Organisation.objects.create(
            name=info.name,
            slug=slug,
            kind="force",
            force_area=areas[info.area_code] if info.area_code else None,
            police_uk_id=info.police_uk_id,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("panels", "0003_panel_escalation_working_days"),
    ]

    operations = [
        migrations.AlterField(
            model_name="organisation",
            name="force_area",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="organisations",
                to="panels.forcearea",
            ),
        ),
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind", "force"), ("force_area__isnull", False), _connector="OR"),
                name="only_forces_may_have_no_area",
            ),
        ),
        migrations.RunPython(load_forces, migrations.RunPython.noop),
    ]
