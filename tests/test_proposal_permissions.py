"""The permission matrix: every proposal route, GET and POST with valid data, each in a state where
the step is possible, for every role. 200 or 303: allowed; 302: signed out, sent to sign in; 403:
refused; 404: there is nothing of theirs here (an invitation they do not have). Each route gets a
fresh proposal, so one route's success never changes another's answer.

The proposal is in Giambellino Lorenteggio (Municipio 6) and comes from a public group there.
"""
from types import SimpleNamespace

import pytest

from portal import db
from portal.groups.models import JoinPolicy, Visibility
from proposals import service
from proposals.models import Follow, ProposalState, Support
from tests.fixtures.proposals import FORM, call, make_proposal  # noqa: F401 - fixtures

S = ProposalState
ROLES = ["anonymous", "resident", "resident_elsewhere", "author", "coauthor", "group_member", "facilitator",
         "facilitator_elsewhere", "coordinator", "coordinator_elsewhere", "admin"]
SETTINGS = "/proposals/settings/giambellino-lorenteggio"
ANSWER = {"decision": "accepted", "answer": "La biblioteca offre la sala."}

# name: (method, the state the proposal is in, address, form data)
ROUTES = {
    "list":                ("GET", S.OPEN, lambda p: "/proposals/", None),
    "your proposals":      ("GET", S.OPEN, lambda p: "/proposals/mine", None),
    "new form":            ("GET", S.OPEN, lambda p: "/proposals/new", None),
    "create":              ("POST", S.OPEN, lambda p: "/proposals/new",
                            lambda p: {**FORM, "neighbourhood": str(p.neighbourhood_id)}),
    "show (draft)":        ("GET", S.DRAFT, lambda p: f"/proposals/{p.id}", None),
    "show (withdrawn draft)": ("GET", S.DRAFT, lambda p: f"/proposals/{p.id}", None),
    "show (open)":         ("GET", S.OPEN, lambda p: f"/proposals/{p.id}", None),
    "show (done)":         ("GET", S.DONE, lambda p: f"/proposals/{p.id}", None),
    "edit form":           ("GET", S.DRAFT, lambda p: f"/proposals/{p.id}/edit", None),
    "edit":                ("POST", S.DRAFT, lambda p: f"/proposals/{p.id}/edit",
                            lambda p: {**FORM, "neighbourhood": str(p.neighbourhood_id), "title": "Nuovo"}),
    "invite a co-author":  ("POST", S.DRAFT, lambda p: f"/proposals/{p.id}/coauthors",
                            lambda p: {"nickname": "Invitee"}),
    "answer an invitation": ("POST", S.DRAFT, lambda p: f"/proposals/{p.id}/invitation",
                             lambda p: {"answer": "accept"}),
    "publish form":        ("GET", S.DRAFT, lambda p: f"/proposals/{p.id}/publish", None),
    "publish":             ("POST", S.DRAFT, lambda p: f"/proposals/{p.id}/publish", lambda p: {}),
    "withdraw form":       ("GET", S.OPEN, lambda p: f"/proposals/{p.id}/withdraw", None),
    "withdraw":            ("POST", S.OPEN, lambda p: f"/proposals/{p.id}/withdraw", lambda p: {}),
    "support":             ("POST", S.OPEN, lambda p: f"/proposals/{p.id}/support", lambda p: {}),
    "withdraw support":    ("POST", S.OPEN, lambda p: f"/proposals/{p.id}/support/withdraw", lambda p: {}),
    "follow":              ("POST", S.OPEN, lambda p: f"/proposals/{p.id}/follow", lambda p: {}),
    "unfollow":            ("POST", S.OPEN, lambda p: f"/proposals/{p.id}/unfollow", lambda p: {}),
    "review form":         ("GET", S.THRESHOLD_REACHED, lambda p: f"/proposals/{p.id}/review", None),
    "review":              ("POST", S.THRESHOLD_REACHED, lambda p: f"/proposals/{p.id}/review", lambda p: {}),
    "answer form":         ("GET", S.UNDER_REVIEW, lambda p: f"/proposals/{p.id}/answer", None),
    "answer":              ("POST", S.UNDER_REVIEW, lambda p: f"/proposals/{p.id}/answer", lambda p: ANSWER),
    "in progress form":    ("GET", S.ACCEPTED, lambda p: f"/proposals/{p.id}/start", None),
    "in progress":         ("POST", S.ACCEPTED, lambda p: f"/proposals/{p.id}/start", lambda p: {}),
    "done form":           ("GET", S.IN_PROGRESS, lambda p: f"/proposals/{p.id}/finish", None),
    "done":                ("POST", S.IN_PROGRESS, lambda p: f"/proposals/{p.id}/finish", lambda p: {}),
    "settings form":       ("GET", S.OPEN, lambda p: SETTINGS, None),
    "settings":            ("POST", S.OPEN, lambda p: SETTINGS,
                            lambda p: {"support_days": "30", "threshold": "10"}),
}

