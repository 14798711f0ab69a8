"""The permission matrices rely on this cast; check it is what it claims to be."""
from portal import permissions
from tests.fixtures.groups import ROLES


def test_the_cast_covers_every_role(make_group, cast):
    group = make_group()
    people = cast(group)
    assert list(people) == ROLES
    assert permissions.may("group.manage", group, user=people["facilitator"])
    assert permissions.may("group.manage", group, user=people["coordinator"])
    assert not permissions.may("group.manage", group, user=people["facilitator_elsewhere"])
    assert permissions.may("thread.start", group, user=people["member"])
    assert not permissions.may("thread.start", group, user=people["muted"])
    assert not permissions.may("group.view", group, user=people["banned"])
