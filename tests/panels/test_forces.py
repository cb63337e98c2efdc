"""Every force of England and Wales exists from the first migrate (panels/forces.py, migration panels/0004)."""

from __future__ import annotations

import pytest

from panels import census
from panels.forces import BRITISH_TRANSPORT_POLICE, FORCES
from panels.models import Organisation


@pytest.mark.django_db
def test_the_43_territorial_forces_and_british_transport_police_exist_after_migrate() -> None:
    forces = Organisation.objects.filter(kind=Organisation.Kind.FORCE).select_related("force_area")
    by_id = {f.police_uk_id: f for f in forces}
    assert len(by_id) == 44 == len(FORCES)
    for code, police_uk_id in census.POLICE_UK_IDS.items():
        area = by_id[police_uk_id].force_area
        assert area is not None
        assert area.code == code
    btp = by_id[BRITISH_TRANSPORT_POLICE]
    assert btp.name == "British Transport Police"
    assert btp.force_area is None
    assert by_id["cheshire"].name == "Cheshire Constabulary"


@pytest.mark.django_db
def test_only_a_force_may_have_no_force_area() -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="Nowhere OPCC", slug="nowhere", kind=Organisation.Kind.OPCC)
