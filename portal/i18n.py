"""Languages Cortile speaks and how each request picks one."""
from __future__ import annotations

from dataclasses import dataclass

from flask import has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user


@dataclass(frozen=True)
class Language:
    code: str
    autonym: str  # the language's name in itself, so anyone can find their own
    direction: str  # "ltr" or "rtl"


# Italian is the default; English the common second; Arabic and Spanish are started.
LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("it", "Italiano", "ltr"),
        Language("en", "English", "ltr"),
        Language("ar", "العربية", "rtl"),
        Language("es", "Español", "ltr"),
    )
}
DEFAULT_LANGUAGE = "it"
SESSION_KEY = "language"


def select_locale() -> str:
    """The account's language, else the visitor's explicit choice, else the browser's, else Italian."""
    if not has_request_context():  # the command line, cron jobs: the default language
        return DEFAULT_LANGUAGE
    if current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    return visitor_language()


def visitor_language() -> str:
    """The visitor's explicit choice, else the browser's, else Italian: known without the database."""
    chosen = session.get(SESSION_KEY)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES.keys()) or DEFAULT_LANGUAGE


def current_language() -> Language:
    return LANGUAGES.get(str(get_locale()), LANGUAGES[DEFAULT_LANGUAGE])
