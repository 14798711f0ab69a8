"""Initiatives families propose: finding them, writing them with co-authors, supporting and
following them, the network's answers, and each neighbourhood's settings."""
from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, make_response, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal import db
from portal.forms import ConfirmForm
from portal.pagination import page_number
from portal.permissions import may, require
from portal.places.models import Neighbourhood
from portal.places.queries import municipi_with_neighbourhoods
from portal.text import stored_html
from portal.web import press, redirect_after_post, render_form_page, render_page, signed_in_user, submit
from proposals import forms, queries, service
from proposals.models import STATE_LABELS, THEME_LABELS, ProposalState

bp = Blueprint("proposals", __name__, url_prefix="/proposals")
SEED_KEY = "proposals.seed"


@bp.context_processor
def labels() -> dict:
    return {"state_label": STATE_LABELS.get, "theme_label": THEME_LABELS.get, "ProposalState": ProposalState}


def _readable(proposal_id: int):
    """The proposal, if the viewer may read it; a withdrawn draft stays as private as it was."""
    proposal = queries.proposal_or_404(proposal_id)
    require("proposal.view", proposal)
    if proposal.published_at is None:
        require("proposal.author", proposal)
    return proposal


def _proposal_for(proposal_id: int, rule: str, states=None, message=None):
    """The proposal, if the viewer may read it and `rule` lets them act on it. In a state other
    than `states`, the answer is a 409 saying `message`: the person may, but not now."""
    proposal = _readable(proposal_id)
    require(rule, proposal)
    if states is not None and proposal.state not in states:
        abort(make_response(_not_now(message)))
    return proposal


def _back_to(proposal):
    return redirect_after_post(url_for(".show", proposal_id=proposal.id))


def _not_now(message):
    """A step the person may take, but not in the proposal's present state."""
    return render_page("errors/error.html", None, 409, title=_("Not possible now"), message=message)


# --- finding proposals -------------------------------------------------------------------------

def _visitor_seed() -> int:
    """The shuffle stays the same for one visitor (pages do not repeat or skip proposals) and
    differs between visitors, so no proposal is always first."""
    if SEED_KEY not in session:
        session[SEED_KEY] = secrets.randbelow(queries.SHUFFLE_PRIME - 1) + 1
    return session[SEED_KEY]


@bp.get("/")
def index():
    require("feature.index")
    form = forms.FilterForm.build(formdata=request.args)
    valid = form.validate()
    page = page_number()
    listed, has_more = [], False
    if valid:
        filters = queries.Filters(
            theme=form.theme.data or None, state=form.state.data or None,
            neighbourhood_id=form.neighbourhood.data,
            municipio_number=int(form.municipio.data) if form.municipio.data else None,
            text=form.q.data or "", order=form.order.data, seed=_visitor_seed())
        listed, has_more = queries.listing(current_user, filters, page)
    query = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_page("proposals/index.html", status=200 if valid else 422, form=form, page=page,
                       listed=listed, has_more=has_more, query=query, configurable=_configurable())


def _configurable() -> list[Neighbourhood]:
    """The neighbourhoods whose settings the person may change (the filter already loaded them)."""
    if not current_user.is_authenticated:
        return []
    return [neighbourhood for _municipio, neighbourhoods in municipi_with_neighbourhoods()
            for neighbourhood in neighbourhoods if may("neighbourhood.settings", neighbourhood)]


@bp.get("/mine")
def mine():
    require("proposal.create")
    page = page_number()
    proposals, has_more = queries.authored_by(current_user, page)
    return render_page("proposals/mine.html", proposals=proposals, has_more=has_more, page=page,
                       invitations=queries.invitations_of(current_user) if page == 1 else [],
                       answer_form=forms.InvitationAnswerForm())


# --- one proposal ------------------------------------------------------------------------------

@bp.get("/<int:proposal_id>")
def show(proposal_id: int):
    return _proposal_page(_readable(proposal_id))


def _proposal_page(proposal, status: int = 200, *, invite_form=None):
    user = signed_in_user()
    supported, followed = queries.viewer_ties(user, proposal)
    may_support = may("proposal.support", proposal)
    return render_page(
        "proposals/show.html", None, status, proposal=proposal,
        description=stored_html(proposal, "description"), answer=stored_html(proposal, "answer"),
        steps=queries.timeline(proposal), replies=queries.reply_count(proposal),
        supported=supported, followed=followed, may_support=may_support,
        support_problem=service.support_problem(proposal, user) if may_support and not supported else None,
        invite_form=invite_form or forms.InviteForm(formdata=None),
        moves=[move for move, rule in service.MOVES.items()
               if may(rule.rule, proposal) and service.move_problem(proposal, move) is None],
        confirm_form=ConfirmForm())


# --- writing -----------------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
def new():
    require("proposal.create")
    user = signed_in_user()
    groups = queries.groups_of(user)
    form = forms.ProposalForm.build(groups, neighbourhood=user.home_neighbourhood_id)
    done, proposal = submit(form, lambda: service.create_draft(user, form.fields(groups)))
    if done:
        flash(_("Your draft is saved. Only you and your co-authors can see it until you publish it."),
              "success")
        return _back_to(proposal)
    return render_form_page("proposals/new.html", "proposals/_proposal_form.html", form=form,
                            proposal=None)


