"""The one error type of Jisr's business logic.

Services and selectors raise `JisrError` with a stable machine code and a translated message.
The API turns it into the one JSON error shape (see `jisr.api`); views turn it into a form error
or an error page. Codes are part of the API contract: add new ones, never rename them.
"""

from __future__ import annotations

from django.utils.functional import Promise


class JisrError(Exception):
    """A request that cannot be carried out, with a reason the user can read.

    `code` is stable and machine-readable; `message` is translated (a lazy string, so it
    is rendered in the language of whoever reads it); `fields` holds per-field messages
    for validation errors; `status` is the HTTP status the API answers with.
    """

    def __init__(
        self,
        code: str,
        message: str | Promise,
        *,
        status: int = 400,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.status = status
        self.fields = fields or {}

    def as_dict(self) -> dict[str, object]:
        return {
            "error": {
                "code": self.code,
                "message": str(self.message),
                "fields": {name: [str(m) for m in msgs] for name, msgs in self.fields.items()},
            }
        }
