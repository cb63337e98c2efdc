"""What makes an import stop before it starts (or undoes itself): a file that cannot be processed at all."""

from __future__ import annotations

from common.errors import DomainError


class ImportFailed(DomainError):
    """The file could not be processed: unreadable, wrong header, unknown force, not the format it claims.

    The message is one line a person can act on (the API answers 400 with it). Whatever the import had written is
    rolled back.
    """
