"""Forum pages: the groups one can read, a group's threads, a thread, and writing, editing,
deleting and reporting posts. Moderation lives in forums.moderation."""
from __future__ import annotations

from flask import Blueprint, abort, flash, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user

from forums import forms, moderation, queries, service
from forums.models import PostState
from portal import db
from portal.extensions import limiter
from portal.forms import ConfirmForm
from portal.groups.pages import add_section, group_or_404, header_context
from portal.pagination import page_number
from portal.permissions import EDIT_WINDOW, may, require
from portal.text import stored_html
from portal.web import redirect_after_post, render_form_page, render_page, signed_in_user, submit

bp = Blueprint("forums", __name__, url_prefix="/forums")
bp.register_blueprint(moderation.bp)
EDIT_MINUTES = EDIT_WINDOW.seconds // 60


@bp.record_once
def _linked_from_group_headers(state) -> None:
    # Every group's header links to its discussion; the groups package does not know forums exist.
    add_section(state.app, "forums.group_threads", _l("Discussion"))


def signed_in_key() -> str:
    """Limits count per person, whichever address or phone they post from."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


# One budget for everything that writes a post (threads, replies, edits); Redis-backed in production.
posting_limit = limiter.shared_limit("20 per hour", scope="forum-posting", key_func=signed_in_key,
                                     methods=["POST"])
reporting_limit = limiter.limit("30 per hour", key_func=signed_in_key, methods=["POST"])


@bp.app_context_processor
def forum_helpers() -> dict:
    # Every post body on forum and moderation pages: the HTML the one sanitiser stored (portal.text).
    return {"stored_html": stored_html}


@bp.get("/")
def index():
    """The groups the viewer may read, their own first, with when each last had news."""
    require("feature.index")
    mine, others = queries.groups_with_activity(current_user)
    return render_page("forums/index.html", mine=mine, others=others,
                       municipi=queries.moderated_municipi(current_user))


# --- a group's threads -------------------------------------------------------------------------

@bp.get("/groups/<slug>")
def group_threads(slug: str):
    group = group_or_404(slug)
    require("forum.read", group)
    return _group_page(group, forms.ThreadForm(formdata=None))


@bp.post("/groups/<slug>/threads")
@posting_limit
def start_thread(slug: str):
    group = group_or_404(slug)
    require("forum.read", group)
    require("thread.start", group)
    form = forms.ThreadForm()
    done, thread = submit(
        form, lambda: service.start_thread(group, signed_in_user(), form.title.data, form.body.data))
    if done:
        return redirect_after_post(url_for(".thread", thread_id=thread.id))
    return _group_page(group, form, partial="forums/_thread_form.html", status=422)


def _group_page(group, form, partial: str | None = None, status: int = 200):
    page = page_number()
    threads, has_more = queries.threads_page(group, page, include_hidden=may("group.manage", group))
    # The groups package's header (name, facts, join buttons): a group looks the same everywhere.
    return render_page("forums/group.html", partial, status, threads=threads, has_more=has_more,
                       page=page, form=form, **header_context(group))


# --- a thread ----------------------------------------------------------------------------------

@bp.get("/threads/<int:thread_id>")
def thread(thread_id: int):
    thread, opening = _readable_thread(thread_id)
    return _thread_page(thread, opening, forms.PostForm(formdata=None))


@bp.post("/threads/<int:thread_id>/replies")
@posting_limit
def reply(thread_id: int):
    thread, opening = _readable_thread(thread_id)
    require("thread.reply", thread)
    form = forms.PostForm()
    done, post = submit(form, lambda: service.reply(thread, signed_in_user(), form.body.data))
    if done:
        return redirect_after_post(queries.post_url(post))
    return _thread_page(thread, opening, form, partial="forums/_reply_form.html", status=422)


def _readable_thread(thread_id: int):
    """The thread, if the viewer may read its group and it is not hidden or deleted for them."""
    thread, opening = queries.thread_or_404(thread_id)
    require("forum.read", thread.group)
    if may("thread.moderate", thread):
        return thread, opening
    is_author = current_user.is_authenticated and opening.author_id == current_user.id
    if thread.deleted_at is not None or (opening.state != PostState.VISIBLE and not is_author):
        abort(404)
    return thread, opening


def _thread_page(thread, opening, form, partial: str | None = None, status: int = 200):
    page = page_number()
    posts, has_more = queries.posts_page(thread, page)
    return render_page("forums/thread.html", partial, status, thread=thread, opening=opening,
                       posts=posts, has_more=has_more, page=page, form=form,
                       manages=may("thread.moderate", thread),
                       reported=queries.reported_by(current_user, posts))


# --- one post ----------------------------------------------------------------------------------

def _readable_post(post_id: int):
    """The post, if its thread is readable for the viewer (a hidden thread hides its replies too)."""
    post = queries.post_or_404(post_id)
    _readable_thread(post.thread_id)
    return post


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@posting_limit
def edit(post_id: int):
    post = _readable_post(post_id)
    if not may("post.edit", post) and _edit_window_passed(post):
        return render_page("errors/error.html", None, 403, title=_("Too late to edit"), message=_(
            "Posts can be changed for %(minutes)d minutes after they are written. You can still "
            "delete it and write again.", minutes=EDIT_MINUTES))
    require("post.edit", post)
    form = forms.PostForm(body=post.body)
    done, _nothing = submit(form, lambda: service.edit(post, form.body.data))
    if done:
        flash(_("Your post is changed."), "success")
        return redirect_after_post(queries.post_url(post))
    return render_form_page("forums/edit.html", "forums/_edit_form.html", post=post, form=form,
                            minutes=EDIT_MINUTES)


def _edit_window_passed(post) -> bool:
    """Only the author, on a post they could otherwise edit, is told why: others just get 403."""
    return (current_user.is_authenticated and post.author_id == current_user.id
            and post.state == PostState.VISIBLE and may("thread.start", post.thread.group))


@bp.post("/posts/<int:post_id>/delete")
def delete(post_id: int):
    post = _readable_post(post_id)
    require("post.delete", post)
    ConfirmForm().validate_on_submit() or abort(400)
    with db.write_transaction():
        service.delete_own(post)
    flash(_("Your post is deleted."), "success")
    if post.is_opening:
        return redirect_after_post(url_for(".group_threads", slug=post.thread.group.slug))
    return redirect_after_post(url_for(".thread", thread_id=post.thread_id))


@bp.route("/posts/<int:post_id>/report", methods=["GET", "POST"])
@reporting_limit
def report(post_id: int):
    post = _readable_post(post_id)
    require("post.report", post)
    form = forms.ReportForm()
    done, hid_it = submit(
        form, lambda: service.report(post, signed_in_user(), form.reason.data, form.note.data))
    if done:
        flash(_("Thank you. A facilitator will look at it; you will be told what they decide."), "success")
        if hid_it and post.is_opening:  # the thread is hidden now: back to the group
            return redirect_after_post(url_for(".group_threads", slug=post.thread.group.slug))
        return redirect_after_post(url_for(".thread", thread_id=post.thread_id))
    return render_form_page("forums/report.html", "forums/_report_form.html", post=post, form=form)
