"""The one error a service raises when it refuses: what was asked cannot be done, for a reason a person can act on.

Pages show its messages beside the form; the API answers 400 with them (common.api.exception_handler), in one place
instead of a wrapper per app. A subclass may set `status` (409 for a stale version, say) for the API's answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class DomainError(ValueError):
    """A refusal, with its messages: a plain list, or lists by field (the field names a form or an API client
    knows). A ValueError, as the value asked for is what is refused; the API's handler still answers 400 only for
    a DomainError, never for another ValueError."""

    status = 400

    def __init__(self, message: str | Sequence[str] | Mapping[str, Sequence[str]]) -> None:
        if isinstance(message, str):
            self.messages: list[str] = [message]
            self.fields: dict[str, list[str]] = {}
        elif isinstance(message, Mapping):
            self.fields = {key: [str(m) for m in value] for key, value in message.items()}
            self.messages = [m for value in self.fields.values() for m in value]
        else:
            self.messages = [str(m) for m in message]
            self.fields = {}
        super().__init__("; ".join(self.messages))

    def as_json(self) -> dict[str, list[str]]:
        """The API's body: the messages by field, or under "detail"."""
        return dict(self.fields) if self.fields else {"detail": list(self.messages)}
