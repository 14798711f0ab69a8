"""What a nickname may look like, and the folded form that makes two nicknames "the same"."""
from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 3
MAX_LENGTH = 30
# Letters of any script (Arabic, Chinese, Bengali...), digits, and . _ - and single inner spaces.
_ALLOWED = re.compile(r"^[^\W_](?:[\w.\-]| (?! ))*$")
# Names that would let someone pass for the portal or its staff.
RESERVED = frozenset({
    "admin", "administrator", "amministratore", "cortile", "moderatore", "moderator", "facilitatore",
    "facilitatrice", "facilitator", "coordinatore", "coordinator", "comune", "municipio", "staff",
    "support", "supporto", "sistema", "system", "root", "anonimo", "anonymous", "utente eliminato",
})


def clean(nickname: str) -> str:
    return " ".join(unicodedata.normalize("NFC", nickname).split())


def fold(nickname: str) -> str:
    """NFKC + casefold: "Anna", "ANNA" and full-width "Ａｎｎａ" are one nickname."""
    return unicodedata.normalize("NFKC", clean(nickname)).casefold()


def nickname_problem(nickname: str):
    nickname = clean(nickname)
    if len(nickname) < MIN_LENGTH:
        return _l("Use at least %(n)d characters.", n=MIN_LENGTH)
    if len(nickname) > MAX_LENGTH:
        return _l("Use at most %(n)d characters.", n=MAX_LENGTH)
    if not _ALLOWED.match(nickname) or nickname[-1] in ".-":
        return _l("Use letters and numbers; dots, dashes, underscores and single spaces inside.")
    if fold(nickname) in RESERVED:
        return _l("This nickname is reserved. Please choose another.")
    return None
