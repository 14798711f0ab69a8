"""What the portal mails about a person's own account, worded in that person's language.

Sent after the change they describe has committed, and only to an address its owner confirmed,
except for the mail that asks them to confirm it."""
from __future__ import annotations

from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from portal.accounts import addresses
from portal.accounts.models import User
from portal.links import public_url
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


def account_unused(person: User, erase_on) -> None:
    if not person.email:
        return
    with force_locale(person.language):
        send_mail(person.email, _("Your Cortile account will be erased"),
                  _("Hello %(nickname)s,\n\nyou have not used Cortile for a long time. To protect "
                    "your data, your account and what it keeps will be erased on %(date)s.\n\nTo "
                    "keep it, sign in once before then:\n%(link)s\n\nIf you no longer need it, "
                    "there is nothing to do.", nickname=person.nickname,
                    date=format_date(erase_on, "long"), link=public_url("accounts.login")))


def ask_to_confirm(user: User) -> None:
    """Mail the address `user` is waiting to use: its confirmation link, or, when another account
    already confirmed it, a word to that account's owner. The page that asked says the same either
    way, so it never tells whose address is whose."""
    address = user.pending_email
    owner = addresses.confirmed_owner(address)
    if owner is not None:
        with force_locale(owner.language):
            send_mail(address, _("Someone tried to use your email address on Cortile"),
                      _("Hello %(owner)s,\n\nsomeone asked to use this email address for the "
                        "Cortile account \u201c%(nickname)s\u201d. It already belongs to your "
                        "account \u201c%(owner)s\u201d, so nothing has changed.\n\nIf it was you "
                        "and you forgot your password, you can choose a new one here:\n%(link)s\n\n"
                        "If it was not you, there is nothing to do.",
                        owner=owner.nickname, nickname=user.nickname,
                        link=public_url("accounts.reset_by_email")))
        return
    link = public_url("accounts.confirm_email", token=addresses.confirmation_token(user))
    with force_locale(user.language):
        send_mail(address, _("Confirm your email address for Cortile"),
                  _("Hello %(nickname)s,\n\nto use this address for your Cortile account, open "
                    "this link within two days:\n%(link)s\n\nUntil then we send nothing else "
                    "here. If you did not ask for it, ignore this message: the address will not "
                    "be used.", nickname=user.nickname, link=link))
