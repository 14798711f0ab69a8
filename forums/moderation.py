"""Moderation pages: the queues of reported posts (a group's, a Municipio's), deciding on one post,
locking and pinning a thread, and a post's earlier versions. Registered inside the forums
blueprint, so its addresses start with /forums too."""
from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from forums import forms, queries, service
from forums.models import Thread
from portal import db
from portal.groups.pages import group_or_404
from portal.pagination import page_number
from portal.permissions import require
from portal.places.models import Municipio
from portal.web import (
    redirect_after_post,
    render_form_page,
    render_page,
    safe_next_url,
    signed_in_user,
    submit,
)

bp = Blueprint("moderation", __name__)

DONE = {
    "hide": _l("The post is hidden and its author is told why."),
    "restore": _l("The post is visible."),
    "delete": _l("The post is deleted and its author is told why."),
    "lock": _l("The thread is closed to new replies."),
    "unlock": _l("The thread is open to replies again."),
    "pin": _l("The thread is pinned at the top."),
    "unpin": _l("The thread is no longer pinned."),
}


@bp.get("/groups/<slug>/moderation")
def group_queue(slug: str):
    group = group_or_404(slug)
    require("group.manage", group)
    return _queue_page(Thread.group_id == group.id, place=group.name)


@bp.get("/municipi/<int:number>/moderation")
def municipio_queue(number: int):
    municipio = db.session.scalar(select(Municipio).where(Municipio.number == number))
    if municipio is None:
        abort(404)
    require("moderation.municipio", municipio)
    return _queue_page(queries.in_municipio(municipio.id), place=municipio.name, show_group=True)


def _queue_page(condition, **context):
    page = page_number()
    items, has_more = queries.moderation_queue(condition, page)
    return render_page("forums/moderation_queue.html", items=items, has_more=has_more, page=page,
                       moderation_form=forms.post_moderation_form, reason_labels=forms.REASON_LABELS,
                       **context)


@bp.route("/moderation/posts/<int:post_id>", methods=["GET", "POST"])
def post(post_id: int):
    """One post's reports and the decision on it; the queues send their forms here too."""
    post = queries.post_or_404(post_id)
    require("post.moderate", post)
    form = forms.post_moderation_form(post)
    done, _nothing = submit(
        form, lambda: service.POST_ACTIONS[form.action.data](post, signed_in_user(), form.reason.data))
    if done:
        if request.htmx:
            # From a queue: the decided item gives way to a line saying what was done.
            return render_template("forums/_decided.html", message=DONE[form.action.data])
        flash(DONE[form.action.data], "success")
        return redirect_after_post(safe_next_url(queries.post_url(post)))
    return render_form_page("forums/moderate_post.html", "forums/_queue_item.html",
                            item=queries.queue_item(post), form=form, thread_link=queries.post_url(post),
                            reason_labels=forms.REASON_LABELS)


@bp.route("/moderation/threads/<int:thread_id>", methods=["GET", "POST"])
def thread(thread_id: int):
    thread, opening = queries.thread_or_404(thread_id)
    require("thread.moderate", thread)
    form = forms.ThreadModerationForm()
    done, _nothing = submit(
        form, lambda: service.moderate_thread(thread, signed_in_user(), form.action.data, form.reason.data))
    if done:
        flash(DONE[form.action.data], "success")
        return redirect_after_post(url_for("forums.thread", thread_id=thread.id))
    return render_form_page("forums/moderate_thread.html", "forums/_thread_moderation_form.html",
                            thread=thread, opening=opening, form=form)


@bp.get("/posts/<int:post_id>/history")
def history(post_id: int):
    """Every earlier version of an edited post, newest first."""
    post = queries.post_or_404(post_id)
    require("post.moderate", post)
    return render_page("forums/history.html", post=post, revisions=queries.revisions(post))
