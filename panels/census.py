"""Census 2021 reference data (ONS table TS021), read from the files shipped in data/census/.

Plain functions over plain data: nothing here touches the database.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

FIVE_GROUPS: tuple[str, ...] = ("Asian", "Black", "Mixed", "White", "Other")
ENGLAND_AND_WALES = "K04000001"


@dataclass(frozen=True)
class EthnicGroup:
    code: str  # the TS021 category code, "1".."19"
    label: str  # the short name within its broad group
    five_group: str  # one of FIVE_GROUPS


# Census 2021 detailed ethnic groups in the order ONS publishes them.
DETAILED_GROUPS: tuple[EthnicGroup, ...] = (
    EthnicGroup("1", "Bangladeshi", "Asian"),
    EthnicGroup("2", "Chinese", "Asian"),
    EthnicGroup("3", "Indian", "Asian"),
    EthnicGroup("4", "Pakistani", "Asian"),
    EthnicGroup("5", "Any other Asian background", "Asian"),
    EthnicGroup("6", "African", "Black"),
    EthnicGroup("7", "Caribbean", "Black"),
    EthnicGroup("8", "Any other Black, Black British or Caribbean background", "Black"),
    EthnicGroup("9", "White and Asian", "Mixed"),
    EthnicGroup("10", "White and Black African", "Mixed"),
    EthnicGroup("11", "White and Black Caribbean", "Mixed"),
    EthnicGroup("12", "Any other Mixed or multiple ethnic background", "Mixed"),
    EthnicGroup("13", "English, Welsh, Scottish, Northern Irish or British", "White"),
    EthnicGroup("14", "Irish", "White"),
    EthnicGroup("15", "Gypsy or Irish Traveller", "White"),
    EthnicGroup("16", "Roma", "White"),
    EthnicGroup("17", "Any other White background", "White"),
    EthnicGroup("18", "Arab", "Other"),
    EthnicGroup("19", "Any other ethnic group", "Other"),
)
GROUP_BY_CODE: dict[str, EthnicGroup] = {g.code: g for g in DETAILED_GROUPS}

# data.police.uk's force id for the territorial force of each police force area.
POLICE_UK_IDS: dict[str, str] = {
    "E23000036": "avon-and-somerset",
    "E23000026": "bedfordshire",
    "E23000023": "cambridgeshire",
    "E23000006": "cheshire",
    "E23000013": "cleveland",
    "E23000002": "cumbria",
    "E23000018": "derbyshire",
    "E23000035": "devon-and-cornwall",
    "E23000039": "dorset",
    "E23000008": "durham",
    "W15000004": "dyfed-powys",
    "E23000028": "essex",
    "E23000037": "gloucestershire",
    "E23000005": "greater-manchester",
    "W15000002": "gwent",
    "E23000030": "hampshire",
    "E23000027": "hertfordshire",
    "E23000012": "humberside",
    "E23000032": "kent",
    "E23000003": "lancashire",
    "E23000021": "leicestershire",
    "E23000020": "lincolnshire",
    "E23000034": "city-of-london",
    "E23000004": "merseyside",
    "E23000001": "metropolitan",
    "E23000024": "norfolk",
    "W15000001": "north-wales",
    "E23000009": "north-yorkshire",
    "E23000022": "northamptonshire",
    "E23000007": "northumbria",
    "E23000019": "nottinghamshire",
    "W15000003": "south-wales",
    "E23000011": "south-yorkshire",
    "E23000015": "staffordshire",
    "E23000025": "suffolk",
    "E23000031": "surrey",
    "E23000033": "sussex",
    "E23000029": "thames-valley",
    "E23000017": "warwickshire",
    "E23000016": "west-mercia",
    "E23000014": "west-midlands",
    "E23000010": "west-yorkshire",
    "E23000038": "wiltshire",
}


def census_dir() -> Path:
    return Path(settings.BASE_DIR) / "data" / "census"


@cache
def _five_group_table() -> dict[str, tuple[str, dict[str, int]]]:
    table: dict[str, tuple[str, dict[str, int]]] = {}
    with open(census_dir() / "census2021_pfa_ethnicity_5group.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            table[row["PFA22CD"]] = (row["PFA22NM"], {g: int(row[g]) for g in FIVE_GROUPS})
    return table


@cache
def _detailed_table() -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    with open(census_dir() / "census2021_TS021_ltla_20cat.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code = row["eth20_code"]
            if code not in GROUP_BY_CODE:
                continue  # "-8 Does not apply" is zero everywhere
            area = table.setdefault(row["PFA22CD"], dict.fromkeys(GROUP_BY_CODE, 0))
            area[code] += int(row["observation"])
    national = dict.fromkeys(GROUP_BY_CODE, 0)
    for area in table.values():
        for code, count in area.items():
            national[code] += count
    table[ENGLAND_AND_WALES] = national
    return table


def force_areas() -> list[tuple[str, str]]:
    """(code, name) of the 43 police force areas of England and Wales, without the national total."""
    return [(code, name) for code, (name, _) in _five_group_table().items() if code != ENGLAND_AND_WALES]


def population_by_five_group(area_code: str) -> dict[str, int]:
    """Usual residents of a police force area (or K04000001, England and Wales) by broad ethnic group."""
    try:
        return dict(_five_group_table()[area_code][1])
    except KeyError:
        raise KeyError(f"No Census 2021 population for area {area_code!r}.") from None


def population_by_detailed_group(area_code: str) -> dict[str, int]:
    """Usual residents of a police force area by Census 2021 detailed ethnic group code."""
    try:
        return dict(_detailed_table()[area_code])
    except KeyError:
        raise KeyError(f"No Census 2021 population for area {area_code!r}.") from None
