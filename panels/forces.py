"""The police forces of England and Wales as reference data: the 43 territorial forces and British Transport Police.

Each exists as an organisation of kind "police force" from the first migrate (panels/migrations/0004), so records
can be imported and synced for any of them without an admin step. Names are data.police.uk's (its `/api/forces`);
each territorial force polices one Census 2021 police force area (panels/census.py). British Transport Police polices
the railways of England, Wales and Scotland: it has no force area and no resident population, so no rate per 1,000
residents is ever computed for it (docs/national.md).

Plain data: nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.text import slugify

from panels.census import POLICE_UK_IDS


@dataclass(frozen=True)
class ForceInfo:
    police_uk_id: str  # data.police.uk's force id, e.g. "metropolitan"
    name: str
    area_code: str | None  # the Census 2021 police force area (PFA22) it polices; None for British Transport Police

    @property
    def slug(self) -> str:
        return slugify(self.name)

    @property
    def territorial(self) -> bool:
        return self.area_code is not None


BRITISH_TRANSPORT_POLICE = "btp"

_NAMES: dict[str, str] = {
    "avon-and-somerset": "Avon and Somerset Constabulary",
    "bedfordshire": "Bedfordshire Police",
    "cambridgeshire": "Cambridgeshire Constabulary",
    "cheshire": "Cheshire Constabulary",
    "city-of-london": "City of London Police",
    "cleveland": "Cleveland Police",
    "cumbria": "Cumbria Constabulary",
    "derbyshire": "Derbyshire Constabulary",
    "devon-and-cornwall": "Devon & Cornwall Police",
    "dorset": "Dorset Police",
    "durham": "Durham Constabulary",
    "dyfed-powys": "Dyfed-Powys Police",
    "essex": "Essex Police",
    "gloucestershire": "Gloucestershire Constabulary",
    "greater-manchester": "Greater Manchester Police",
    "gwent": "Gwent Police",
    "hampshire": "Hampshire Constabulary",
    "hertfordshire": "Hertfordshire Constabulary",
    "humberside": "Humberside Police",
    "kent": "Kent Police",
    "lancashire": "Lancashire Constabulary",
    "leicestershire": "Leicestershire Police",
    "lincolnshire": "Lincolnshire Police",
    "merseyside": "Merseyside Police",
    "metropolitan": "Metropolitan Police Service",
    "norfolk": "Norfolk Constabulary",
    "north-wales": "North Wales Police",
    "north-yorkshire": "North Yorkshire Police",
    "northamptonshire": "Northamptonshire Police",
    "northumbria": "Northumbria Police",
    "nottinghamshire": "Nottinghamshire Police",
    "south-wales": "South Wales Police",
    "south-yorkshire": "South Yorkshire Police",
    "staffordshire": "Staffordshire Police",
    "suffolk": "Suffolk Constabulary",
    "surrey": "Surrey Police",
    "sussex": "Sussex Police",
    "thames-valley": "Thames Valley Police",
    "warwickshire": "Warwickshire Police",
    "west-mercia": "West Mercia Police",
    "west-midlands": "West Midlands Police",
    "west-yorkshire": "West Yorkshire Police",
    "wiltshire": "Wiltshire Police",
}

FORCES: tuple[ForceInfo, ...] = (
    *sorted(
        (ForceInfo(police_uk_id, _NAMES[police_uk_id], code) for code, police_uk_id in POLICE_UK_IDS.items()),
        key=lambda f: f.police_uk_id,
    ),
    ForceInfo(BRITISH_TRANSPORT_POLICE, "British Transport Police", None),
)
FORCE_BY_ID: dict[str, ForceInfo] = {f.police_uk_id: f for f in FORCES}
TERRITORIAL_IDS: frozenset[str] = frozenset(f.police_uk_id for f in FORCES if f.territorial)
