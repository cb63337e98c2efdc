"""Load the 43 police force areas of England and Wales from the bundled Census 2021 file."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from panels.census import force_areas

    ForceArea = apps.get_model("panels", "ForceArea")
    for code, name in force_areas():
        ForceArea.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("panels", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
