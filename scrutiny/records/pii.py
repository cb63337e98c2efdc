"""Find and mask personal data in free text (the recorded grounds for a search).

Pure functions. A match is replaced by its kind in brackets ("[postcode]") and the record is flagged for a
coordinator's redaction check before panel members see it. The patterns lean towards masking too much:
a masked road number costs a reader a little; an unmasked phone number cannot be taken back.
Patterns not caught here (a name without a title, a street address) are why a person still checks flagged
text; see docs/import.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Master|Sir|Lady)"
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)

# (kind, pattern). Order matters: earlier kinds are masked first, so an email's digits are not read as a phone.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)),
    (
        "phone number",
        re.compile(
            r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?(?:[\s-]?\d){6,8}(?!\w)",
        ),
    ),
    (
        "date",
        re.compile(
            rf"\b\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})\b"
            rf"|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
            rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\.?,?\s+\d{{4}}\b"
            rf"|\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b",
            re.IGNORECASE,
        ),
    ),
    (
        "national insurance number",
        re.compile(r"\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.IGNORECASE),
    ),
    (
        "postcode",
        re.compile(r"\b(?:GIR\s?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE),
    ),
    (
        "vehicle registration",
        re.compile(
            # Current (AB12 CDE, any case), prefix (A123 BCD) and suffix (ABC 123D) formats.
            r"\b[A-Za-z]{2}\d{2}\s?[A-Za-z]{3}\b"
            r"|\b[A-Z]\d{1,3}\s?[A-Z]{3}\b"
            r"|\b[A-Z]{3}\s?\d{1,3}\s?[A-Z]\b"
        ),
    ),
    (
        "collar number",
        re.compile(
            r"\b(?:PC|DC|PS|DS|SC|PCSO|TDC|DI|DCI|Sgt|Insp|Constable|Sergeant|Officer|collar(?:\s+(?:no|number))?)"
            r"\.?\s*(?:no\.?\s*)?#?\d{2,6}[A-Z]{0,2}\b",
            re.IGNORECASE,
        ),
    ),
    # Only the name after the title is masked ("Mr [name]"), so the text still reads.
    ("name", re.compile(rf"\b(?P<keep>{_TITLE}\.?\s+)[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?")),
)


@dataclass(frozen=True)
class Scan:
    text: str
    kinds: tuple[str, ...]

    @property
    def flagged(self) -> bool:
        return bool(self.kinds)


def _replacement(kind: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        keep = match.groupdict().get("keep") or ""
        return f"{keep}[{kind}]"

    return replace


_REPLACEMENTS = {kind: _replacement(kind) for kind, _ in PATTERNS}


def mask(text: str) -> Scan:
    """The text with every personal-data match replaced by "[kind]", and the kinds found."""
    found: list[str] = []
    for kind, pattern in PATTERNS:
        text, count = pattern.subn(_REPLACEMENTS[kind], text)
        if count:
            found.append(kind)
    return Scan(text=text, kinds=tuple(found))


def find(text: str) -> list[tuple[str, str]]:
    """Every (kind, matched text) in the text, for tests and for showing a coordinator what was masked."""
    out: list[tuple[str, str]] = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            keep = match.groupdict().get("keep") or ""
            out.append((kind, match.group(0)[len(keep) :]))
        text = pattern.sub(_REPLACEMENTS[kind], text)
    return out