@bp.route("/<int:proposal_id>/edit", methods=["GET", "POST"])
def edit(proposal_id: int):
    proposal = _proposal_for(proposal_id, "proposal.author", [ProposalState.DRAFT], service.ONLY_DRAFTS)
    groups = queries.groups_of(current_user)
    if proposal.group is not None and proposal.group not in groups:
        groups.append(proposal.group)
    form = forms.ProposalForm.build(groups, obj=proposal, neighbourhood=proposal.neighbourhood_id,
                                    group=proposal.group_id)
    done, _proposal = submit(form, lambda: service.update_draft(proposal.id, signed_in_user(),
                                                                form.fields(groups)))
    if done:
        flash(_("Your changes are saved."), "success")
        return _back_to(proposal)
    return render_form_page("proposals/edit.html", "proposals/_proposal_form.html", form=form,
                            proposal=proposal)


@bp.post("/<int:proposal_id>/coauthors")
def invite(proposal_id: int):
    proposal = _proposal_for(proposal_id, "proposal.author", [ProposalState.DRAFT], service.ONLY_DRAFTS)
    form = forms.InviteForm()
    done, person = submit(form, lambda: service.invite_coauthor(proposal.id, signed_in_user(),
                                                                form.nickname.data))
    if done:
        flash(_("%(nickname)s is invited. They become a co-author when they accept.",
                nickname=person.nickname), "success")
        return _back_to(proposal)
    return _proposal_page(proposal, 422, invite_form=form)


@bp.post("/<int:proposal_id>/invitation")
def answer_invitation(proposal_id: int):
    """The invitee's answer. They cannot read the draft yet, so the invitation itself is what
    entitles them: someone without one finds nothing here."""
    require("proposal.create")
    invitation = service.pending_invitation(proposal_id, current_user)
    if invitation is None:
        abort(404)
    form = forms.InvitationAnswerForm()
    done, _nothing = press(lambda: service.answer_invitation(invitation, signed_in_user(),
                                                             form.answer.data == "accept"), form)
    if done and form.answer.data == "accept":
        flash(_("You are a co-author now."), "success")
        return redirect_after_post(url_for(".show", proposal_id=proposal_id))
    if done:
        flash(_("You declined the invitation."), "success")
    # A refusal (the draft was published meanwhile, say) is said on the list of invitations too.
    return redirect_after_post(url_for(".mine"))


# --- changes of state --------------------------------------------------------------------------

@bp.route("/<int:proposal_id>/<any(publish, withdraw, review, start, finish):move>", methods=["GET", "POST"])
def step(proposal_id: int, move: str):
    proposal = _proposal_for(proposal_id, service.MOVES[move].rule)
    problem = service.move_problem(proposal, move)
    if problem is not None:
        return _not_now(problem)
    form = forms.StepForm()
    done, _proposal = submit(form, lambda: service.take_step(proposal.id, move, signed_in_user(),
                                                             form.note.data))
    if done:
        flash(_("Done: the proposal is now \u201c%(state)s\u201d.",
                state=STATE_LABELS[service.MOVES[move].target]), "success")
        return _back_to(proposal)
    return render_form_page("proposals/step.html", "proposals/_step_form.html", form=form, proposal=proposal,
                            move=move, settings=service.settings_for(proposal.neighbourhood_id),
                            discussion=service.discussion_group(proposal) if move == "publish" else None)


@bp.route("/<int:proposal_id>/answer", methods=["GET", "POST"])
def answer(proposal_id: int):
    proposal = _proposal_for(proposal_id, "proposal.steward", [ProposalState.UNDER_REVIEW],
                             service.ONLY_UNDER_REVIEW)
    form = forms.AnswerForm()
    done, _proposal = submit(form, lambda: service.answer(proposal.id, signed_in_user(), form.decision.data,
                                                          form.answer.data))
    if done:
        flash(_("The answer is published and everyone following the proposal is told."), "success")
        return _back_to(proposal)
    return render_form_page("proposals/answer.html", "proposals/_answer_form.html", form=form,
                            proposal=proposal)


# --- supporting and following ------------------------------------------------------------------

@bp.post("/<int:proposal_id>/support")
def support(proposal_id: int):
    return _act(proposal_id, "proposal.support", service.support, _("Thank you: your support is counted."))


@bp.post("/<int:proposal_id>/support/withdraw")
def withdraw_support(proposal_id: int):
    return _act(proposal_id, "proposal.support", service.withdraw_support, _("Your support is withdrawn."))


@bp.post("/<int:proposal_id>/follow")
def follow(proposal_id: int):
    return _act(proposal_id, "proposal.follow", service.follow,
                _("You will be told when this proposal changes."))


@bp.post("/<int:proposal_id>/unfollow")
def unfollow(proposal_id: int):
    return _act(proposal_id, "proposal.follow", service.unfollow, _("You no longer follow this proposal."))


def _act(proposal_id: int, rule: str, action, message: str):
    """A button on the proposal's page."""
    proposal = _proposal_for(proposal_id, rule)
    done, _nothing = press(lambda: action(proposal.id, signed_in_user()))
    if done:
        flash(message, "success")
        return _back_to(proposal)
    return _proposal_page(proposal, 409)


# --- neighbourhood settings --------------------------------------------------------------------

@bp.route("/settings/<slug>", methods=["GET", "POST"])
def settings(slug: str):
    neighbourhood = db.session.scalar(select(Neighbourhood).where(Neighbourhood.slug == slug))
    if neighbourhood is None:
        abort(404)
    require("neighbourhood.settings", neighbourhood)
    form = forms.SettingsForm(obj=service.settings_for(neighbourhood.id))
    done, _settings = submit(form, lambda: service.save_settings(
        neighbourhood, signed_in_user(), support_days=form.support_days.data, threshold=form.threshold.data,
        require_verified=form.require_verified.data))
    if done:
        flash(_("Your changes are saved. They apply to proposals published from now on."), "success")
        return redirect_after_post(url_for(".settings", slug=slug))
    return render_form_page("proposals/settings.html", "proposals/_settings_form.html", form=form,
                            neighbourhood=neighbourhood)
