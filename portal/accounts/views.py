"""Joining, signing in and out, the account page and password resets."""
from __future__ import annotations

from flask import Blueprint, abort, flash, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from portal import db
from portal.accounts import forms, service
from portal.extensions import limiter
from portal.links import public_url
from portal.mail import send_mail
from portal.permissions import require
from portal.web import redirect_after_post, remember_language, render_page, safe_next_url

bp = Blueprint("accounts", __name__)


def _submitted_login() -> str:
    # Limits per attacked account, whichever address the guesses come from.
    return "login:" + (request.form.get("login", "").strip().casefold()[:254])


@bp.route("/join", methods=["GET", "POST"])
# Generous: an access point registers many families from one address in a morning.
@limiter.limit("30 per hour", methods=["POST"])
def register():
    require("account.register")
    form = forms.RegisterForm.build(language=str(_current_locale()))
    if form.validate_on_submit():
        try:
            with db.write_transaction():
                user = service.register(
                    nickname=form.nickname.data, password=form.password.data, email=form.email.data,
                    home_neighbourhood_id=form.home_neighbourhood.data, language=form.language.data)
        except service.AccountError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            _start_session(user)
            flash(_("Welcome to Cortile, %(nickname)s!", nickname=user.nickname), "success")
            return redirect_after_post(url_for("places.home"))
    status = 422 if request.method == "POST" else 200
    return render_page("accounts/register.html", "accounts/_register_form.html", status, form=form)


@bp.route("/login", methods=["GET", "POST"])
@db.no_upfront_write_lock
@limiter.limit("20 per minute", methods=["POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"], key_func=_submitted_login)
def login():
    require("account.sign_in")
    if current_user.is_authenticated:
        return redirect_after_post(url_for("places.home"))
    form = forms.LoginForm()
    if form.validate_on_submit():
        # Checking a password takes a tenth of a second: done outside any write lock, so on
        # SQLite sign-ins do not queue behind each other.
        user = service.authenticate(form.login.data, form.password.data)
        db.session.rollback()
        if user is not None:
            with db.write_transaction():
                service.upgrade_password_hash(user, form.password.data)
            _start_session(user)
            return redirect_after_post(safe_next_url(url_for("places.home")))
        # One message whether the nickname exists or not: the form does not reveal who is here.
        form.form_errors.append(_("That nickname or email and password do not match."))
    status = 422 if request.method == "POST" else 200
    return render_page("accounts/login.html", "accounts/_login_form.html", status, form=form)


def _start_session(user) -> None:
    # A fresh session on sign-in, so a session planted before sign-in is worth nothing after.
    session.clear()
    session.permanent = True
    login_user(user)


def _current_locale():
    from flask_babel import get_locale

    return get_locale()


@bp.post("/logout")
def logout():
    require("account.manage")
    forms.ConfirmForm().validate_on_submit() or abort(400)
    language = session.get("language")
    logout_user()
    session.clear()
    if language:
        remember_language(language)
    flash(_("You are signed out."), "success")
    return redirect_after_post(url_for("places.home"))


@bp.post("/logout-everywhere")
def logout_everywhere():
    require("account.manage")
    forms.ConfirmForm().validate_on_submit() or abort(400)
    with db.write_transaction():
        service.rotate_session_token(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You are signed out on every device."), "success")
    return redirect_after_post(url_for("accounts.login"))


@bp.route("/account", methods=["GET", "POST"])
def account():
    require("account.manage")
    user = current_user._get_current_object()
    form = forms.AccountForm.build(user)
    if form.validate_on_submit():
        try:
            with db.write_transaction():
                service.update_profile(user, email=form.email.data,
                                       home_neighbourhood_id=form.home_neighbourhood.data,
                                       language=form.language.data)
        except service.AccountError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            flash(_("Your changes are saved."), "success")
            return redirect_after_post(url_for("accounts.account"))
    status = 422 if request.method == "POST" else 200
    return render_page("accounts/account.html", "accounts/_account_form.html", status, form=form,
                       password_form=forms.ChangePasswordForm(), confirm_form=forms.ConfirmForm())


@bp.post("/account/password")
@limiter.limit("10 per hour")
def change_password():
    require("account.manage")
    user = current_user._get_current_object()
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
    account_form = forms.AccountForm.build(user, formdata=None)
    return render_page("accounts/account.html", "accounts/_password_form.html", 422,
                       form=account_form, password_form=form, confirm_form=forms.ConfirmForm())


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
def reset_with_code():
    require("account.recover")
    form = forms.CodeResetForm()
    if form.validate_on_submit():
        try:
            with db.write_transaction():
                user = service.redeem_reset_code(form.nickname.data, form.code.data,
                                                 form.password.data)
        except service.AccountError as error:
            form.code.errors.append(error.message)
        else:
            _start_session(user)
            flash(_("Your new password is set and you are signed in."), "success")
            return redirect_after_post(url_for("places.home"))
    status = 422 if request.method == "POST" else 200
    return render_page("accounts/reset_code.html", "accounts/_reset_code_form.html", status, form=form)


@bp.route("/reset/email", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def reset_by_email():
    require("account.recover")
    form = forms.EmailResetRequestForm()
    if form.validate_on_submit():
        user = service.user_for_email(form.email.data)
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
    status = 422 if request.method == "POST" else 200
    return render_page("accounts/reset_email.html", None, status, form=form)


@bp.route("/reset/email/<token>", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
def reset_link(token: str):
    require("account.recover")
    user = service.user_for_reset_token(token)
    if user is None:
        return render_page("accounts/reset_link_invalid.html", None, 404)
    form = forms.NewPasswordForm()
    if form.validate_on_submit():
        with db.write_transaction():
            service.set_password(user, form.password.data)
        _start_session(user)
        flash(_("Your new password is set and you are signed in."), "success")
        return redirect_after_post(url_for("places.home"))
    status = 422 if request.method == "POST" else 200
    return render_page("accounts/reset_link.html", None, status, form=form, token=token)


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
