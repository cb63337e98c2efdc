"""Write docs/vocabularies.md from scrutiny/vocab.py, so the page always lists what the importer accepts.

python manage.py writevocabularies [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from scrutiny import choices, vocab

INTRO = """\
# Vocabularies

Every value the importer accepts in each column, and what it becomes. Generated from `scrutiny/vocab.py` by
`python manage.py writevocabularies`; do not edit by hand.

How spellings are compared: case, runs of spaces, spaces around `/`, `-`, `(`, `)`, `:` and `,`, and en or em
dashes do not matter. So West Midlands' 2017 `Black/ African/Caribbean/Black British - Caribbean` is the same as
`Black/African/Caribbean/Black British - Caribbean`. Anything else that is not listed is **rejected**, with a
reason naming the column and the value (for example `Gender: unknown value "Purple"`), and kept on the batch to be
corrected; it is never stored as a blank. A blank cell means "not recorded" (stored as an empty code, or NULL for
yes/no columns), except in Type and Date, which are required. Each value's own code is accepted as a spelling of
itself, which is what a corrected row may use.

Sources of the spellings: data.police.uk's monthly CSVs (current and pre-2017 vocabularies) and its API
(`/api/stops-force`, including `outcome_object` ids); the force-extract and use-of-force templates
(docs/force-extract.md) add a few shorthands.
"""

NOTES: dict[str, str] = {
    "Self-defined ethnicity": (
        'The 2011 Census "18+1" groups data.police.uk uses now, the 2001 Census groups with their codes (W1 ... O9, '
        "NS) that it used until mid-2017, the bare codes, and Census 2021 labels (which add Roma). Each maps to a "
        'detailed group and to one of the five Census 2021 groups; "not stated" and blank count in totals but in '
        'no group. Chinese was under "Chinese or other ethnic group" in 2001 (O1) and is an Asian group since 2011: '
        "O1 maps to Asian: Chinese."
    ),
    "Outcome": (
        'One scheme: the current data.police.uk outcomes. The pre-2017 names map onto it, and "was anything found" '
        "is kept where the wording says so: `Nothing found - no further action` (no), `Article found - Detailed "
        "outcome unavailable` (yes, outcome not recorded), and drugs possession or khat/cannabis warnings (yes: "
        "the drug was found). Everywhere else it is unknown (blank), because an arrest or a fixed penalty may be "
        "for something other than what was searched for."
    ),
    "yes/no": (
        "Part of a policing operation, Outcome linked to object of search, Removal of more than just outer "
        "clothing; in force extracts also Body-worn video and Supervisor signed off; in use-of-force extracts "
        "Subject injured and Officer injured."
    ),
    "Tactics": "Use of force: a cell may list several, separated by `;` (or `|`). So may Impact factors and Reasons.",
}


def _code(value: Any) -> str:
    return f"`{value}`" if value not in ("", None) else "(blank)"


def _label_of(value: Any) -> str:
    for enum in (
        choices.SearchType,
        choices.Gender,
        choices.AgeRange,
        choices.SelfDefinedEthnicity,
        choices.OfficerDefinedEthnicity,
        choices.Legislation,
        choices.ObjectOfSearch,
        choices.Initiation,
        choices.UseOfForceTactic,
        choices.UseOfForceImpactFactor,
        choices.UseOfForceReason,
        choices.InjurySeverity,
        choices.UseOfForceOutcome,
        choices.SubjectAgeBand,
    ):
        if value in enum.values and value != "":
            return str(enum(value).label)
    return ""


def render() -> str:
    parts = [INTRO]
    for vocabulary in vocab.VOCABULARIES:
        parts.append(f"\n## {vocabulary.name}\n")
        if vocabulary.name in NOTES:
            parts.append(f"\n{NOTES[vocabulary.name]}\n")
        blank = "a rejection (required)" if vocabulary.required else _code(vocabulary.blank)
        if vocabulary is vocab.OUTCOME:
            blank = "(blank), found unknown"
        parts.append(f"\nA blank cell: {blank}.\n\n")
        by_value = vocabulary.spellings()
        if vocabulary is vocab.OUTCOME:
            parts.append("| outcome | anything found | spellings |\n|---|---|---|\n")
            for (code, found), spellings in by_value.items():
                found_text = {True: "yes", False: "no", None: "unknown"}[found]
                parts.append(f"| {_code(code)} | {found_text} | {', '.join(f'`{s}`' for s in spellings)} |\n")
        elif vocabulary is vocab.SELF_DEFINED_ETHNICITY:
            parts.append("| detailed group | five groups | spellings |\n|---|---|---|\n")
            for code, spellings in by_value.items():
                five = vocab.FIVE_GROUP[code]
                parts.append(
                    f"| {_code(code)} {_label_of(code)} | `{five}` | {', '.join(f'`{s}`' for s in spellings)} |\n"
                )
        else:
            parts.append("| value | spellings |\n|---|---|\n")
            for value, spellings in by_value.items():
                shown = {True: "yes (true)", False: "no (false)"}.get(value, f"{_code(value)} {_label_of(value)}")
                parts.append(f"| {shown.strip()} | {', '.join(f'`{s}`' for s in spellings)} |\n")
    parts.append(
        "\n## Derived values\n\n"
        "- **Month**: the first day of the month of the time in Europe/London. When the source says which month it "
        "covers (a data.police.uk file name such as `2025-06-merseyside-stop-and-search.csv`, or `--fetch "
        "2025-06`) and the time read as written falls in that month, that month wins: Merseyside writes local times "
        "with a `+00:00` offset, and data.police.uk counts them in the month of the file.\n"
        "- **Financial year**: April to March, written `2025-26`.\n"
        "- **Vehicle only**: Type is `Vehicle search`. Home Office rates leave these out.\n"
        "- **Five groups**: from the detailed self-defined group, as in the table above.\n"
    )
    return "".join(parts)


class Command(BaseCommand):
    help = "Write docs/vocabularies.md from scrutiny/vocab.py (or, with --check, fail if it is out of date)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Exit 1 if the page differs from the vocabularies.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(settings.BASE_DIR) / "docs" / "vocabularies.md"
        text = render()
        if options["check"]:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                self.stderr.write(f"{path} is out of date: run python manage.py writevocabularies")
                sys.exit(1)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
