"""Joining, signing in and out, the account page and password resets."""
from __future__ import annotations

from flask import Blueprint, abort, flash, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user

from portal import db
from portal.accounts import addresses, forms, mails, nicknames, own_data, service, sessions, throttle
from portal.extensions import limiter
from portal.forms import ConfirmForm
from portal.links import public_url
from portal.mail import send_mail
from portal.permissions import require
from portal.web import (
    redirect_after_post,
    remember_language,
    render_form_page,
    render_page,
    safe_next_url,
    signed_in_user,
    submit,
)

bp = Blueprint("accounts", __name__)


def _submitted_nickname() -> str:
    # Code tries per account, whichever address they come from, in the form sign-in reads names.
    return "reset-code:" + nicknames.fold(request.form.get("nickname", "")[:nicknames.MAX_LENGTH])


def _failed(response) -> bool:
    return response.status_code != 303


@bp.route("/join", methods=["GET", "POST"])
# Generous: an access point registers many families from one address in a morning.
@limiter.limit("30 per hour", methods=["POST"])
def register():
    require("account.register")
    form = forms.RegisterForm.build(language=str(get_locale()))
    done, user = submit(form, lambda: service.register(
        nickname=form.nickname.data, password=form.password.data, email=form.email.data,
        home_neighbourhood_id=form.home_neighbourhood.data, language=form.language.data))
    if done:
        _start_session(user)
        flash(_("Welcome to Cortile, %(nickname)s!", nickname=user.nickname), "success")
        if user.pending_email:
            _ask_to_confirm(user)
        return redirect_after_post(url_for("places.home"))
    return render_form_page("accounts/register.html", "accounts/_register_form.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@db.no_upfront_write_lock
@limiter.limit("20 per minute", methods=["POST"])
def login():
    require("account.sign_in")
    if current_user.is_authenticated:
        return redirect_after_post(url_for("places.home"))
    form = forms.LoginForm()
    if form.validate_on_submit():
        # Per account, slower after each failure, never closed to the person's own phone.
        account, device = service.login_key(form.login.data), throttle.Device.from_request()
        minutes = throttle.attempt(account, device)
        if minutes:
            form.form_errors.append(ngettext(
                "Too many wrong passwords for this account. To protect it, wait %(num)d minute "
                "and try again. On a phone where you signed in before, you can try now.",
                "Too many wrong passwords for this account. To protect it, wait %(num)d minutes "
                "and try again. On a phone where you signed in before, you can try now.", minutes))
            return render_page("accounts/login.html", "accounts/_login_form.html", 429, form=form)
        # Checking a password takes a tenth of a second: done outside any write lock, so on
        # SQLite sign-ins do not queue behind each other.
        user = service.authenticate(form.login.data, form.password.data)
        db.session.rollback()
        if user is not None:
            throttle.succeeded(account, device)
            # One write for both, so on SQLite a sign-in queues for the write lock once, not twice.
            _start_session(user, rehash_with=form.password.data)
            response = redirect_after_post(safe_next_url(url_for("places.home")))
            device.remember(response, account)
            return response
        # One message whether the nickname exists or not: the form does not reveal who is here.
        form.form_errors.append(_("That nickname or email and password do not match."))
    return render_form_page("accounts/login.html", "accounts/_login_form.html", form=form)


def _start_session(user, rehash_with: str | None = None) -> None:
    with db.write_transaction():
        if rehash_with is not None:
            service.upgrade_password_hash(user, rehash_with)
        sessions.start(user, request.headers.get("User-Agent", ""))
    # A fresh cookie on sign-in, so a session planted before sign-in is worth nothing after.
    session.clear()
    session.permanent = True
    login_user(user)


def end_browser_session() -> None:
    """Sign this browser out, keeping only its language choice."""
    language = session.get("language")
    logout_user()
    session.clear()
    if language:
        remember_language(language)


@bp.post("/logout")
def logout():
    require("account.manage")
    ConfirmForm().validate_on_submit() or abort(400)
    user = signed_in_user()
    with db.write_transaction():
        sessions.end(user, user.device_session.id)
    end_browser_session()
    flash(_("You are signed out."), "success")
    return redirect_after_post(url_for("places.home"))


@bp.post("/logout-everywhere")
def logout_everywhere():
    require("account.manage")
    ConfirmForm().validate_on_submit() or abort(400)
    with db.write_transaction():
        sessions.end_all(signed_in_user())
    end_browser_session()
    flash(_("You are signed out on every device."), "success")
    return redirect_after_post(url_for("accounts.login"))


@bp.post("/account/sessions/<int:session_id>/end")
def end_session(session_id: int):
    """Sign out one device from the account page's list (a lost phone, a library computer)."""
    require("account.manage")
    ConfirmForm().validate_on_submit() or abort(400)
    user = signed_in_user()
    this_device = session_id == user.device_session.id
    with db.write_transaction():
        # Another person's session is "not found": its existence is private too.
        sessions.end(user, session_id) or abort(404)
    if this_device:
        end_browser_session()
        flash(_("You are signed out."), "success")
        return redirect_after_post(url_for("places.home"))
    flash(_("That device is signed out."), "success")
    return redirect_after_post(url_for("accounts.account"))


@bp.route("/account", methods=["GET", "POST"])
def account():
    require("account.manage")
    user = signed_in_user()
    form = forms.AccountForm.for_user(user)
    done, new_address = submit(form, lambda: service.update_profile(
        user, email=form.email.data, home_neighbourhood_id=form.home_neighbourhood.data,
        language=form.language.data))
    if done:
        flash(_("Your changes are saved."), "success")
        if new_address:
            _ask_to_confirm(user)
        return redirect_after_post(url_for("accounts.account"))
    return render_form_page("accounts/account.html", "accounts/_account_form.html", form=form,
                            password_form=forms.ChangePasswordForm(), **_account_page_parts(user))


@bp.post("/account/email/resend")
@limiter.limit("5 per hour")
def resend_confirmation():
    require("account.manage")
    ConfirmForm().validate_on_submit() or abort(400)
    user = signed_in_user()
    if user.pending_email:
        _ask_to_confirm(user)
    return redirect_after_post(url_for("accounts.account"))


def _ask_to_confirm(user) -> None:
    # The same words whether or not the address belongs to someone else: its owner is told by mail.
    mails.ask_to_confirm(user)
    flash(_("We sent a link to %(email)s. Open it to confirm the address: until then it is not "
            "used.", email=user.pending_email), "success")


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
def confirm_email(token: str):
    """The mailed link. Confirming takes a button press, so a mail scanner that opens links does
    not confirm an address on its own; no sign-in needed (the mail may be read on another phone)."""
    require("account.confirm_email")
    user = addresses.waiting_for_token(token)
    if user is None:
        return render_page("accounts/confirm_email_invalid.html", None, 404)
    form = ConfirmForm()
    if form.validate_on_submit():
        with db.write_transaction():
            confirmed = addresses.confirm(user)
        if confirmed:
            flash(_("Your email address is confirmed. You can use it to sign in and to reset "
                    "your password."), "success")
            return redirect_after_post(url_for("places.home"))
        form.form_errors.append(_("This address is already confirmed for another account. Sign "
                                  "in to that one, or choose a new password for it."))
    return render_form_page("accounts/confirm_email.html", None, form=form, person=user, token=token)


@bp.post("/account/password")
@limiter.limit("10 per hour")
def change_password():
    require("account.manage")
    user = signed_in_user()
    form = forms.ChangePasswordForm()
    form.owner_nickname = user.nickname  # the password rule refuses passwords containing it
    if form.validate_on_submit():
        if not service.passwords.verify_password(user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            with db.write_transaction():
                service.set_password(user, form.password.data)
            _start_session(user)  # this device stays signed in with the new token
            flash(_("Your password is changed. Other devices are signed out."), "success")
            return redirect_after_post(url_for("accounts.account"))
    account_form = forms.AccountForm.for_user(user, formdata=None)
    return render_page("accounts/account.html", "accounts/_password_form.html", 422,
                       form=account_form, password_form=form, **_account_page_parts(user))


def _account_page_parts(user) -> dict:
    """What the account page shows besides its two forms."""
    return {"confirm_form": ConfirmForm(), "device_sessions": sessions.active(user),
            "consents": own_data.consents(user)}


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
# Per account too, counting only wrong tries: guesses from many addresses add up.
@limiter.limit("10 per hour", methods=["POST"], key_func=_submitted_nickname, deduct_when=_failed)
def reset_with_code():
    require("account.recover")
    form = forms.CodeResetForm()
    done, user = submit(form, lambda: service.redeem_reset_code(form.nickname.data, form.code.data,
                                                                form.password.data))
    if done:
        _start_session(user)
        flash(_("Your new password is set and you are signed in."), "success")
        return redirect_after_post(url_for("places.home"))
    return render_form_page("accounts/reset_code.html", "accounts/_reset_code_form.html", form=form)


@bp.route("/reset/email", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def reset_by_email():
    require("account.recover")
    form = forms.EmailResetRequestForm()
    if form.validate_on_submit():
        user = addresses.confirmed_owner(form.email.data)
        if user is not None:
            link = public_url("accounts.reset_link", token=service.make_reset_token(user))
            send_mail(user.email, _("Reset your Cortile password"),
                      _("Hello %(nickname)s,\n\nto choose a new password open this link within "
                        "two hours:\n%(link)s\n\nIf you did not ask for it, ignore this message.",
                        nickname=user.nickname, link=link))
        # The same answer either way: the form does not reveal which emails have accounts.
        flash(_("If an account uses that email, we have sent it a link. It works for two hours."),
              "success")
        return redirect_after_post(url_for("accounts.login"))
    return render_form_page("accounts/reset_email.html", form=form)


@bp.route("/reset/email/<token>", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
def reset_link(token: str):
    require("account.recover")
    user = service.user_for_reset_token(token)
    if user is None:
        return render_page("accounts/reset_link_invalid.html", None, 404)
    form = forms.NewPasswordForm()
    done, _nothing = submit(form, lambda: service.set_password(user, form.password.data))
    if done:
        _start_session(user)
        flash(_("Your new password is set and you are signed in."), "success")
        return redirect_after_post(url_for("places.home"))
    return render_form_page("accounts/reset_link.html", form=form, token=token)


@bp.post("/language")
def switch_language():
    """Remember the choice for visitors; for signed-in people it is saved on the account."""
    require("language.choose")
    form = forms.LanguageSwitchForm()
    if not form.validate_on_submit():
        abort(400)
    remember_language(form.language.data)
    if current_user.is_authenticated:
        with db.write_transaction():
            current_user.language = form.language.data
    return redirect_after_post(safe_next_url(url_for("places.home")))