# Columns in ROLES order:
#   anonymous resident resident_elsewhere author coauthor group_member facilitator facilitator_elsewhere
#   coordinator coordinator_elsewhere admin
EVERYONE = "200 200 200 200 200 200 200 200 200 200 200"
SIGNED_IN_GET = "302 200 200 200 200 200 200 200 200 200 200"
SIGNED_IN_POST = "302 303 303 303 303 303 303 303 303 303 303"
AUTHORS_GET = "302 403 403 200 200 403 403 403 403 403 403"
AUTHORS_POST = "302 403 403 303 303 403 403 403 403 403 403"
STEWARDS_GET = "302 403 403 403 403 403 200 403 200 403 200"
STEWARDS_POST = "302 403 403 403 403 403 303 403 303 403 303"
SUPPORTERS = "302 303 403 403 403 303 403 403 403 403 403"
EXPECTED = {
    "list":                 EVERYONE,
    "your proposals":       SIGNED_IN_GET,
    "new form":             SIGNED_IN_GET,
    "create":               SIGNED_IN_POST,
    # Drafts are their authors' only, even for admins; so are drafts withdrawn before publishing.
    "show (draft)":         AUTHORS_GET,
    "show (withdrawn draft)": AUTHORS_GET,
    "show (open)":          EVERYONE,
    "show (done)":          EVERYONE,
    "edit form":            AUTHORS_GET,
    "edit":                 AUTHORS_POST,
    "invite a co-author":   AUTHORS_POST,
    # Whoever holds an invitation answers it; authors have none to answer.
    "answer an invitation": "302 303 303 404 404 303 303 303 303 303 303",
    "publish form":         AUTHORS_GET,
    "publish":              AUTHORS_POST,
    "withdraw form":        AUTHORS_GET,
    "withdraw":             AUTHORS_POST,
    # Residents of the neighbourhood and members of the proposal's group; never its authors;
    # staff roles do not add a vote (they have no home neighbourhood here).
    "support":              SUPPORTERS,
    "withdraw support":     SUPPORTERS,
    "follow":               SIGNED_IN_POST,
    "unfollow":             SIGNED_IN_POST,
    "review form":          STEWARDS_GET,
    "review":               STEWARDS_POST,
    "answer form":          STEWARDS_GET,
    "answer":               STEWARDS_POST,
    "in progress form":     STEWARDS_GET,
    "in progress":          STEWARDS_POST,
    "done form":            STEWARDS_GET,
    "done":                 STEWARDS_POST,
    # The neighbourhood's settings: its Municipio's coordinators and admins.
    "settings form":        "302 403 403 403 403 403 403 403 200 403 200",
    "settings":             "302 403 403 403 403 403 403 403 303 403 303",
}


@pytest.fixture
def people(make_user, make_group, add_member):
    group = make_group("Mamme in rete", visibility=Visibility.PUBLIC, join_policy=JoinPolicy.OPEN)
    staff = {"neighbourhood": None}
    cast = {
        "anonymous": None,
        "resident": make_user("Resident"),
        "resident_elsewhere": make_user("Elsewhere", neighbourhood="barona"),
        "author": make_user("Author"),
        "coauthor": make_user("Coauthor"),
        "group_member": make_user("Member", neighbourhood="barona"),
        "facilitator": make_user("Facilitator", role="facilitator", group="giambellino-lorenteggio", **staff),
        "facilitator_elsewhere": make_user("FarFacilitator", role="facilitator", group="barona", **staff),
        "coordinator": make_user("Coordinator", role="coordinator", municipio=6, **staff),
        "coordinator_elsewhere": make_user("FarCoordinator", role="coordinator", municipio=1, **staff),
        "admin": make_user("Admin", role="admin", **staff),
    }
    add_member(cast["author"], group)
    add_member(cast["group_member"], group)
    make_user("Invitee")
    return SimpleNamespace(group=group, **cast)


def _add(row) -> None:
    with db.write_transaction():
        db.session.add(row)


# What a route needs first, done for the person asking (when signed in and not an author).
PREPARE = {
    "show (withdrawn draft)": lambda p, person: call(service.take_step, p.id, "withdraw", p.proposer),
    "answer an invitation": lambda p, person: call(service.invite_coauthor, p.id, p.proposer,
                                                   person.nickname),
    "withdraw support": lambda p, person: _add(Support(proposal_id=p.id, user_id=person.id)),
    "unfollow": lambda p, person: _add(Follow(proposal_id=p.id, user_id=person.id)),
}
FOR_EVERYONE = {"show (withdrawn draft)"}


@pytest.mark.parametrize("role", ROLES)
def test_every_proposal_route_for_every_role(role, people, make_proposal, as_role):
    person = getattr(people, role)
    client = as_role(person)
    assert set(ROUTES) == set(EXPECTED)
    answers = {}
    for name, (method, state, url, data) in ROUTES.items():
        proposal = make_proposal(people.author, state, group=people.group, coauthors=[people.coauthor])
        prepare = PREPARE.get(name)
        if prepare and (name in FOR_EVERYONE or person is not None and not proposal.is_author(person)):
            prepare(proposal, person)
        if method == "GET":
            response = client.get(url(proposal))
        else:
            response = client.post(url(proposal), data=data(proposal))
        status = str(response.status_code)
        if status == "302" and "/login" not in response.headers["Location"]:
            status = "302 elsewhere"
        answers[name] = status
    expected = {name: row.split()[ROLES.index(role)] for name, row in EXPECTED.items()}
    assert answers == expected
