"""The permission matrix: every forum route, GET and POST with valid data, for every role, in a
members-only group and in a public one. 200 or 303: allowed; 302: signed out, sent to sign in;
403: refused. Each route gets fresh posts, so one route's success never changes another's answer."""
from types import SimpleNamespace

import pytest

from portal.groups.models import JoinPolicy, Visibility
from tests.fixtures.forums import opening_post
from tests.fixtures.groups import ROLES

# One route a line: method, address and form data, from the subjects of the test.
# `own` is a reply by the person asking (by someone else when they are signed out); `theirs` is
# a reply by another member.
ROUTES = {
    "forum index": ("GET", lambda s: "/forums/", None),
    "group threads": ("GET", lambda s: f"/forums/groups/{s.group.slug}", None),
    "start a thread": ("POST", lambda s: f"/forums/groups/{s.group.slug}/threads",
                       lambda s: {"title": "Nuovo tema", "body": "Ne parliamo?"}),
    "thread": ("GET", lambda s: f"/forums/threads/{s.thread.id}", None),
    "reply": ("POST", lambda s: f"/forums/threads/{s.thread.id}/replies", lambda s: {"body": "Risposta"}),
    "edit form (own post)": ("GET", lambda s: f"/forums/posts/{s.own.id}/edit", None),
    "edit (own post)": ("POST", lambda s: f"/forums/posts/{s.own.id}/edit", lambda s: {"body": "Corretto"}),
    "delete (own post)": ("POST", lambda s: f"/forums/posts/{s.own.id}/delete", lambda s: {}),
    "report form": ("GET", lambda s: f"/forums/posts/{s.theirs.id}/report", None),
    "report": ("POST", lambda s: f"/forums/posts/{s.theirs.id}/report", lambda s: {"reason": "spam"}),
    "group queue": ("GET", lambda s: f"/forums/groups/{s.group.slug}/moderation", None),
    "municipio queue": ("GET", lambda s: "/forums/municipi/6/moderation", None),
    "moderate post form": ("GET", lambda s: f"/forums/moderation/posts/{s.theirs.id}", None),
    "moderate post": ("POST", lambda s: f"/forums/moderation/posts/{s.theirs.id}",
                      lambda s: {f"post{s.theirs.id}-action": "hide", f"post{s.theirs.id}-reason": "Spam"}),
    "moderate thread form": ("GET", lambda s: f"/forums/moderation/threads/{s.thread.id}", None),
    "moderate thread": ("POST", lambda s: f"/forums/moderation/threads/{s.thread.id}",
                        lambda s: {"action": "lock", "reason": "Concluso"}),
    "earlier versions": ("GET", lambda s: f"/forums/posts/{s.theirs.id}/history", None),
}

# Columns in ROLES order:
#   anonymous  non_member  member  muted  banned  facilitator_elsewhere  facilitator  coordinator  admin
MODERATION = {
    "group queue":          "302 403 403 403 403 403 200 200 200",
    "municipio queue":      "302 403 403 403 403 403 403 200 200",
    "moderate post form":   "302 403 403 403 403 403 200 200 200",
    "moderate post":        "302 403 403 403 403 403 303 303 303",
    "moderate thread form": "302 403 403 403 403 403 200 200 200",
    "moderate thread":      "302 403 403 403 403 403 303 303 303",
    "earlier versions":     "302 403 403 403 403 403 200 200 200",
}
EXPECTED = {
    Visibility.MEMBERS: {
        "forum index":          "200 200 200 200 200 200 200 200 200",
        "group threads":        "302 403 200 200 403 403 200 200 200",
        "start a thread":       "302 403 303 403 403 403 303 303 303",
        "thread":               "302 403 200 200 403 403 200 200 200",
        "reply":                "302 403 303 403 403 403 303 303 303",
        "edit form (own post)": "302 403 200 403 403 403 200 200 200",
        "edit (own post)":      "302 403 303 403 403 403 303 303 303",
        "delete (own post)":    "302 403 303 303 403 403 303 303 303",
        # Members report; coordinators and admins, not members, moderate instead.
        "report form":          "302 403 200 200 403 403 200 403 403",
        "report":               "302 403 303 303 403 403 303 403 403",
        **MODERATION,
    },
    Visibility.PUBLIC: {
        "forum index":          "200 200 200 200 200 200 200 200 200",
        "group threads":        "200 200 200 200 200 200 200 200 200",
        "start a thread":       "302 403 303 403 403 403 303 303 303",
        "thread":               "200 200 200 200 200 200 200 200 200",
        "reply":                "302 403 303 403 403 403 303 303 303",
        "edit form (own post)": "302 403 200 403 403 403 200 200 200",
        "edit (own post)":      "302 403 303 403 403 403 303 303 303",
        # Anyone may take down what they wrote, even after leaving or being removed.
        "delete (own post)":    "302 303 303 303 303 303 303 303 303",
        "report form":          "302 403 200 200 403 403 200 403 403",
        "report":               "302 403 303 303 403 403 303 403 403",
        **MODERATION,
    },
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("visibility", [Visibility.MEMBERS, Visibility.PUBLIC])
def test_every_forum_route_for_every_role(visibility, role, make_group, cast, make_user, add_member,
                                          age, as_role, make_thread, make_post):
    group = make_group("Cortile", visibility=visibility, join_policy=JoinPolicy.OPEN)
    people = cast(group)
    author = make_user("Author")
    add_member(author, group)
    age(author, *[person for person in people.values() if person])  # past the new-account limits
    person = people[role]
    client = as_role(person)
    assert set(ROUTES) == set(EXPECTED[visibility])
    answers = {}
    for name, (method, url, data) in ROUTES.items():
        thread = make_thread(group, author)
        subjects = SimpleNamespace(group=group, thread=thread,
                                   theirs=make_post(thread, author, body="Di un altro"),
                                   own=make_post(thread, person or author, body="Mio"))
        if method == "GET":
            response = client.get(url(subjects))
        else:
            response = client.post(url(subjects), data=data(subjects))
        status = str(response.status_code)
        if status == "302" and "/login" not in response.headers["Location"]:
            status = "302 elsewhere"
        answers[name] = status
    expected = {name: row.split()[ROLES.index(role)] for name, row in EXPECTED[visibility].items()}
    assert answers == expected


def test_the_opening_post_of_a_thread_is_reported_like_any_post(make_group, cast, as_role, make_thread):
    """Reporting a thread reports its opening post: the same rules, the same route."""
    group = make_group("Cortile", visibility=Visibility.PUBLIC)
    people = cast(group)
    thread = make_thread(group, people["facilitator"])
    post = opening_post(thread)
    assert as_role(people["member"]).get(f"/forums/posts/{post.id}/report").status_code == 200
    assert as_role(people["facilitator"]).get(f"/forums/posts/{post.id}/report").status_code == 403
