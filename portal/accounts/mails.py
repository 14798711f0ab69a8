"""What the portal mails about a person's own account, worded in that person's language.

Sent after the change they describe has committed, and only to an address its owner confirmed."""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from portal.accounts.models import User
from portal.mail import send_mail


def reset_code_issued(person: User, facilitator: User) -> None:
    if not person.email:
        return
    with force_locale(person.language):
        send_mail(person.email, _("A code to reset your Cortile password"),
                  _("Hello %(nickname)s,\n\n%(facilitator)s gave out a one-time code to reset your "
                    "Cortile password at an access point. If you asked for it, there is nothing "
                    "else to do.\n\nIf you did not ask for it, sign in and change your password "
                    "now: the code then stops working. And tell a coordinator.",
                    nickname=person.nickname, facilitator=facilitator.nickname))
