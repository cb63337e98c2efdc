"""An encounter record's fields, grouped by where they come from, declared once: the importer writes its columns in
this order (importing/columns.py) and the API gives the fields in it (the record list, a review session's records).

The order is part of every record's fingerprint (the importer joins the values in it), so these are never reordered:
a new field goes at the end of its group, or in a group of its own.
"""

from __future__ import annotations

# A stop and search as data.police.uk publishes it.
PUBLISHED_FIELDS: tuple[str, ...] = (
    "search_type",
    "vehicle_only",
    "part_of_policing_operation",
    "policing_operation",
    "latitude",
    "longitude",
    "gender",
    "age_range",
    "self_defined_ethnicity",
    "ethnic_group",
    "officer_defined_ethnicity",
    "legislation",
    "object_of_search",
    "outcome",
    "anything_found",
    "outcome_linked_to_object",
    "removal_of_more_than_outer_clothing",
)
# What a force's own extract adds.
EXTRACT_FIELDS: tuple[str, ...] = ("body_worn_video", "supervisor_signed_off", "initiation")
# A use of force's own.
USE_OF_FORCE_FIELDS: tuple[str, ...] = (
    "uof_tactics",
    "uof_impact_factors",
    "uof_reasons",
    "subject_age_band",
    "subject_injured",
    "subject_injury",
    "officer_injured",
    "uof_outcome",
)
