"""The one error every service raises when a rule says no, whichever package the rule is in."""
from __future__ import annotations


class RuleError(Exception):
    """A rule was broken. `message` is usually lazy, so it is worded in the reader's language when
    shown; `field` names the form field it belongs next to, if any."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)

    def show_on(self, form) -> None:
        """Next to its field, or at the top of the form when the form has no such field (the rule
        is about the whole action)."""
        field = getattr(form, self.field, None) if self.field else None
        (field.errors if field is not None else form.form_errors).append(self.message)
